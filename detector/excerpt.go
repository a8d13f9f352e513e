package detector

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// excerptGap joins the pieces of an excerpt cut from far-apart places.
const excerptGap = " … "

// excerpt is a bounded piece of a text made of segments of the original,
// so a moderator sees the evidence without the whole post.
type excerpt struct {
	text string
	segs []segment
}

// segment places text[lo:hi] at offset at of the excerpt.
type segment struct{ lo, hi, at int }

// rebase maps a span of the original text into the excerpt. A span cut by
// a segment's edge is clipped to it; one outside every segment becomes the
// empty span at 0.
func (x excerpt) rebase(s wire.Span) wire.Span {
	for _, g := range x.segs {
		if s.Start < g.hi && g.lo < s.End || s.Start == s.End && g.lo <= s.Start && s.Start <= g.hi {
			lo, hi := max(s.Start, g.lo), min(s.End, g.hi)
			return wire.Span{Start: g.at + lo - g.lo, End: g.at + hi - g.lo}
		}
	}
	return wire.Span{}
}

// makeExcerpt cuts at most about budget bytes of text around spans; the
// first nPrio spans (handles and positive signals) are the ones it must
// show. One window when they fit in it, else one piece per cluster of
// spans joined by " … ". Cuts fall on rune boundaries and, where one is
// close, on spaces.
func makeExcerpt(text string, spans []wire.Span, nPrio, budget int) excerpt {
	if len(text) <= budget {
		return excerpt{text: text, segs: []segment{{0, len(text), 0}}}
	}
	prio := spans[:nPrio]
	if len(prio) == 0 {
		prio = spans
	}
	if len(prio) == 0 {
		return window(text, 0, 0, budget)
	}
	lo, hi := prio[0].Start, prio[0].End
	for _, s := range prio[1:] {
		lo, hi = min(lo, s.Start), max(hi, s.End)
	}
	if hi-lo <= budget {
		return window(text, lo, hi, budget)
	}
	return pieces(text, prio, budget)
}

// window widens [lo,hi) to about budget bytes, evenly on both sides.
func window(text string, lo, hi, budget int) excerpt {
	slack := budget - (hi - lo)
	wlo, whi := lo-slack/2, hi+slack-slack/2
	if wlo < 0 {
		wlo, whi = 0, min(len(text), whi-wlo)
	}
	if whi > len(text) {
		wlo, whi = max(0, wlo-(whi-len(text))), len(text)
	}
	return assemble(text, []cut{{wlo, whi, lo, hi}})
}

// cut is a piece of the text to show, [lo,hi), of which [coreLo,coreHi)
// holds spans and must stay.
type cut struct{ lo, hi, coreLo, coreHi int }

// pieces shows each cluster of spans with some context, shrinking the
// context and then dropping the last clusters until the whole fits.
func pieces(text string, prio []wire.Span, budget int) excerpt {
	sorted := append([]wire.Span(nil), prio...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	for ctx := 60; ; ctx /= 2 {
		var iv []cut
		total := 0
		for _, s := range sorted {
			lo, hi := max(0, s.Start-ctx), min(len(text), s.End+ctx)
			if n := len(iv); n > 0 && lo <= iv[n-1].hi+len(excerptGap) {
				total += max(0, hi-iv[n-1].hi)
				iv[n-1].hi = max(iv[n-1].hi, hi)
				iv[n-1].coreHi = max(iv[n-1].coreHi, s.End)
				continue
			}
			if len(iv) > 0 {
				total += len(excerptGap)
			}
			total += hi - lo
			iv = append(iv, cut{lo, hi, s.Start, s.End})
		}
		if total <= budget || ctx == 0 {
			kept, used := iv[:0], 0
			for _, v := range iv {
				need := v.hi - v.lo
				if len(kept) > 0 {
					need += len(excerptGap)
				}
				if used+need > budget && len(kept) > 0 {
					break
				}
				if used+need > budget { // one span longer than the budget
					v.hi = v.lo + budget
					v.coreLo, v.coreHi = v.lo, v.hi
				}
				kept = append(kept, v)
				used += need
			}
			return assemble(text, kept)
		}
	}
}

// assemble joins the cuts, moving their edges onto rune boundaries (and
// onto a space within a few bytes, never into the core) and marking them
// "…".
func assemble(text string, iv []cut) excerpt {
	var b strings.Builder
	x := excerpt{}
	for i, v := range iv {
		lo, hi := v.lo, v.hi
		for lo < v.coreLo && !utf8.RuneStart(text[lo]) {
			lo++
		}
		for lo > 0 && lo < len(text) && !utf8.RuneStart(text[lo]) {
			lo--
		}
		for hi > v.coreHi && hi < len(text) && !utf8.RuneStart(text[hi]) {
			hi--
		}
		for hi < len(text) && !utf8.RuneStart(text[hi]) {
			hi++
		}
		lo, hi = snapToSpace(text, lo, hi, v.coreLo, v.coreHi)
		switch {
		case i > 0:
			b.WriteString(excerptGap)
		case lo > 0:
			b.WriteString("… ")
		}
		x.segs = append(x.segs, segment{lo: lo, hi: hi, at: b.Len()})
		b.WriteString(text[lo:hi])
		if i == len(iv)-1 && hi < len(text) {
			b.WriteString(" …")
		}
	}
	x.text = b.String()
	return x
}

// snapToSpace narrows a cut by up to 12 bytes so it does not split a
// word, without entering [coreLo,coreHi).
func snapToSpace(text string, lo, hi, coreLo, coreHi int) (int, int) {
	const reach = 12
	if lo > 0 && text[lo-1] != ' ' && text[lo-1] != '\n' {
		for i := lo; i < min(coreLo, lo+reach); i++ {
			if text[i] == ' ' || text[i] == '\n' {
				lo = i + 1
				break
			}
		}
	}
	if hi < len(text) && text[hi] != ' ' && text[hi] != '\n' {
		for i := hi - 1; i >= max(coreHi, hi-reach); i-- {
			if text[i] == ' ' || text[i] == '\n' {
				hi = i
				break
			}
		}
	}
	return lo, hi
}
