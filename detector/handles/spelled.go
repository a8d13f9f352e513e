package handles

import "strings"

// Phone numbers written out in words, digit by digit, as people spell a
// number out to dodge filters ("whatsapp plus four four seven seven …"):
// after an app word that takes phone numbers, a run of digit words (and
// digits) is read as the number it spells, then held to the same rules as
// one written in digits. Numbers read in pairs ("trente-neuf") are not.

// digitWords maps the normalised words for 0–9 in the supported languages
// to their digit; plusWords stand for a leading '+'.
var digitWords = func() map[string]byte {
	m := map[string]byte{}
	for d, words := range [10]string{
		"zero oh nought cero nul null ноль нуль sifir nol kosong",
		"one uno una um uma un une eins een один одна bir satu jeden jedna",
		"two dos dois duas deux zwei zwo due twee два две iki dua dwa",
		"three tres trois drei tre drie три uc tiga trzy",
		"four cuatro quatro quatre vier quattro четыре dort empat cztery",
		"five cinco cinq funf fuenf cinque vijf пять bes lima piec",
		"six seis meia sechs sei zes шесть alti enam szesc",
		"seven siete sete sept sieben sette zeven семь yedi tujuh siedem",
		"eight ocho oito huit acht otto восемь sekiz delapan osiem",
		"nine nueve nove neuf neun negen девять dokuz sembilan dziewiec",
	} {
		for _, w := range strings.Fields(words) {
			m[w] = byte('0' + d)
		}
	}
	return m
}()

var plusWords = map[string]bool{"plus": true, "mas": true, "mais": true, "piu": true, "arti": true, "плюс": true}

// minSpelledWords is how many digit words a spelled number needs: fewer
// are a count or an amount written in words ("two kids", "uno o dos").
const minSpelledWords = 4

// spelledNumber reads a phone number spelled out from the word at n[p]:
// its Norm span and the number as "+<digits>" or national digits.
func (e *extraction) spelledNumber(p int) (hit, bool) {
	n := e.n
	var digits []byte
	words := 0
	plus := false
	end := p
	for q := p; q < len(n) && len(digits) <= 15; {
		we := q
		for we < len(n) && wordByte[n[we]] {
			we++
		}
		if we == q {
			break
		}
		w := n[q:we]
		switch d, ok := digitWords[w]; {
		case ok:
			digits = append(digits, d)
			words++
		case plusWords[w] && len(digits) == 0 && !plus:
			plus = true
		case allIn(w, csDigit) && len(w) <= 6:
			digits = append(digits, w...)
		default:
			we = -1
		}
		if we < 0 {
			break
		}
		end = we
		if we < len(n) && (n[we] == ' ' || n[we] == '-') && we+1 < len(n) && wordByte[n[we+1]] {
			q = we + 1
			continue
		}
		break
	}
	if words < minSpelledWords || len(digits) < 7 || len(digits) > 15 {
		return hit{}, false
	}
	// What follows must end the number, as after one in digits.
	if end < len(n) && (n[end] == '@' || n[end] == '/') {
		return hit{}, false
	}
	raw := string(digits)
	if plus {
		raw = "+" + raw
	} else if strings.HasPrefix(raw, "00") {
		raw = "+" + raw[2:]
	}
	os, oe := e.t.OrigSpan(p, end)
	return hit{hs: p, he: end, os: os, oe: oe, raw: raw, spelled: true}, true
}
