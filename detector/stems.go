package detector

import (
	"sort"
	"unicode/utf8"
)

// minStem is the shortest stem matched: shorter stems of different words
// collide across languages.
const minStem = 4

// indexStems records, for every one-word term of a positive rule without
// a regex (a negative rule's context words stay literal: "meldet" is not
// "gemeldet"),
// its Snowball stem in every language the detector reads, so that "Kindern"
// or "colecciones" hit the rule written as "kinder" or "coleccion".
func (lx *lexicon) indexStems(rs *RuleSet) {
	lx.stems = map[string][]int32{}
	for pi, p := range lx.patterns {
		if len(p) < minStem || !letterWord(p) {
			continue
		}
		ok := false
		for _, ref := range lx.refs[pi] {
			if r := &rs.Rules[ref.rule]; !ref.except && r.Weight > 0 && r.Regex == nil && r.Detect == "" {
				ok = true
			}
		}
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for _, l := range stemLangs {
			s := stem(l, p)
			if len(s) < minStem || seen[s] {
				continue
			}
			seen[s] = true
			lx.stems[s] = append(lx.stems[s], int32(pi))
		}
	}
}

// letterWord reports whether s is one word of letters only.
func letterWord(s string) bool {
	for _, r := range s {
		if !isTokenRune(r) || r >= '0' && r <= '9' {
			return false
		}
	}
	return true
}

// stemHits adds a hit for every word of norm whose stem is the stem of a
// term, where that term did not already match literally. It runs only on
// posts with a handle candidate, so its cost stays off the hot path.
func (lx *lexicon) stemHits(rs *RuleSet, norm string, langs []string, dst []hit) []hit {
	if len(lx.stems) == 0 {
		return dst
	}
	base := len(dst)
	type word struct{ s, e int }
	var ws []word
	for i := 0; i < len(norm); {
		r, w := utf8.DecodeRuneInString(norm[i:])
		if !isTokenRune(r) {
			i += w
			continue
		}
		j := i + w
		for j < len(norm) {
			r2, w2 := utf8.DecodeRuneInString(norm[j:])
			if !isTokenRune(r2) {
				break
			}
			j += w2
		}
		if j-i >= minStem && letterWord(norm[i:j]) {
			ws = append(ws, word{i, j})
		}
		i = j
	}
	for _, w := range ws {
		tok := norm[w.s:w.e]
		for _, l := range langs {
			for _, pi := range lx.stems[stem(l, tok)] {
				if lx.patterns[pi] == tok {
					continue // the literal matcher had it, except phrases included
				}
				for _, ref := range lx.refs[pi] {
					if r := &rs.Rules[ref.rule]; ref.except || r.Weight < 0 || r.Regex != nil || covered(dst[:base], ref.rule, w.s, w.e) {
						continue
					}
					h := hit{rule: ref.rule, pattern: pi, start: int32(w.s), end: int32(w.e)}
					if !containsHit(dst[base:], h) {
						dst = append(dst, h)
					}
				}
			}
		}
	}
	if len(dst) > base {
		sort.SliceStable(dst, func(i, j int) bool { return dst[i].start < dst[j].start })
	}
	return dst
}

// covered reports whether rule already has a hit overlapping [s, e).
func covered(hs []hit, rule int32, s, e int) bool {
	for _, h := range hs {
		if h.rule == rule && int(h.start) < e && int(h.end) > s {
			return true
		}
	}
	return false
}
