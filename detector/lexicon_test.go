package detector

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestLexiconExact checks scan against brute force: every occurrence of
// every term, overlapping ones included, although the automaton's FindAll
// reports only the earliest-ending match and skips past it.
func TestLexiconExact(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 400; iter++ {
		seen := map[string]bool{}
		var terms []Term
		for len(terms) < 2+r.Intn(8) {
			b := make([]byte, 2+r.Intn(3))
			for i := range b {
				b[i] = "abc"[r.Intn(3)]
			}
			if !seen[string(b)] {
				seen[string(b)] = true
				terms = append(terms, Term{Text: string(b), Line: 1})
			}
		}
		rs := &RuleSet{Path: "t", Rules: []Rule{{ID: "r.one", Category: "c", Weight: 0.5, Mode: wire.ModeAlert, Boundary: BoundaryNone, Terms: terms}}}
		lx, err := buildLexicon(rs)
		if err != nil {
			t.Fatal(err)
		}
		h := make([]byte, 1+r.Intn(40))
		for i := range h {
			h[i] = "abcx"[r.Intn(4)]
		}
		var got []string
		for _, x := range lx.scan(string(h), nil) {
			got = append(got, fmt.Sprintf("%s@%d", lx.patterns[x.pattern], x.start))
		}
		var want []string
		for _, tm := range terms {
			for i := 0; i+len(tm.Text) <= len(h); i++ {
				if string(h[i:i+len(tm.Text)]) == tm.Text {
					want = append(want, fmt.Sprintf("%s@%d", tm.Text, i))
				}
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("text %q terms %v\n got %v\nwant %v", h, terms, got, want)
		}
	}
}

func TestBoundaries(t *testing.T) {
	cases := []struct {
		text     string
		start    int
		end      int
		boundary Boundary
		ok       bool
	}{
		{"sell it", 0, 4, BoundaryWord, true},
		{"selling", 0, 4, BoundaryWord, false},
		{"selling", 0, 4, BoundaryPrefix, true},
		{"resell", 2, 6, BoundaryPrefix, false},
		{"resell", 2, 6, BoundarySuffix, true},
		{"resells", 2, 6, BoundaryNone, true},
		{"a cp.", 2, 4, BoundaryWord, true},
		{"scp", 1, 3, BoundaryWord, false},
		{"x18+y", 1, 4, BoundaryWord, false},      // "1" follows a word character
		{"age 18+only", 4, 7, BoundaryWord, true}, // "+" edge needs no boundary
		{"ёлка", 0, 2, BoundaryWord, false},       // Cyrillic letters are word runes
		{"цп!", 0, 4, BoundaryWord, true},
		{"my_handle", 0, 2, BoundaryWord, false}, // '_' is a word rune
	}
	for _, tc := range cases {
		if got := boundaryOK(tc.text, tc.start, tc.end, tc.boundary); got != tc.ok {
			t.Errorf("boundaryOK(%q, %d, %d, %d) = %v, want %v", tc.text, tc.start, tc.end, tc.boundary, got, tc.ok)
		}
	}
}

func TestExceptPhrases(t *testing.T) {
	rs := &RuleSet{Path: "t", Rules: []Rule{{ID: "m.young", Category: "minor", Weight: 0.5, Mode: wire.ModeAlert,
		Terms: []Term{{Text: "young", Line: 1}}, Except: []Term{{Text: "young players", Line: 2}}}}}
	lx, err := buildLexicon(rs)
	if err != nil {
		t.Fatal(err)
	}
	hs := lx.scan("young players and young pack", nil)
	if len(hs) != 1 || hs[0].start != 18 {
		t.Fatalf("hits %+v, want only the second young", hs)
	}
}

func TestObfuscated(t *testing.T) {
	cases := []struct {
		orig    string
		scripts scriptMask
		leet    bool
		want    bool
	}{
		{"wickr", scriptLatin, true, false},
		{"Wickr", scriptLatin, true, false},
		{"ｗｉｃｋｒ", scriptLatin, true, true},
		{"𝐰𝐢𝐜𝐤𝐫", scriptLatin, true, true},
		{"wіckr", scriptLatin, true, true}, // Cyrillic і
		{"w\u200bickr", scriptLatin, true, true},
		{"w1ckr", scriptLatin, true, true},
		{"sn@p", scriptLatin, true, true},
		{"$nap", scriptLatin, true, true},
		{"13yo", scriptLatin, false, false},
		{"w i c k r", scriptLatin, true, true},
		{"w.i.c.k.r", scriptLatin, true, true},
		{"dm me", scriptLatin, true, false},
		{"colección", scriptLatin, true, false}, // diacritics are honest
		{"продаю", scriptCyrillic, true, false},
		{"ᴡɪᴄᴋʀ", scriptLatin, true, true},
		{"🅦🅘🅒🅚🅡", scriptLatin, true, true},
		{"\u0455\u0435\u0455\u0455\u0456\u043en", scriptLatin, true, true}, // all-Cyrillic look-alike "session"
		{"kik\u03bf", scriptLatin, true, true},                             // Greek omicron
		// A Russian speaker naming the app in Cyrillic is not disguising it.
		{"телеграм", scriptLatin, true, false},
		{"пиши в вотсап", scriptLatin, true, false},
		{"вайбер", scriptLatin, true, false},
	}
	for _, tc := range cases {
		if got := obfuscated(tc.orig, tc.scripts, tc.leet, true); got != tc.want {
			t.Errorf("obfuscated(%q) = %v, want %v", tc.orig, got, tc.want)
		}
	}
}
