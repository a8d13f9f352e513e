package links

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/handlewatch/handlewatch/sink/cases"
)

// SVG sizes.
const (
	svgWidth  = 520
	svgHeight = 360
	// MaxSVGLinks bounds the nodes drawn; the JSON has them all.
	MaxSVGLinks = 16
)

var statusFill = map[cases.Status]string{
	cases.StatusNew: "#f2c94c", cases.StatusEscalated: "#f2994a", cases.StatusConfirmed: "#eb5757",
	cases.StatusDismissed: "#bdbdbd", cases.StatusCleared: "#6fcf97",
}

var kindStroke = map[Kind]string{
	KindHandle: "#2f80ed", KindAuthor: "#9b51e0", KindProfile: "#219653", KindInvite: "#f2994a", KindPost: "#828282",
}

// SVG draws the graph: the case in the middle, its links around it, one
// line per link coloured by its strongest kind and labelled with every
// kind. It uses presentation attributes only (no style, no script), so it
// renders under the API's default-src 'none' policy, and every text is
// escaped.
func SVG(g Graph) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		svgWidth, svgHeight, svgWidth, svgHeight, esc("cases linked to "+g.Case.CaseID))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(fmt.Sprintf("%d cases linked to %s:%s", len(g.Links), g.Case.App, g.Case.Handle)))
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>`)
	cx, cy := float64(svgWidth)/2, float64(svgHeight)/2
	links := g.Links
	if len(links) > MaxSVGLinks {
		links = links[:MaxSVGLinks]
	}
	r := 130.0
	type pos struct{ x, y float64 }
	ps := make([]pos, len(links))
	for i := range links {
		a := 2*math.Pi*float64(i)/float64(max(1, len(links))) - math.Pi/2
		ps[i] = pos{cx + r*math.Cos(a)*1.45, cy + r*math.Sin(a)}
	}
	for i, l := range links {
		kinds := make([]string, 0, len(l.Via))
		for _, v := range l.Via {
			if !contains(kinds, string(v.Kind)) {
				kinds = append(kinds, string(v.Kind))
			}
		}
		width := 1 + len(l.Via)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%d"><title>%s</title></line>`,
			cx, cy, ps[i].x, ps[i].y, kindStroke[l.Via[0].Kind], min(width, 6), esc(viaText(l.Via)))
		mx, my := (cx+ps[i].x)/2, (cy+ps[i].y)/2
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="9" fill="#555555" text-anchor="middle">%s</text>`,
			mx, my-3, esc(strings.Join(kinds, "+")))
	}
	for i, l := range links {
		node(&b, l.Node, ps[i].x, ps[i].y, 9)
	}
	node(&b, g.Case, cx, cy, 14)
	if more := len(g.Links) - len(links); more > 0 {
		fmt.Fprintf(&b, `<text x="8" y="%d" font-family="sans-serif" font-size="10" fill="#333333">%s</text>`,
			svgHeight-8, esc(fmt.Sprintf("and %d more (see the JSON)", more)))
	}
	if len(g.Links) == 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="11" fill="#333333" text-anchor="middle">no linked cases</text>`,
			cx, cy+34)
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func node(b *bytes.Buffer, n Node, x, y, r float64) {
	fill := statusFill[n.Status]
	if fill == "" {
		fill = "#e0e0e0"
	}
	label := n.App + ":" + n.Handle
	if len([]rune(label)) > 26 {
		label = string([]rune(label)[:25]) + "…"
	}
	fmt.Fprintf(b, `<g><title>%s</title><circle cx="%.1f" cy="%.1f" r="%.0f" fill="%s" stroke="#333333" stroke-width="1"/>`,
		esc(fmt.Sprintf("%s (%s, %d sightings; sources: %s)", n.CaseID, n.Status, n.Sightings, strings.Join(n.Sources, ", "))),
		x, y, r, fill)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="10" fill="#111111" text-anchor="middle">%s</text></g>`,
		x, y+r+11, esc(label))
}

func viaText(v []Via) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = string(x.Kind) + ": " + x.Value
	}
	return strings.Join(parts, "; ")
}

// esc makes s safe as XML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
