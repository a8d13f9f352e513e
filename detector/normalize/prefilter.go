package normalize

import (
	"unicode"
	"unicode/utf8"
)

// RuneClass says how the first pass treats a non-ASCII code point, for a
// caller that must know, before normalising, what a text can become (the
// detector's prefilter).
type RuneClass uint8

const (
	// RuneDrop is removed (zero-width, variation selectors, marks): its
	// neighbours join.
	RuneDrop RuneClass = iota
	// RuneSpace becomes a space.
	RuneSpace
	// RuneASCII becomes the ASCII string returned, whatever the word
	// around it (no look-alike decision): é → e, ß → ss, ｗ → w, ． → .
	RuneASCII
	// RuneInert stays as written and is no letter, digit or mark: emoji
	// and symbols. Its bytes are word bytes of Norm.
	RuneInert
	// RuneLetter stays a non-ASCII letter, or becomes ASCII letters or
	// itself depending on its word (look-alikes): only normalising the
	// word tells.
	RuneLetter
	// RuneOther is anything else: a caller that cannot tell must
	// normalise the whole text.
	RuneOther
)

// PrefilterRune classifies r (r >= 0x80) as the first pass reads it.
func PrefilterRune(r rune) (string, RuneClass) {
	if r == utf8.RuneError {
		return "", RuneOther
	}
	code := lookup(r)
	switch {
	case code == codeDrop:
		return "", RuneDrop
	case code == codeSpace:
		return " ", RuneSpace
	case code == codeIdentity:
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			return "", RuneLetter
		}
		if first := utf8.AppendRune(nil, r)[0]; first >= 0xE4 && first <= 0xE9 {
			return "", RuneLetter // the extractor looks inside runs starting so (Han)
		}
		return "", RuneInert
	}
	e := &foldEntries[code-codeEntry]
	if isASCIIString(e.plain) && (e.ascii == "" || e.ascii == e.plain) {
		return e.plain, RuneASCII
	}
	// A look-alike or a letter that stays non-ASCII: either reading is
	// letters (or non-ASCII bytes), never punctuation or space, or the
	// caller cannot treat it as one character of a word.
	if lettersOrHigh(e.plain) && lettersOrHigh(e.ascii) {
		return "", RuneLetter
	}
	return "", RuneOther
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lettersOrHigh reports whether s has only ASCII letters and digits and
// non-ASCII bytes.
func lettersOrHigh(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf && !isAlnum(c) {
			return false
		}
	}
	return true
}
