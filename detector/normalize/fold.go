package normalize

import (
	"unicode/utf8"
)

// runeRange is an inclusive code point range of the generated table.
type runeRange struct{ lo, hi rune }

// foldEntry is the generated fold of one code point.
type foldEntry struct {
	r     rune
	plain string // NFKD, case folded, marks and ignorables removed
	ascii string // the ASCII a reader sees in it; "" when none
	flags uint8
}

// flagBlock marks a letter of a look-alike script (Latin, Greek,
// Cyrillic …) with no ASCII reading. It must match foldgen.FlagBlock.
const flagBlock = 1

// Codes of the two-level lookup: 0 is the identity, then drop, space, and
// entry i as codeEntry+i.
const (
	codeIdentity = 0
	codeDrop     = 1
	codeSpace    = 2
	codeEntry    = 3
)

// foldBlocks is a two-level index over the generated table: one 256-rune
// block per high part of the code point, nil where the whole block is the
// identity. It costs two loads per non-ASCII rune.
var foldBlocks [(utf8.MaxRune + 1) >> 8]*[256]uint16

func init() {
	set := func(r rune, code uint16) {
		b := foldBlocks[r>>8]
		if b == nil {
			b = new([256]uint16)
			foldBlocks[r>>8] = b
		}
		b[r&0xFF] = code
	}
	for _, rg := range dropRanges {
		for r := rg.lo; r <= rg.hi; r++ {
			set(r, codeDrop)
		}
	}
	for _, rg := range spaceRanges {
		for r := rg.lo; r <= rg.hi; r++ {
			set(r, codeSpace)
		}
	}
	if len(foldEntries)+codeEntry > 0xFFFF {
		panic("normalize: fold table too large for its index")
	}
	for i := range foldEntries {
		set(foldEntries[i].r, uint16(codeEntry+i))
	}
}

// lookup returns the table code of a non-ASCII rune.
func lookup(r rune) uint16 {
	if uint32(r) > utf8.MaxRune {
		return codeIdentity
	}
	b := foldBlocks[r>>8]
	if b == nil {
		return codeIdentity
	}
	return b[r&0xFF]
}

// IsDefaultIgnorable reports whether r is removed before matching: a
// default-ignorable code point (zero-width characters, soft hyphen,
// variation selectors, tags …), a nonspacing or enclosing mark, or a
// control character other than white space.
func IsDefaultIgnorable(r rune) bool {
	if r < utf8.RuneSelf {
		return r < ' ' && !isASCIISpace(byte(r)) || r == 0x7F
	}
	return lookup(r) == codeDrop
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// FoldRune returns the ASCII a reader sees in r (fullwidth, mathematical,
// Cyrillic and Greek look-alikes, small capitals, diacritics stripped …),
// lowercase, and whether there is one. ASCII letters are lowercased; white
// space and ignorable code points have none.
func FoldRune(r rune) (string, bool) {
	if r < utf8.RuneSelf {
		c := byte(r)
		if c < ' ' || c == 0x7F || c == ' ' {
			return "", false
		}
		return asciiString[lower[c]], true
	}
	code := lookup(r)
	if code < codeEntry {
		return "", false
	}
	e := &foldEntries[code-codeEntry]
	if e.ascii == "" {
		return "", false
	}
	return e.ascii, true
}

// asciiString holds every one-byte string, so FoldRune does not allocate.
var asciiString = func() (t [128]string) {
	for i := range t {
		t[i] = string(rune(i))
	}
	return t
}()

// AppendLight appends s to dst with only the light folding a handle gets:
// white space, controls and ignorable code points removed, compatibility
// forms and look-alike letters read as ASCII, and (unless keepCase) ASCII
// lowercased. With keepCase the case a reader sees is kept (Ｗ and Cyrillic
// А stay capital). No leetspeak is undone: "n4me_01" stays "n4me_01". Code
// points with no ASCII reading are appended as they are.
func AppendLight(dst []byte, s string, keepCase bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c <= ' ' || c == 0x7F:
			case keepCase:
				dst = append(dst, c)
			default:
				dst = append(dst, lower[c])
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		code := lookup(r)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case code == codeDrop || code == codeSpace:
		case code == codeIdentity:
			dst = append(dst, s[i-size:i]...)
		default:
			e := &foldEntries[code-codeEntry]
			out := e.ascii
			if out == "" {
				out = e.plain
			}
			start := len(dst)
			dst = append(dst, out...)
			if keepCase && isUpper(r) {
				for k := start; k < len(dst); k++ {
					if c := dst[k]; c >= 'a' && c <= 'z' {
						dst[k] = c - 'a' + 'A'
					}
				}
			}
		}
	}
	return dst
}
