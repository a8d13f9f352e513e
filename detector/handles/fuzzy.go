package handles

import "strings"

// fuzzyNames are the app names also matched at edit distance 1 (one letter
// dropped, added, replaced, or swapped with the next: "diskord", "viiber",
// "sgnal"), with whether the name itself is an ordinary word. A word found
// only this way is read like an ambiguous name (a handle after it needs a
// separator, a contact phrase or a handle-shaped token), and a slip of an
// ordinary word ("signal", "session", "matrix", "simplex") needs both a
// clear separator and a shaped handle. Names of three letters (kik, tox)
// and the four-letter words "line" and "wire" have too many neighbours
// that are words.
var fuzzyNames = map[string]bool{
	"telegram": false, "snapchat": false, "whatsapp": false, "discord": false, "threema": false,
	"teleguard": false, "wechat": false, "wickr": false, "viber": false, "skype": false,
	"signal": true, "session": true, "matrix": true, "simplex": true,
}

// doubledNames are short names matched with one letter doubled only
// ("wirre", "kiik"): any other slip of them is a word ("hire", "fire",
// "kit"). Strict as in fuzzyNames.
var doubledNames = map[string]bool{"wire": true, "line": true, "kik": false, "tox": false}

// fuzzyRealWords are neighbours of an app name that are words or products
// of their own.
var fuzzyRealWords = map[string]bool{
	"discard": true, "discords": true, "wicks": true, "wicky": true, "kickr": true, "tickr": true,
	"fiber": true, "liber": true, "viper": true, "vibes": true, "vibed": true, "vibe": true, "biber": true,
	"tiber": true, "viner": true, "vider": true, "viser": true, "viler": true, "giber": true, "ciber": true,
	"swype": true, "skyped": true, "skypes": true, "skyer": true, "skyle": true, "stype": true, "skipe": false,
	"webchat": true, "rechat": true, "signals": true, "signale": true, "signaly": true, "sigma": true, "signa": true,
	"sessions": true, "cession": true, "matric": true, "matrixs": true, "simple": true, "simples": true,
	"telegraf": true, "telegrams": false, "wickers": true, "whatsapps": true, "snapchats": false,
	"matrice": true, "matriz": true, "metrix": true,
}

// fuzzyVariants returns the slips of name of four letters or more: one
// letter dropped, doubled, swapped with the next, replaced by a key next
// to it or a letter that sounds alike ("diskord", "whatsapo"), or a
// neighbouring key typed with it ("telegeram"). The first letter is kept:
// it is the one a writer sees, and keeping it keeps the scan's prefix
// filter tight.
func fuzzyVariants(name string) []string {
	seen := map[string]bool{name: true}
	var out []string
	add := func(v string) {
		if len(v) >= 4 && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for i := 1; i < len(name); i++ {
		add(name[:i] + name[i+1:])
		add(name[:i+1] + name[i:])
		if i+1 < len(name) {
			add(name[:i] + name[i+1:i+2] + name[i:i+1] + name[i+2:])
		}
		for _, c := range []byte(slipKeys[name[i]]) {
			add(name[:i] + string(c) + name[i+1:])
			add(name[:i] + string(c) + name[i:])
			add(name[:i+1] + string(c) + name[i+1:])
		}
	}
	return out
}

// slipKeys are, per letter, the keys next to it on a QWERTY keyboard and
// the letters that sound alike in the supported languages.
var slipKeys = map[byte]string{
	'a': "qwsze", 'b': "vghn", 'c': "xdfvks", 'd': "serfcx", 'e': "wsdri", 'f': "drtgvc",
	'g': "ftyhbvj", 'h': "gyujnb", 'i': "ujkoye", 'j': "huikmng", 'k': "jiolmcq", 'l': "kop",
	'm': "njkn", 'n': "bhjm", 'o': "iklpu", 'p': "ol", 'q': "wak", 'r': "edft", 's': "awedxzc",
	't': "rfgyd", 'u': "yhjio", 'v': "cfgbw", 'w': "qasev", 'x': "zsdc", 'y': "tghui", 'z': "asxs",
}

// addFuzzy enters the slips of fuzzyNames into the lexicon, never over a
// word it already has; they stay out of AppWords, which the scoring core
// weighs as sure app mentions.
func addFuzzy(lex map[string]*lexiconEntry) {
	for name, strict := range fuzzyNames {
		info := appWordInfo{app: name, ambiguous: true, fuzzy: true, strict: strict}
		for _, v := range fuzzyVariants(name) {
			if fuzzyRealWords[v] || stopSetRaw[v] || commonSet[v] || strings.ContainsAny(v, " ") {
				continue
			}
			if ent, ok := lex[v]; ok {
				if ent.app == nil {
					i := info
					ent.app = &i
				}
				continue
			}
			i := info
			lex[v] = &lexiconEntry{app: &i}
		}
	}
	for name, strict := range doubledNames {
		info := appWordInfo{app: name, ambiguous: true, fuzzy: true, strict: strict}
		for i := range name {
			v := name[:i+1] + name[i:]
			if _, ok := lex[v]; !ok && !stopSetRaw[v] && !commonSet[v] {
				lex[v] = &lexiconEntry{app: &info}
			}
		}
	}
}
