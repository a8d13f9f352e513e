package detector

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"

	"github.com/handlewatch/handlewatch/detector/normalize"
)

// lexicon is every literal of the rule file in one Aho-Corasick automaton
// over normalised text: one prefilter pass per post, whatever the number of
// rules.
//
// coregx/ahocorasick's FindAll reports the match that ends first and
// restarts after it, so a longer term that overlaps a shorter one ("dm" in
// "dm me") is never reported by it. scan therefore restarts one byte after
// each hit's start and checks the terms that contain the hit ("containers"),
// which yields every occurrence of every term exactly (see TestLexiconExact).
// Only FindAll(h, 1) is called: IsMatch and Find are slow with many
// patterns (research/perf-anchors.md).
type lexicon struct {
	ac         *ahocorasick.Automaton
	patterns   []string
	refs       [][]termRef        // per pattern: the rules using it
	containers [][]container      // per pattern: longer patterns that contain it
	scripts    []scriptMask       // per pattern: scripts of the terms as written
	stems      map[string][]int32 // Snowball stem -> one-word patterns with that stem
}

type termRef struct {
	rule     int32
	boundary Boundary
	except   bool // an except phrase of the rule, not a term
}

type container struct {
	pattern int32
	offset  int32 // where the contained pattern starts inside it
}

// hit is one rule occurrence, in normalised-text bytes.
type hit struct {
	rule       int32
	pattern    int32 // -1 for regex and built-in hits
	start, end int32
	except     bool // an except phrase: removes the rule's hits inside it
}

// scriptMask records the scripts a term is written in, so that a Latin
// term matched on Cyrillic letters is recognisably a homoglyph.
type scriptMask uint8

const (
	scriptLatin scriptMask = 1 << iota
	scriptCyrillic
	scriptGreek
	scriptOther
)

func scriptsOf(s string) scriptMask {
	var m scriptMask
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				m |= scriptLatin
			}
		case unicode.Is(unicode.Latin, r):
			m |= scriptLatin
		case unicode.Is(unicode.Cyrillic, r):
			m |= scriptCyrillic
		case unicode.Is(unicode.Greek, r):
			m |= scriptGreek
		case unicode.IsLetter(r):
			m |= scriptOther
		}
	}
	return m
}

// buildLexicon normalises every term with the same normaliser the posts go
// through, so the lexicon and the text are folded alike.
func buildLexicon(rs *RuleSet) (*lexicon, error) {
	lx := &lexicon{}
	index := map[string]int{}
	var t normalize.Text
	n := normalize.NewNormalizer()
	add := func(r *Rule, ri int, term Term, except bool) error {
		n.Normalize(&t, term.Text)
		norm := strings.Clone(t.Norm)
		if len(norm) < 2 {
			return &LineError{rs.Path, term.Line, fmt.Sprintf("rule %s: term %q is shorter than 2 bytes once normalised (%q)", r.ID, term.Text, norm)}
		}
		pi, ok := index[norm]
		if !ok {
			pi = len(lx.patterns)
			index[norm] = pi
			lx.patterns = append(lx.patterns, norm)
			lx.refs = append(lx.refs, nil)
			lx.scripts = append(lx.scripts, 0)
		}
		lx.scripts[pi] |= scriptsOf(term.Text)
		ref := termRef{rule: int32(ri), boundary: r.Boundary, except: except}
		if except {
			ref.boundary = BoundaryWord
		}
		if !slices.Contains(lx.refs[pi], ref) {
			lx.refs[pi] = append(lx.refs[pi], ref)
		}
		return nil
	}
	for ri := range rs.Rules {
		r := &rs.Rules[ri]
		for _, term := range r.Terms {
			if err := add(r, ri, term, false); err != nil {
				return nil, err
			}
		}
		for _, term := range r.Except {
			if err := add(r, ri, term, true); err != nil {
				return nil, err
			}
		}
	}
	if len(lx.patterns) == 0 {
		return lx, nil
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(lx.patterns).Build()
	if err != nil {
		return nil, fmt.Errorf("building the term automaton: %w", err)
	}
	lx.ac = ac
	lx.indexStems(rs)
	lx.containers = make([][]container, len(lx.patterns))
	for j, q := range lx.patterns {
		for k := 0; k < len(q); k++ {
			for l := k + 1; l <= len(q); l++ {
				if k == 0 && l == len(q) {
					continue
				}
				if i, ok := index[q[k:l]]; ok {
					lx.containers[i] = append(lx.containers[i], container{pattern: int32(j), offset: int32(k)})
				}
			}
		}
	}
	return lx, nil
}

// scan appends every occurrence of every term of norm that passes its
// boundary check, sorted by start, without duplicates.
func (lx *lexicon) scan(norm string, dst []hit) []hit {
	if lx.ac == nil || len(norm) == 0 {
		return dst
	}
	h := unsafeBytes(norm)
	base := len(dst)
	for pos := 0; pos < len(h); {
		ms := lx.ac.FindAll(h[pos:], 1)
		if len(ms) == 0 {
			break
		}
		m := ms[0]
		s := pos + m.Start
		dst = lx.emit(norm, dst, int32(m.PatternID), s)
		for _, c := range lx.containers[m.PatternID] {
			st := s - int(c.offset)
			q := lx.patterns[c.pattern]
			if st >= 0 && st+len(q) <= len(norm) && norm[st:st+len(q)] == q {
				dst = lx.emit(norm, dst, c.pattern, st)
			}
		}
		pos = s + 1
	}
	found := dst[base:]
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if a.end != b.end {
			return a.end < b.end
		}
		return a.rule < b.rule
	})
	out := base
	excepts := false
	for i := base; i < len(dst); i++ {
		if out > base && dst[out-1] == dst[i] {
			continue
		}
		excepts = excepts || dst[i].except
		dst[out] = dst[i]
		out++
	}
	dst = dst[:out]
	if excepts {
		dst = applyExcepts(dst, base)
	}
	return dst
}

// applyExcepts drops every hit that lies inside an except phrase of its
// own rule, and the except hits themselves.
func applyExcepts(hs []hit, base int) []hit {
	out := base
	for i := base; i < len(hs); i++ {
		h := hs[i]
		if h.except {
			continue
		}
		covered := false
		for _, x := range hs[base:] {
			if x.except && x.rule == h.rule && x.start <= h.start && h.end <= x.end {
				covered = true
				break
			}
		}
		if !covered {
			hs[out] = h
			out++
		}
	}
	return hs[:out]
}

func (lx *lexicon) emit(norm string, dst []hit, pattern int32, start int) []hit {
	end := start + len(lx.patterns[pattern])
	for _, ref := range lx.refs[pattern] {
		if boundaryOK(norm, start, end, ref.boundary) {
			dst = append(dst, hit{rule: ref.rule, pattern: pattern, start: int32(start), end: int32(end), except: ref.except})
		}
	}
	return dst
}

// boundaryOK checks the word boundaries a term asks for. An edge that is
// not itself a word character ("18+", an emoji) needs no boundary.
func boundaryOK(s string, start, end int, b Boundary) bool {
	if b == BoundaryNone {
		return true
	}
	if b != BoundarySuffix && start > 0 {
		first, _ := utf8.DecodeRuneInString(s[start:end])
		prev, _ := utf8.DecodeLastRuneInString(s[:start])
		if isWordRune(first) && isWordRune(prev) {
			return false
		}
	}
	if b != BoundaryPrefix && end < len(s) {
		last, _ := utf8.DecodeLastRuneInString(s[start:end])
		next, _ := utf8.DecodeRuneInString(s[end:])
		if isWordRune(last) && isWordRune(next) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
