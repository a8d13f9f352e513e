package detector

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// FuzzEngine runs the shipped engine (built-in rules and model) on
// arbitrary text and links: Analyze and Detect never panic, agree on
// whether there is a finding, and every finding is a valid wire message
// whose excerpt is UTF-8 and whose score is a probability.
func FuzzEngine(f *testing.F) {
	for _, s := range []struct{ text, link string }{
		{"hi there", ""},
		{"add me on telegram @demo_user for the menu", ""},
		{"snap: sample_handle  wickr example_1 $$ trades", "https://t.me/demo_user"},
		{"t.me/example_x t.me/example_x t.me/example_x", "t.me/example_x"},
		{"\xff\xfe\x00 @\u200b\u202edemo_ \U0001F600", ""},
		{strings.Repeat("@a ", 300), ""},
		{"+1 (555) 010-0000 wa.me/15550100000", "wa.me/15550100000"},
	} {
		f.Add(s.text, s.link)
	}
	e, err := Load("", "")
	if err != nil {
		f.Fatal(err)
	}
	e = e.withClock(testClock)
	f.Fuzz(func(t *testing.T, text, link string) {
		p := &wire.Post{ID: "fuzz", Source: "fuzz", Text: text}
		if link != "" {
			p.Links = []string{link}
		}
		a := e.Analyze(p)
		if a == nil {
			t.Fatal("Analyze returned nil")
		}
		if math.IsNaN(a.Score) || a.Score < 0 || a.Score > 1 {
			t.Fatalf("score %v out of [0,1] on %q", a.Score, text)
		}
		fd := e.Detect(p)
		if (fd != nil) != a.Finding {
			t.Fatalf("Detect found %v, Analyze %v on %q", fd != nil, a.Finding, text)
		}
		if fd == nil {
			return
		}
		if err := fd.Validate(); err != nil {
			t.Fatalf("invalid finding on %q: %v", text, err)
		}
		if !utf8.ValidString(fd.Excerpt.Text) {
			t.Fatalf("excerpt is not UTF-8 on %q", text)
		}
	})
}
