package foldgen

// supplement maps code points to the ASCII text a reader sees in them where
// Unicode's confusables data misses it or maps it to something that is not
// ASCII (UTS #39 skeletons are not an ASCII fold: Cyrillic к becomes ĸ,
// small capitals stay small capitals, negative circled letters are absent).
// An entry here wins over NFKC and confusables for its code point, and it is
// also used to resolve the intermediate targets of confusables (ĸ, ʜ, ᴛ …).
var supplement = map[rune]string{
	// Small capitals (UTS #39 leaves most of them as themselves).
	'ᴀ': "a", 'ʙ': "b", 'ᴄ': "c", 'ᴅ': "d", 'ᴇ': "e", 'ꜰ': "f", 'ɢ': "g",
	'ʜ': "h", 'ɪ': "i", 'ᴊ': "j", 'ᴋ': "k", 'ʟ': "l", 'ᴍ': "m", 'ɴ': "n",
	'ᴏ': "o", 'ᴘ': "p", 'ꞯ': "q", 'ʀ': "r", 'ꜱ': "s", 'ᴛ': "t", 'ᴜ': "u",
	'ᴠ': "v", 'ᴡ': "w", 'ʏ': "y", 'ᴢ': "z",
	// Inverted, turned and barred small capitals that the "small caps" text
	// generators also hand out for a letter. Not ᴎ and ᴙ: they are the
	// confusables targets of Cyrillic и and я, which would then pass for
	// Latin and turn Russian words into ASCII ("пиши" → "nnwn").
	'ʁ': "r", 'ʶ': "r", 'ᴚ': "r", 'ᴌ': "l", 'ᴆ': "d", 'ᴓ': "o", 'ᴉ': "i",
	'ɿ': "r",

	// IPA and other Latin letters read as a plain letter.
	'ĸ': "k", 'ð': "d", 'ɐ': "a", 'ɑ': "a", 'ɒ': "o", 'ɓ': "b", 'ɕ': "c",
	'ɖ': "d", 'ɗ': "d", 'ɘ': "e", 'ə': "e", 'ǝ': "e", 'ɛ': "e", 'ꞓ': "e",
	'ɡ': "g", 'ɦ': "h", 'ɨ': "i", 'ɩ': "i", 'ɭ': "l", 'ɯ': "w",
	'ɱ': "m", 'ɲ': "n", 'ɳ': "n", 'ɵ': "o", 'ɹ': "r", 'ɾ': "r", 'ʂ': "s",
	'ʈ': "t", 'ʉ': "u", 'ʋ': "u", 'ʌ': "v", 'ʍ': "m", 'ʐ': "z", 'ʑ': "z",
	'ƀ': "b", 'ẟ': "d",

	// Greek letters used as Latin look-alikes.
	'α': "a", 'β': "b", 'γ': "y", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "n",
	'θ': "o", 'ι': "i", 'κ': "k", 'μ': "u", 'ν': "v", 'ο': "o", 'π': "n",
	'ρ': "p", 'σ': "o", 'ς': "c", 'τ': "t", 'υ': "u", 'χ': "x", 'ω': "w",

	// Cyrillic letters used as Latin look-alikes. Letters with no Latin
	// look-alike (л, ж, ф, ц, ч …) stay Cyrillic, so a Russian word keeps its
	// script unless every letter of it could pass for Latin.
	'а': "a", 'в': "b", 'г': "r", 'е': "e",
	'к': "k", 'м': "m", 'н': "h", 'о': "o", 'п': "n", 'р': "p", 'с': "c",
	'т': "t", 'у': "y", 'х': "x", 'ш': "w", 'ь': "b", 'ѕ': "s", 'і': "i",
	'ј': "j", 'ԁ': "d", 'ԛ': "q", 'ԝ': "w", 'ү': "y", 'һ': "h", 'ӏ': "l",

	// Ideographic and other full stops, slashes, dashes and arrows, so that
	// "t。me／x" reads as a link and "wickr → x" as a separator.
	'。': ".", '｡': ".", '︒': ".", '⸱': ".", '·': ".", '∙': ".",
	'⁄': "/", '∕': "/", '⧸': "/", '╱': "/",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'→': ">", '⇒': ">", '⇨': ">", '➔': ">", '➜': ">", '➝': ">", '➞': ">",
	'➟': ">", '➠': ">", '➡': ">", '⟶': ">", '►': ">", '▶': ">", '▸': ">",
	'⮕': ">", '👉': ">", '⏩': ">",

	// Blank-looking symbols used as invisible separators.
	'⠀': " ",
}

func init() {
	for i := rune(0); i < 26; i++ {
		supplement[0x1F150+i] = string('a' + i) // negative circled Latin capital letters 🅐
		supplement[0x1F170+i] = string('a' + i) // negative squared Latin capital letters 🅰
		supplement[0x1F1E6+i] = string('a' + i) // regional indicator symbols 🇦
		supplement[0x249C+i] = string('a' + i)  // parenthesized small letters ⒜
		supplement[0x1F110+i] = string('a' + i) // parenthesized capital letters 🄐
	}
}

// InSupplement reports whether r's fold comes from the supplement rather than
// from Unicode's data.
func InSupplement(r rune) bool {
	_, ok := supplement[r]
	return ok
}
