package source

import (
	"bytes"
	"errors"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ErrFlattened comes with a document that x/net/html refused for being
// nested deeper than 512 elements and that was read flattened instead:
// the elements past a depth were left out, their text kept. It is worth
// one warning, not a failure: the posts on such a page are still read.
var ErrFlattened = errors.New("markup nested deeper than 512 elements: read flattened, the elements past the depth bound left out and their text kept")

// flattenDepths are the depths tried in turn when the parser refuses a
// document: well under its 512, since it also counts the elements it
// implies (tbody, tr, td for each table, reopened formatting elements).
var flattenDepths = []int{128, 16}

// ParseHTML parses a page as html.Parse does. A page nested too deep for
// the parser is read through FlattenHTML, and the document comes with
// ErrFlattened; any other error comes with a nil document.
func ParseHTML(body []byte) (*html.Node, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err == nil {
		return doc, nil
	}
	for _, d := range flattenDepths {
		if doc, ferr := html.Parse(bytes.NewReader(FlattenHTML(body, d))); ferr == nil {
			return doc, ErrFlattened
		}
	}
	return nil, err
}

// parseFragment is html.ParseFragment in a <div>, flattened as ParseHTML
// flattens when the parser refuses the nesting.
func parseFragment(fragment string) ([]*html.Node, error) {
	ctx := func() *html.Node { return &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div} }
	nodes, err := html.ParseFragment(strings.NewReader(fragment), ctx())
	if err == nil {
		return nodes, nil
	}
	for _, d := range flattenDepths {
		if nodes, ferr := html.ParseFragment(bytes.NewReader(FlattenHTML([]byte(fragment), d)), ctx()); ferr == nil {
			return nodes, ErrFlattened
		}
	}
	return nil, err
}

// FlattenHTML is b with the elements in the middle of too deep a nesting
// left out (their start and end tags; text and comments stay): an
// element is kept when it opens at most depth/2 deep or holds at most
// depth/2 levels below it, so the page's outer frame and the posts near
// the leaves keep their structure, and the wrappers between them go. No
// path from the root keeps more than depth elements. Nesting is counted
// from the tags as written (void elements and self-closing tags not
// counted, an end tag closing the innermost open element): an
// approximation of the parser's tree.
func FlattenHTML(b []byte, depth int) []byte {
	half := depth / 2
	// The first pass measures each element's height: the levels of
	// nesting at and below it.
	var heights []int // by start tag, in order
	var stack []int   // open elements, by start tag
	closeTop := func() {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			heights[parent] = max(heights[parent], heights[i]+1)
		}
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		switch {
		case tt == html.StartTagToken && !voidTag(z):
			stack = append(stack, len(heights))
			heights = append(heights, 1)
		case tt == html.EndTagToken && len(stack) > 0:
			closeTop()
		}
	}
	for len(stack) > 0 {
		closeTop()
	}
	// The second pass writes the tokens of the elements kept.
	out := bytes.NewBuffer(make([]byte, 0, len(b)))
	var kept []bool // of the open elements
	n := 0
	z = html.NewTokenizer(bytes.NewReader(b))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		switch {
		case tt == html.StartTagToken && !voidTag(z):
			keep := len(kept) < half || heights[n] <= half
			kept = append(kept, keep)
			n++
			if !keep {
				continue
			}
		case tt == html.EndTagToken && len(kept) > 0:
			keep := kept[len(kept)-1]
			kept = kept[:len(kept)-1]
			if !keep {
				continue
			}
		}
		out.Write(z.Raw())
	}
	return out.Bytes()
}

// voidTag reports whether the start tag just read has no end tag.
func voidTag(z *html.Tokenizer) bool {
	name, _ := z.TagName()
	return voidElement(atom.Lookup(name))
}

// voidElement reports the elements that have no end tag.
func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
