package foldgen

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.mau.fi/util/confusable"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Flag bits of a table entry; they must match package normalize.
const (
	// FlagBlock marks a letter of a script that Latin look-alikes are taken
	// from (Latin, Greek, Cyrillic …) that has no ASCII reading: a word
	// containing it is a real word of that script, so its look-alike letters
	// are not folded to ASCII.
	FlagBlock = 1
)

// Entry is the fold of one code point.
type Entry struct {
	Rune  rune
	Plain string // NFKD, case folded, marks and ignorables removed
	ASCII string // what a reader sees in it, as ASCII; "" when nothing
	Flags uint8
}

// Range is an inclusive code point range.
type Range struct{ Lo, Hi rune }

// Table is the whole generated data.
type Table struct {
	Drop    []Range // removed before matching
	Space   []Range // read as a space
	Entries []Entry // everything else that is not the identity, by Rune
}

var folder = cases.Fold()

// DefaultIgnorable reports whether r is a Default_Ignorable_Code_Point,
// derived as UAX #44 does from the properties the standard library ships:
// Other_Default_Ignorable_Code_Point ∪ Cf ∪ Variation_Selector − White_Space
// − Prepended_Concatenation_Mark (the derivation also removes a few format
// characters of scripts that need them visibly, U+FFF9..FFFB, and
// U+13430..1343F; we remove them too, since for matching they carry no
// letters).
func DefaultIgnorable(r rune) bool {
	if unicode.Is(unicode.White_Space, r) || unicode.Is(unicode.Prepended_Concatenation_Mark, r) {
		return false
	}
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

func drops(r rune) bool {
	return DefaultIgnorable(r) || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cc)
}

func assigned(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S,
		unicode.Z, unicode.Cc, unicode.Cf, unicode.Co) || DefaultIgnorable(r)
}

func isHangulSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// plainString is NFKD, case fold, NFKD again, marks and ignorables removed,
// repeated until it stops changing. x/text folds Cherokee capitals to small
// letters and the small letters back to capitals, so where the steps cycle
// the smallest string of the cycle stands for all of it: Ꮺ and ꮺ fold to the
// same thing, and folding that again changes nothing.
func plainString(s string) string {
	step := func(s string) string {
		t := norm.NFKD.String(s)
		t = folder.String(t)
		t = norm.NFKD.String(t)
		var b strings.Builder
		for _, r := range t {
			switch {
			case drops(r):
			case unicode.Is(unicode.White_Space, r):
				b.WriteByte(' ')
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	var seen []string
	for cur := step(s); ; cur = step(cur) {
		if i := slices.Index(seen, cur); i >= 0 {
			return slices.Min(seen[i:])
		}
		seen = append(seen, cur)
	}
}

// digitValue returns the value of a decimal digit (Nd). Unicode encodes
// every Nd set as ten contiguous code points from zero to nine, and the
// standard library's ranges only merge whole sets, so the offset in the
// range modulo ten is the value.
func digitValue(r rune) (int, bool) {
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) && rg.Stride == 1 {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) && rg.Stride == 1 {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func onlyLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

func onlyPunct(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return false
		}
	}
	return s != ""
}

// resolve returns the ASCII reading of a non-ASCII code point found in a
// plain string or a confusables target, or "".
func resolve(q rune, depth int) string {
	if s, ok := supplement[q]; ok {
		return s
	}
	if d, ok := digitValue(q); ok {
		return string(rune('0' + d))
	}
	if depth > 3 {
		return ""
	}
	c := confusable.GetReplacement(q)
	if c == "" {
		return ""
	}
	return asciiOfString(plainString(c), depth+1)
}

func asciiOfString(s string, depth int) string {
	var b strings.Builder
	for _, q := range s {
		if q < utf8.RuneSelf {
			b.WriteRune(q)
			continue
		}
		a := resolve(q, depth)
		if a == "" {
			return ""
		}
		b.WriteString(a)
	}
	return strings.ToLower(b.String())
}

var lookalikeScripts = []*unicode.RangeTable{
	unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Armenian,
	unicode.Cherokee, unicode.Coptic, unicode.Georgian, unicode.Glagolitic,
}

// Fold computes the entry of one code point; ok is false for the identity.
func Fold(r rune) (e Entry, ok bool) {
	e.Rune = r
	if s, found := supplement[r]; found {
		// A look-alike letter keeps its own script in the plain form, so
		// that real words of that script stay readable; a symbol (🅦, 🇼, ⒲,
		// →) has no other reading than the supplement's.
		e.Plain, e.ASCII = plainString(string(r)), s
		first, _ := utf8.DecodeRuneInString(e.Plain)
		if first < utf8.RuneSelf || !unicode.IsLetter(first) || !unicode.In(first, lookalikeScripts...) {
			e.Plain = s
		}
		return e, true
	}
	if isHangulSyllable(r) {
		return e, false
	}
	e.Plain = supplementInside(plainString(string(r)))
	switch {
	case isASCII(e.Plain):
		// NFKC and case folding are authoritative: ｗ, 𝐰, ⓦ, ™ …
		e.ASCII = e.Plain
	case unicode.Is(unicode.Nd, r):
		d, _ := digitValue(r)
		e.ASCII = string(rune('0' + d))
	default:
		a := asciiOfString(e.Plain, 0)
		// The first rune that is not a space says what kind of thing this
		// is (ͺ decomposes to a space and a combining ι).
		first, _ := utf8.DecodeRuneInString(strings.TrimLeft(e.Plain, " "))
		switch {
		case a == "":
		case unicode.IsLetter(first):
			// A look-alike letter reads as letters only: Cyrillic з is not
			// the digit 3 in a word, and UTS #39's m → "rn" is a skeleton
			// trick, not a reading. Letters of scripts that do not pass for
			// Latin in practice (Arabic ا is "l" to UTS #39) keep their own.
			a = strings.ReplaceAll(a, "rn", "m")
			if onlyLetters(strings.TrimLeft(a, " ")) && unicode.In(first, lookalikeScripts...) {
				e.ASCII = a
			}
		case unicode.IsNumber(first):
			e.ASCII = a
		case unicode.IsPunct(first) || unicode.IsSymbol(first):
			if onlyPunct(a) {
				e.ASCII = a
			}
		}
	}
	if e.ASCII == "" {
		first, _ := utf8.DecodeRuneInString(e.Plain)
		if unicode.IsLetter(first) && unicode.In(first, lookalikeScripts...) {
			e.Flags |= FlagBlock
		}
	}
	ok = e.Plain != string(r) || e.ASCII != "" || e.Flags != 0
	return e, ok
}

// supplementInside applies the supplement to the symbols a decomposition
// produced (ŀ decomposes to "l·", and · reads as '.'), so that folding a
// folded text changes nothing more.
func supplementInside(s string) string {
	var b strings.Builder
	for _, q := range s {
		if sup, ok := supplement[q]; ok {
			if first, _ := utf8.DecodeRuneInString(plainString(string(q))); !unicode.IsLetter(first) {
				b.WriteString(sup)
				continue
			}
		}
		b.WriteRune(q)
	}
	return b.String()
}

// Build computes the whole table.
func Build() Table {
	var t Table
	add := func(rs *[]Range, r rune) {
		if n := len(*rs); n > 0 && (*rs)[n-1].Hi == r-1 {
			(*rs)[n-1].Hi = r
			return
		}
		*rs = append(*rs, Range{r, r})
	}
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if _, sup := supplement[r]; !sup {
			switch {
			case unicode.Is(unicode.White_Space, r):
				add(&t.Space, r)
				continue
			case drops(r) && (DefaultIgnorable(r) || plainString(string(r)) == ""):
				// A mark that case folding turns into a letter (U+0345
				// ypogegrammeni → ι) is not dropped.
				add(&t.Drop, r)
				continue
			case !assigned(r):
				continue
			}
		}
		e, ok := Fold(r)
		if !ok {
			continue
		}
		if strings.Trim(e.Plain, " ") == "" {
			add(&t.Space, r)
			continue
		}
		t.Entries = append(t.Entries, e)
	}
	return t
}

// Generate renders the table as the Go source of package normalize.
func Generate() ([]byte, error) {
	t := Build()
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by go generate; DO NOT EDIT.
// Source: detector/normalize/internal/foldgen (run: go generate ./detector/normalize).
// Data: golang.org/x/text/unicode/norm and cases (Unicode %s), Go's unicode
// package (Unicode %s), go.mau.fi/util/confusable (UTS #39 confusables),
// and the hand-written supplement in internal/foldgen/supplement.go.

package normalize

// tableUnicodeVersion is the Unicode version of the decomposition and case
// data the table was generated from.
const tableUnicodeVersion = %q

`, norm.Version, unicode.Version, norm.Version)
	writeRanges := func(name, doc string, rs []Range) {
		fmt.Fprintf(&b, "// %s\nvar %s = [...]runeRange{\n", doc, name)
		for _, r := range rs {
			fmt.Fprintf(&b, "\t{0x%04X, 0x%04X},\n", r.Lo, r.Hi)
		}
		b.WriteString("}\n\n")
	}
	writeRanges("dropRanges", "dropRanges are removed: default-ignorable code points, nonspacing and enclosing marks, C1 controls.", t.Drop)
	writeRanges("spaceRanges", "spaceRanges read as a space.", t.Space)
	b.WriteString("// foldEntries are the folds of every other code point that is not the identity, by rune.\nvar foldEntries = [...]foldEntry{\n")
	for _, e := range t.Entries {
		fmt.Fprintf(&b, "\t{0x%04X, %q, %q, %d},\n", e.Rune, e.Plain, e.ASCII, e.Flags)
	}
	b.WriteString("}\n")
	if !slices.IsSortedFunc(t.Entries, func(a, b Entry) int { return int(a.Rune - b.Rune) }) {
		return nil, fmt.Errorf("entries not sorted")
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated table: %w", err)
	}
	return src, nil
}
