package wire

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func examplePost() Post {
	return Post{
		Schema: SchemaVersion, Source: "demo-forum", SourceKind: "rss", ID: "post-17",
		Permalink: "http://127.0.0.1:8099/posts/17", Author: "user_placeholder",
		Text:  "trading young collection, wickr: placeholder_01",
		Links: []string{"http://127.0.0.1:8099/about"},
		Lang:  "en", Attachments: 1,
		CreatedAt: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		FetchedAt: time.Date(2026, 11, 28, 10, 5, 0, 0, time.UTC),
	}
}

func exampleFinding() Finding {
	p := examplePost()
	return Finding{
		Schema: SchemaVersion, ID: FindingID(p.Source, p.ID, "2026.11.1"), Post: p.Ref(),
		Excerpt: Excerpt{Text: p.Text, Spans: []Span{{0, 7}, {8, 13}, {26, 47}}},
		Handles: []Handle{{App: "wickr", Handle: "placeholder_01", Raw: "wickr: placeholder_01", Kind: HandleMention, Span: Span{26, 47}}},
		Signals: []Signal{
			{Rule: "offer.trading", Category: "offer", Weight: 0.4, Span: Span{0, 7}, Mode: ModeAlert},
			{Rule: "minor.young", Category: "minor", Weight: 0.35, Span: Span{8, 13}, Mode: ModeAlert},
		},
		Score: 0.91, Severity: SeverityHigh, RulesVersion: "2026.11.1", Mode: ModeAlert,
		DetectedAt: time.Date(2026, 11, 28, 10, 5, 1, 0, time.UTC),
	}
}

func exampleEvent() CaseEvent {
	return CaseEvent{
		Schema: SchemaVersion, ID: "takedown-req1-sent", CaseID: CaseKey("wickr", "placeholder_01"),
		App: "wickr", Handle: "placeholder_01", Type: EventTakedown,
		Takedown: &TakedownChange{RequestID: "req1", Target: "demo-mastodon", Channel: "mastodon",
			State: TakedownSent, URL: "http://127.0.0.1:8099/posts/17"},
		Actor: "sink", Reason: "auto: severity high ≥ high", At: time.Date(2026, 11, 28, 10, 6, 0, 0, time.UTC),
	}
}

// TestGolden pins the JSON shape of every wire type: a change to the wire
// contract shows up as a diff of testdata/*.json.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		v    any
		ptr  func() any
	}{
		{"post", examplePost(), func() any { return new(Post) }},
		{"finding", exampleFinding(), func() any { return new(Finding) }},
		{"case_event", exampleEvent(), func() any { return new(CaseEvent) }},
		{"scan_tally", ScanTally{Schema: 1, ID: "w1-42", Source: "demo-forum", Day: "2026-11-28", Posts: 120,
			At: time.Date(2026, 11, 28, 10, 6, 0, 0, time.UTC), Stream: "HW_POSTS@1764324000000000000", Seqs: [][2]uint64{{1, 100}, {181, 200}}}, func() any { return new(ScanTally) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.MarshalIndent(tc.v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from golden:\n got: %s\nwant: %s", tc.name, got, want)
			}
			back := tc.ptr()
			if err := json.Unmarshal(want, back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(reflect.ValueOf(back).Elem().Interface(), tc.v) {
				t.Errorf("round trip changed %s:\n got %+v\nwant %+v", tc.name, back, tc.v)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	badSpan := exampleFinding()
	badSpan.Handles[0].Span = Span{40, 400}
	badApp := exampleFinding()
	badApp.Handles[0].App = "myspace"
	future := examplePost()
	future.Schema = SchemaVersion + 1
	noID := examplePost()
	noID.ID = ""
	badUTF8 := examplePost()
	badUTF8.Text = "a\xffb"
	skip := exampleEvent()
	skip.Type, skip.Takedown, skip.Reason = EventSkip, nil, ""
	cases := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"post", ptr(examplePost()), true},
		{"post future schema", &future, false},
		{"post without id", &noID, false},
		{"post invalid utf8", &badUTF8, false},
		{"finding", ptr(exampleFinding()), true},
		{"finding span outside excerpt", &badSpan, false},
		{"finding unknown app", &badApp, false},
		{"event", ptr(exampleEvent()), true},
		{"skip without reason", &skip, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestIdentity(t *testing.T) {
	if a, b := FindingID("s", "1", "v1"), FindingID("s", "1", "v1"); a != b {
		t.Fatal("finding id not deterministic")
	}
	if FindingID("s", "1", "v1") == FindingID("s", "1", "v2") {
		t.Fatal("finding id ignores the rules version")
	}
	if FindingID("s1", "2", "v") == FindingID("s", "12", "v") {
		t.Fatal("finding id fields run together")
	}
	if CaseKey("kik", "x") == CaseKey("wickr", "x") {
		t.Fatal("case key ignores app")
	}
	p := examplePost()
	p.Source = "my.forum > x"
	if got, want := p.Subject(), "hw.posts.rss.my_forum___x"; got != want {
		t.Fatalf("Subject() = %q, want %q", got, want)
	}
}
