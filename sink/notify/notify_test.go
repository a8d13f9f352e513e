package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// fast retries keep the tests quick.
var fast = notify.RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second, Jitter: 0.2}

func testAlert() notify.Alert {
	text := "trading young collection, wickr: placeholder_01"
	return notify.Alert{
		CaseID: wire.CaseKey("wickr", "placeholder_01"), App: "wickr", Handle: "placeholder_01", Status: "new",
		Severity: wire.SeverityHigh, Score: 0.91, Levels: []string{"new"}, Reasons: []string{"new case"},
		Sightings: 3, Sources: 2, Authors: 2, FirstSeen: t0, LastSeen: t0.Add(2 * time.Hour),
		Excerpt:    wire.Excerpt{Text: text, Spans: []wire.Span{{Start: 0, End: 7}, {Start: 8, End: 13}, {Start: 26, End: 47}}},
		Source:     "demo-forum",
		Permalinks: []string{"http://127.0.0.1:8099/posts/17", "http://127.0.0.1:8099/posts/12"},
		URL:        "http://127.0.0.1:8080/cases/" + wire.CaseKey("wickr", "placeholder_01"),
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestMark(t *testing.T) {
	ex := wire.Excerpt{Text: "a <b> & c", Spans: []wire.Span{{Start: 2, End: 5}, {Start: 4, End: 7}}}
	for _, tc := range []struct {
		name string
		esc  func(string) string
		want string
	}{
		{"plain", nil, "a ⟦<b> &⟧ c"},
		{"slack", notify.SlackEscape, "a ⟦&lt;b&gt; &amp;⟧ c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := notify.Mark(ex, notify.MarkOpen, notify.MarkClose, tc.esc); got != tc.want {
				t.Fatalf("Mark = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBucket(t *testing.T) {
	now := t0
	b := notify.NewBucket(30, func() time.Time { return now })
	n := 0
	for b.Allow() {
		n++
	}
	if n != 30 {
		t.Fatalf("burst allowed %d, want 30", n)
	}
	now = now.Add(2 * time.Second) // 30/min: one token a 2 s
	if !b.Allow() || b.Allow() {
		t.Fatal("after 2 s exactly one more token expected")
	}
	now = now.Add(time.Hour)
	n = 0
	for b.Allow() {
		n++
	}
	if n != 30 {
		t.Fatalf("refill capped at burst: got %d", n)
	}
}

// flaky fails its first n sends.
type flaky struct {
	n     int
	err   error
	sends []notify.Message
}

func (f *flaky) Name() string { return "flaky" }
func (f *flaky) Kind() string { return "test" }
func (f *flaky) Send(_ context.Context, m notify.Message) error {
	f.sends = append(f.sends, m)
	if len(f.sends) <= f.n {
		return f.err
	}
	return nil
}

func TestDestinationRateLimitFoldsIntoDigest(t *testing.T) {
	ctx := context.Background()
	now := t0
	f := &flaky{}
	d := notify.NewDestination(f, notify.DestinationOptions{RatePerMinute: 2, Retry: fast, Now: func() time.Time { return now }})
	var outs []notify.Outcome
	for i, h := range []string{"a1", "a2", "a3", "a4"} {
		a := testAlert()
		a.CaseID, a.Handle = "wickr-"+h, h
		outs = append(outs, d.Dispatch(ctx, a))
		if i == 3 {
			// the same case again, escalated, while waiting: merged
			a.Levels, a.Reasons = []string{"escalation:sightings-10"}, []string{"10 sightings"}
			outs = append(outs, d.Dispatch(ctx, a))
		}
	}
	if !outs[0].Delivered || !outs[1].Delivered || !outs[2].Queued || !outs[2].Overflow || !outs[3].Queued {
		t.Fatalf("outcomes %+v", outs)
	}
	if len(f.sends) != 2 || d.Pending() != 2 {
		t.Fatalf("sent %d, pending %d; want 2 and 2", len(f.sends), d.Pending())
	}
	out, ok := d.Flush(ctx)
	if !ok || !out.Delivered || !out.Digest || len(out.Alerts) != 2 {
		t.Fatalf("flush %+v %v", out, ok)
	}
	m := f.sends[2]
	if !m.Digest || len(m.Alerts) != 2 || m.Alerts[1].Handle != "a4" || len(m.Alerts[1].Levels) != 2 || !m.Since.Equal(t0) {
		t.Fatalf("digest %+v", m)
	}
	if _, ok := d.Flush(ctx); ok {
		t.Fatal("second flush had something to send")
	}
}

func TestDestinationDigestOnly(t *testing.T) {
	ctx := context.Background()
	f := &flaky{}
	d := notify.NewDestination(f, notify.DestinationOptions{Digest: true, Retry: fast})
	for range 3 {
		if out := d.Dispatch(ctx, testAlert()); !out.Queued || out.Overflow {
			t.Fatalf("digest-only dispatch %+v", out)
		}
	}
	if len(f.sends) != 0 || d.Pending() != 1 {
		t.Fatalf("sent %d pending %d", len(f.sends), d.Pending())
	}
	// A flush interrupted by shutdown keeps the alerts for next time.
	f.n, f.err = 100, context.Canceled
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if out, _ := d.Flush(cctx); out.Delivered || d.Pending() != 1 {
		t.Fatalf("cancelled flush: %+v pending %d", out, d.Pending())
	}
}
