package hotline_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/hotline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func confirmedCase(app, handle string, categories ...string) *cases.Case {
	text := "trading young collection, " + app + ": " + handle
	mk := func(n int, author string) cases.Sighting {
		return cases.Sighting{
			FindingID: "f" + string(rune('0'+n)), Source: "demo-forum", SourceKind: "rss", PostID: "p" + string(rune('0'+n)),
			Permalink: "http://127.0.0.1:8099/posts/" + string(rune('0'+n)), Author: author,
			Excerpt: wire.Excerpt{Text: text, Spans: []wire.Span{{Start: 0, End: 7}, {Start: 26, End: len(text)}}},
			Score:   0.9, Severity: wire.SeverityHigh, Mode: wire.ModeAlert, Categories: categories,
			PostedAt: t0.Add(time.Duration(n) * time.Hour), SeenAt: t0.Add(time.Duration(n)*time.Hour + time.Minute),
		}
	}
	return &cases.Case{
		ID: wire.CaseKey(app, handle), App: app, Handle: handle, Status: cases.StatusConfirmed,
		Severity: wire.SeverityHigh, Score: 0.9, Mode: wire.ModeAlert, Sightings: 3, Sources: 1, Authors: 2,
		FirstSeen: t0.Add(time.Minute), LastSeen: t0.Add(2*time.Hour + time.Minute),
		Decision: &cases.Decision{EventID: "d1", Decision: wire.DecisionConfirm, Actor: "mod_a", Reason: "coded offer with contact", At: t0.Add(3 * time.Hour)},
		Recent:   []cases.Sighting{mk(2, "user_placeholder"), mk(1, ""), mk(0, "user_placeholder")},
	}
}

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

func TestDraftGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *cases.Case
	}{
		{"telegram_offer", confirmedCase("telegram", "tg_demo_77", "minor", "offer")},
		{"wickr_contact", confirmedCase("wickr", "placeholder_01", "contact", "minor")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := hotline.New(tc.c, "http://127.0.0.1:8080/cases/"+tc.c.ID, t0.Add(4*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".json", append(js, '\n'))
			golden(t, tc.name+".txt", []byte(d.Text()))
		})
	}
}

func TestDraftOnlyForConfirmed(t *testing.T) {
	for _, st := range []cases.Status{cases.StatusNew, cases.StatusDismissed, cases.StatusEscalated, cases.StatusCleared} {
		c := confirmedCase("kik", "example_seller")
		c.Status = st
		if _, err := hotline.New(c, "", t0); !errors.Is(err, hotline.ErrNotConfirmed) {
			t.Errorf("status %s: err = %v, want ErrNotConfirmed", st, err)
		}
	}
}

func TestProfileURLs(t *testing.T) {
	for _, tc := range []struct{ app, handle, want string }{
		{"telegram", "tg_demo_77", "[https://t.me/tg_demo_77]"},
		{"whatsapp", "+15550100", "[https://wa.me/15550100]"},
		{"whatsapp", "not-a-number", "[]"},
		{"matrix", "@placeholder:example.org", "[https://matrix.to/#/@placeholder:example.org]"},
		{"wickr", "placeholder_01", "[]"},
		{"kik", "a/b", "[https://kik.me/a%2Fb]"},
	} {
		got := hotline.ProfileURLs(tc.app, tc.handle)
		if s := fmt.Sprint(got); s != tc.want {
			t.Errorf("ProfileURLs(%s, %s) = %s, want %s", tc.app, tc.handle, s, tc.want)
		}
	}
}
