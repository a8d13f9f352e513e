package detector

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// obfuscated reports whether orig, the original text behind a normalised
// match, was written to slip past keyword filters: invisible characters,
// styled letters (fullwidth, mathematical, circled, small caps), letters
// of a script the term is not written in (Cyrillic "і" in "wіckr"), with
// leet, digits or symbols between letters ("w1ckr", "sn@p"), and with
// spacing, three or more single letters in a row ("w i c k r").
// Diacritics do not count: Spanish or French text carries them honestly.
func obfuscated(orig string, scripts scriptMask, leet, spacing bool) bool {
	prev := rune(-1)
	for i, r := range orig {
		switch {
		case r < utf8.RuneSelf:
		case invisible(r), styled(r):
			return true
		case unicode.Is(unicode.Cyrillic, r):
			if scripts&scriptCyrillic == 0 && lookAlikeWord(orig, i) {
				return true
			}
		case unicode.Is(unicode.Greek, r):
			if scripts&scriptGreek == 0 && lookAlikeWord(orig, i) {
				return true
			}
		}
		if leet && prev >= 0 && leetRune(r) {
			next, _ := utf8.DecodeRuneInString(orig[i+utf8.RuneLen(r):])
			if unicode.IsLetter(prev) && unicode.IsLetter(next) || (r == '$' || r == '€') && unicode.IsLetter(next) {
				return true
			}
		}
		prev = r
	}
	if leet && strings.HasPrefix(orig, "$") {
		next, _ := utf8.DecodeRuneInString(orig[1:])
		if unicode.IsLetter(next) {
			return true
		}
	}
	return spacing && spacedLetters(orig)
}

// lookAlikeWord reports whether the word of orig around byte i, which
// holds a Cyrillic or Greek letter, was written to look Latin: it mixes
// in Latin letters ("wіckr"), or it has two or more letters and every one
// is a twin of a Latin letter ("ѕеѕѕіоn"). A word in its own script
// ("телеграм", "вотсап") is how Russian speakers name the app, not a
// disguise, and one-letter words ("в", "с") are prepositions.
func lookAlikeWord(orig string, i int) bool {
	start, end := i, i
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(orig[:start])
		if !unicode.IsLetter(r) {
			break
		}
		start -= n
	}
	for end < len(orig) {
		r, n := utf8.DecodeRuneInString(orig[end:])
		if !unicode.IsLetter(r) {
			break
		}
		end += n
	}
	twins, letters := true, 0
	for _, r := range orig[start:end] {
		letters++
		switch {
		case r < utf8.RuneSelf:
			return true // Latin letters mixed with another script
		case !strings.ContainsRune(latinTwins, r):
			twins = false
		}
	}
	return twins && letters > 1
}

// latinTwins are the Cyrillic and Greek letters a reader cannot tell from
// a Latin one in running text. Look-alikes that read as small capitals
// (в, т, н, к, м) are left out: Russian words are full of them.
const latinTwins = "аеорсухіјѕԁԛԝүһӏАВЕКМНОРСТХУЅІЈ" + "οανικρυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"

func leetRune(r rune) bool {
	return '0' <= r && r <= '9' || strings.ContainsRune("@$|!€£", r)
}

func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || r == 0x3164 || r == 0xFFA0 || r == 0x115F || r == 0x1160
}

// styled is a letter from a block that exists to decorate text: nobody
// writes a language in it.
func styled(r rune) bool {
	switch {
	case 0xFF01 <= r && r <= 0xFF5E, // fullwidth
		0x1D400 <= r && r <= 0x1D7FF, // mathematical alphanumerics
		0x2460 <= r && r <= 0x24FF,   // enclosed alphanumerics
		0x1F100 <= r && r <= 0x1F1FF, // negative circled, squared, regional indicators
		0x1D00 <= r && r <= 0x1DBF,   // phonetic extensions: small caps
		0x0250 <= r && r <= 0x02FF,   // IPA, spacing modifier letters
		0x2070 <= r && r <= 0x209F,   // superscripts and subscripts
		0x2100 <= r && r <= 0x214F,   // letterlike symbols
		0xA730 <= r && r <= 0xA7FF,   // Latin extended-D small caps
		r == 0x20E3:                  // combining keycap
		return true
	}
	return false
}

// spacedLetters reports three or more one-letter tokens in a row.
func spacedLetters(s string) bool {
	run, tokenLen := 0, 0
	flush := func() {
		switch tokenLen {
		case 0:
		case 1:
			run++
		default:
			run = 0
		}
		tokenLen = 0
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			tokenLen++
			continue
		}
		flush()
		if run >= 3 {
			return true
		}
	}
	flush()
	return run >= 3
}
