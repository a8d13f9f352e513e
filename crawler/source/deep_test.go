package source

import (
	"errors"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestParseHTMLTooDeep: markup nested past the parser's 512 elements is
// read flattened, its text kept, with ErrFlattened; shallow markup parses
// as before, without it.
func TestParseHTMLTooDeep(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "bottom text wickr: placeholder_01" + strings.Repeat(close, n)
	}
	for _, tc := range []struct {
		name      string
		body      string
		flattened bool
	}{
		{"shallow", "<html><body>" + deep("<div>", "</div>", 100) + "</body></html>", false},
		{"divs", "<html><body>" + deep("<div>", "</div>", 600) + "<p>after</p></body></html>", true},
		{"unclosed spans", "<body>" + deep("<span>", "", 5000), true},
		{"tables", "<body>" + deep("<table><tr><td>", "</td></tr></table>", 300), true},
		{"formatting", "<body>" + deep("<b><i>", "", 2000), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := ParseHTML([]byte(tc.body))
			if tc.flattened != errors.Is(err, ErrFlattened) || (err != nil && !errors.Is(err, ErrFlattened)) {
				t.Fatalf("err = %v, flattened want %v", err, tc.flattened)
			}
			text := goquery.NewDocumentFromNode(root).Text()
			if !strings.Contains(text, "bottom text wickr: placeholder_01") {
				t.Errorf("text lost: %.200q", text)
			}
			e := ReduceHTML(tc.body, HTMLOptions{})
			if !strings.Contains(e.Text, "placeholder_01") || strings.Contains(e.Text, "<") {
				t.Errorf("ReduceHTML: %.200q", e.Text)
			}
		})
	}
}

func TestFlattenHTML(t *testing.T) {
	for _, tc := range []struct {
		in    string
		depth int
		want  string
	}{
		{"<a><b><c>x</c></b></a>", 2, "<a><c>x</c></a>"},                      // the frame and the leaf stay
		{"<a><b><c><d>x</d></c></b></a>", 4, "<a><b><c><d>x</d></c></b></a>"}, // shallow enough
		{"<a><b><c><d><e>x</e></d></c></b></a>", 4, "<a><b><d><e>x</e></d></b></a>"},
		{"<a><br><img src=x><b>y</b></a>", 0, "<br><img src=x>y"},
		{"<a>&amp;<!-- c --></a>", 0, "&amp;<!-- c -->"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(FlattenHTML([]byte(tc.in), tc.depth)); got != tc.want {
				t.Errorf("FlattenHTML(%q, %d) = %q, want %q", tc.in, tc.depth, got, tc.want)
			}
		})
	}
}
