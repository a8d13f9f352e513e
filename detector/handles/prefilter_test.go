package handles

import (
	"strings"
	"testing"
)

// TestLinkAnchorsBesidePunct holds up WordMayMatch's linkOnly promise: in
// every link form the anchor label has a LinkPunct byte beside it, and a
// lexicon word with neither an app nor a phrase has link forms (or is the
// "t" of a Telegram subdomain).
func TestLinkAnchorsBesidePunct(t *testing.T) {
	for anchor, forms := range linkForms {
		for _, f := range forms {
			if f.prefix[f.anchorAt:f.anchorAt+len(anchor)] != anchor {
				t.Fatalf("%s: anchor %q not at %d", f.prefix, anchor, f.anchorAt)
			}
			before := f.anchorAt > 0 && strings.IndexByte(LinkPunct, f.prefix[f.anchorAt-1]) >= 0
			end := f.anchorAt + len(anchor)
			after := end < len(f.prefix) && strings.IndexByte(LinkPunct, f.prefix[end]) >= 0
			if !before && !after {
				t.Errorf("%s: anchor %q has no link punctuation beside it", f.prefix, anchor)
			}
		}
	}
	x := NewExtractor()
	for w, entry := range lexicon {
		may, linkOnly := x.WordMayMatch(w)
		if !may {
			t.Errorf("%q: a lexicon word must pass", w)
		}
		if linkOnly && entry.forms == nil && w != "t" {
			t.Errorf("%q: link only, but it has no link form", w)
		}
	}
	for _, w := range []string{"there", "weather", "today"} {
		if may, _ := x.WordMayMatch(w); may {
			t.Errorf("%q may match: the gate is too loose for the prefilter to help", w)
		}
	}
}

// TestTriggerKeysCoverLexicon: every lexicon word's first four bytes are a
// trigger key, and MayStartAt agrees with the scan on it.
func TestTriggerKeysCoverLexicon(t *testing.T) {
	x := NewExtractor()
	keys := map[uint32]bool{}
	for _, k := range x.TriggerKeys() {
		keys[k] = true
	}
	for w := range lexicon {
		if !keys[prefixWord(w, 0)] {
			t.Errorf("%q: no trigger key", w)
		}
		if !x.MayStartAt(w, 0) {
			t.Errorf("%q: MayStartAt false", w)
		}
	}
}
