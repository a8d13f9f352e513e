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

// Handles with their punctuation spelled out, as posts write them to dodge
// filters ("name underscore x7", "exemple tiret du bas x7", "demo punt x
// punt 12"), and digits spelled after a joining character ("demo_ otto otto
// sette"): after the app word, the words are read as the characters they
// stand for. The phrases are normalised (see normalize.Normalize).
var spelledPunct = func() map[string]byte {
	m := map[string]byte{}
	for sym, phrases := range map[byte]string{
		'_': `underscore|under score|underline|tiret du bas|tiret bas|trait de soulignement|unterstrich|guion bajo|
			guion baixo|sublinhado|underscore|trattino basso|sottolineato|laag streepje|liggend streepje|onderstreepje|onderstrepingsteken|alt cizgi|
			alt tire|garis bawah|podloga|podkreslenie|podkreslnik|нижнее подчеркивание|нижнее подчеркиванье|подчеркивание`,
		'.': `dot|punto|punt|punkt|point|ponto|nokta|titik|kropka|kropke|точка`,
		'-': `dash|hyphen|tiret|trattino|guion|bindestrich|streepje|koltuk|tire|strip|myslnik|дефис`,
	} {
		for _, p := range strings.Split(phrases, "|") {
			m[strings.Join(strings.Fields(p), " ")] = sym
		}
	}
	return m
}()

// maxSpelledParts bounds how many spelled joins one handle takes.
const maxSpelledParts = 6

// spelledHandle extends the handle n[hs:he], read as raw, over spelled-out
// punctuation and spelled digits after it. It returns the new end and
// reading, and false when nothing was spelled.
func (e *extraction) spelledHandle(hs, he int, raw string, cs *charset) (int, string, bool) {
	return e.spelledRead(hs, he, raw, cs, true)
}

// spelledRead is spelledHandle; guard refuses a reading a word follows,
// which may be more of it. Read backwards from an app word, what follows
// is the word that leads to the app.
func (e *extraction) spelledRead(hs, he int, raw string, cs *charset, guard bool) (int, string, bool) {
	n := e.n
	end := he
	joined := strings.ContainsAny(raw[len(raw)-1:], "_.-")
	if end >= len(n) || n[end] != ' ' {
		return 0, "", false
	}
	if !joined {
		if _, q := e.spelledPunctAt(end); q == 0 {
			return 0, "", false // the common case: nothing spelled, nothing allocated
		}
	}
	var b strings.Builder
	b.WriteString(raw)
	changed, numbered := false, false
	for k := 0; k < maxSpelledParts && end < len(n) && n[end] == ' '; k++ {
		if joined {
			// After a joining character: spelled digits, or the next part.
			s, q := e.nextWord(end)
			if s == q {
				break
			}
			if d, ok := digitWords[n[s:q]]; ok {
				for ok {
					b.WriteByte(d)
					end = q
					s, q = e.nextWord(end)
					d, ok = digitWords[n[s:q]]
					ok = ok && s < q
				}
			} else if allIn(n[s:q], cs) {
				numbered = false
				os, oe := e.t.OrigSpan(s, q)
				b.WriteString(e.light(os, oe, true))
				end = q
				// "x underscore part two": digits spelled after a part;
				// "x underscore part 13": a number written apart.
				if s, q = e.nextWord(end); s < q && q-s <= 4 && allDigits(n[s:q]) {
					b.WriteString(n[s:q])
					end, numbered = q, true
				}
				for s, q = e.nextWord(end); s < q; s, q = e.nextWord(end) {
					d, ok := digitWords[n[s:q]]
					if !ok {
						break
					}
					b.WriteByte(d)
					end = q
				}
			} else {
				break
			}
			joined, changed = false, true
			continue
		}
		sym, q := e.spelledPunctAt(end)
		if q == 0 {
			break
		}
		b.WriteByte(sym)
		end, joined = q, true
	}
	if !changed || joined || guard && end+1 < len(n) && n[end] == ' ' && wordByte[n[end+1]] && !numbered {
		// A word after the spelled reading may be more of it, in words
		// not read here ("x underscore lp seventy seven"): no half handle.
		// A number written apart after the last part ends the reading.
		return 0, "", false
	}
	return end, b.String(), true
}

// spelledPunctAt reads a spelled-out punctuation phrase of one to three
// words after n[p] and returns its character and where it ends.
func (e *extraction) spelledPunctAt(p int) (byte, int) {
	var ends [3]int
	s0, _ := e.nextWord(p)
	q := p
	for i := range ends {
		s, w := e.nextWord(q)
		if s == w {
			break
		}
		ends[i], q = w, w
	}
	for i := len(ends) - 1; i >= 0; i-- {
		if ends[i] == 0 {
			continue
		}
		phrase := e.n[s0:ends[i]]
		if strings.IndexByte(phrase, ',') >= 0 {
			continue
		}
		if sym, ok := spelledPunct[phrase]; ok {
			return sym, ends[i]
		}
	}
	return 0, 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// spelledBack reads a handle spelled out that ends with the part at
// n[hs:he] ("demo tiret bas mini", "x punkt y24"): it walks back over
// spelled punctuation and parts, then reads forward as spelledHandle
// does, and returns where the handle starts and its reading when that
// reading ends at he.
func (e *extraction) spelledBack(hs, he int, cs *charset) (int, string, bool) {
	n := e.n
	start := hs
	for k := 0; k < maxSpelledParts; k++ {
		found := false
		p := start - 1 // the space before the part
		for words := 1; words <= 3 && !found; words++ {
			ps := p
			for i := 0; i < words; i++ {
				s, q := e.prevWord(ps)
				if s == q {
					ps = -1
					break
				}
				ps = s
			}
			if ps <= 1 {
				continue
			}
			if _, q := e.spelledPunctAt(ps); q == p {
				s, q := e.prevWord(ps)
				if s < q && allIn(n[s:q], cs) && q == ps-1 {
					start, found = s, true
				}
			}
		}
		if !found {
			break
		}
	}
	if start == hs {
		return 0, "", false
	}
	q := e.wordEndWithin(start, maxWordBack)
	os, oe := e.t.OrigSpan(start, q)
	end, r, ok := e.spelledRead(start, q, e.light(os, oe, true), cs, false)
	if !ok || end != he {
		return 0, "", false
	}
	return start, r, true
}
