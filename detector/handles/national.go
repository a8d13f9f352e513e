package handles

import (
	"strings"
	"unicode/utf8"
)

// National phone numbers: posts often give a number the way it is dialled
// at home ("WhatsApp 07700 900123", "text me on signal (202) 555-0143").
// They are read only right next to an app word that takes phone numbers
// (WhatsApp, Signal, Viber, Telegram) and only when their shape — the
// digits they start with, how many there are and how they are grouped —
// fits exactly one national plan below. A shape two plans share ("06
// 12345678" undivided is French or Dutch; "312 555 0143" is American or
// Italian) is refused, never guessed.
//
// Grouping is part of the shape: "22.05.2024 10" has ten digits but the
// groups of a date, and "612.345.678" with dots is a price in thousands,
// so neither is read.

// nationalPlan is one country's mobile (or whole) numbering plan as its
// people write it.
type nationalPlan struct {
	cc     string // country calling code
	trunk  string // trunk prefix dropped in E.164 ("0", "8"), or ""
	digits []int  // accepted national lengths, trunk included
	start  func(d string) bool
	groups [][]int // accepted digit groupings; the undivided number is always accepted
	// bareFirst: the plan's people never bracket the first group, so
	// "(312) 555-0143" is American, not Italian.
	bareFirst bool
}

func digitIn(c byte, set string) bool { return strings.IndexByte(set, c) >= 0 }

// nationalPlans, from the national numbering plans (ITU-T E.164 national
// plan notifications, Ofcom, NANPA, ARCEP, BNetzA, CNMC, AGCOM, ACM,
// Anatel, Rossvyaz, BTK):
var nationalPlans = []nationalPlan{
	// UK mobile: 07[1-57-9] + 8 digits (076 is pagers, 070 personal numbers).
	{cc: "44", trunk: "0", digits: []int{11}, start: func(d string) bool { return d[:2] == "07" && digitIn(d[2], "1234579") },
		groups: [][]int{{5, 6}, {5, 3, 3}, {4, 3, 4}, {4, 7}}},
	// North America: NPA (2-9, not N11) + NXX (2-9) + 4 digits, optionally
	// with the "1" dialled before it.
	{cc: "1", digits: []int{10}, start: nanp,
		groups: [][]int{{3, 3, 4}}},
	{cc: "1", trunk: "1", digits: []int{11}, start: func(d string) bool { return d[0] == '1' && nanp(d[1:]) },
		groups: [][]int{{1, 3, 3, 4}, {1, 10}}},
	// France mobile: 06 or 07 + 8 digits, in pairs.
	{cc: "33", trunk: "0", digits: []int{10}, start: func(d string) bool { return d[0] == '0' && (d[1] == '6' || d[1] == '7') },
		groups: [][]int{{2, 2, 2, 2, 2}}},
	// Netherlands mobile: 06 + 8 digits.
	{cc: "31", trunk: "0", digits: []int{10}, start: func(d string) bool { return d[:2] == "06" && d[2] != '0' },
		groups: [][]int{{2, 8}, {4, 6}, {3, 7}}},
	// Germany mobile: 015x, 016x, 017x + 7 or 8 digits.
	{cc: "49", trunk: "0", digits: []int{11, 12}, start: func(d string) bool { return d[:2] == "01" && digitIn(d[2], "567") },
		groups: [][]int{{4, 7}, {4, 8}, {5, 7}, {5, 6}, {4, 3, 4}, {4, 4, 4}, {4, 3, 5}}},
	// Spain mobile: 6 or 7 (71-74) + 8 digits, no trunk prefix.
	{cc: "34", digits: []int{9}, start: func(d string) bool { return d[0] == '6' || d[0] == '7' && digitIn(d[1], "1234") },
		groups: [][]int{{3, 3, 3}, {3, 2, 2, 2}}, bareFirst: true},
	// Italy mobile: 3 + 9 digits, no trunk prefix.
	{cc: "39", digits: []int{10}, start: func(d string) bool { return d[0] == '3' && d[1] != '0' },
		groups: [][]int{{3, 3, 4}, {3, 7}, {3, 3, 2, 2}}, bareFirst: true},
	// Brazil mobile: area code (both digits 1-9) + 9 + 8 digits.
	{cc: "55", digits: []int{11}, start: func(d string) bool { return d[0] != '0' && d[1] != '0' && d[2] == '9' },
		groups: [][]int{{2, 5, 4}, {2, 9}, {2, 1, 4, 4}}},
	// Russia mobile: trunk 8 + 9xx + 7 digits.
	{cc: "7", trunk: "8", digits: []int{11}, start: func(d string) bool { return d[:2] == "89" },
		groups: [][]int{{1, 3, 3, 2, 2}, {1, 3, 3, 4}, {1, 3, 7}, {1, 10}}},
	// Turkey mobile: 05xx + 7 digits.
	{cc: "90", trunk: "0", digits: []int{11}, start: func(d string) bool { return d[:2] == "05" },
		groups: [][]int{{4, 3, 2, 2}, {4, 3, 4}, {4, 7}, {1, 3, 3, 2, 2}}},
}

// nanp: a ten-digit North American number (area code and exchange both
// start 2-9; an N11 area code is a service code).
func nanp(d string) bool {
	return len(d) == 10 && d[0] >= '2' && !(d[1] == '1' && d[2] == '1') && d[3] >= '2'
}

// nationalE164 reads a national number (digits, one separator of " -."
// between groups, the first group optionally in parentheses) and returns
// it in E.164 when exactly one plan fits.
func nationalE164(s string) (string, bool) {
	var digits [16]byte
	var groups [16]int // digit by digit at most
	n, g := 0, 0
	dot := false
	inGroup := false
	open, opened := false, false
	bracketedFirst := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if n == len(digits) {
				return "", false
			}
			if !inGroup {
				if g == len(groups) {
					return "", false
				}
				g++
				inGroup = true
			}
			digits[n] = c
			groups[g-1]++
			n++
		case c == '(' && !opened && !inGroup && g <= 1:
			open, opened = true, true // "(202) 555-0143", "8 (912) 345-67-89"
			bracketedFirst = g == 0
		case c == ')' && open && inGroup:
			open = false
			inGroup = false
		case c == ' ' || c == '-' || c == '.':
			if open || !inGroup && !(i > 0 && s[i-1] == ')' && c == ' ') {
				return "", false // two separators in a row
			}
			dot = dot || c == '.'
			inGroup = false
		default:
			return "", false
		}
	}
	if open || n < 9 || n > 12 || !inGroup {
		return "", false
	}
	gs := groups[:g]
	if dot && g > 2 && thousands(gs) {
		return "", false // "612.345.678": an amount
	}
	d := string(digits[:n])
	found := ""
	for i := range nationalPlans {
		p := &nationalPlans[i]
		if !p.fits(d, gs) || bracketedFirst && p.bareFirst {
			continue
		}
		e := "+" + p.cc + d[len(p.trunk):]
		if found != "" && found != e {
			return "", false // two plans read it differently: ambiguous
		}
		found = e
	}
	return found, found != ""
}

// thousands reports whether every group after the first has three digits
// and the first at most three, as in an amount.
func thousands(gs []int) bool {
	if gs[0] > 3 {
		return false
	}
	for _, l := range gs[1:] {
		if l != 3 {
			return false
		}
	}
	return true
}

func (p *nationalPlan) fits(d string, gs []int) bool {
	okLen := false
	for _, l := range p.digits {
		okLen = okLen || len(d) == l
	}
	if !okLen || !p.start(d) {
		return false
	}
	if len(gs) == 1 || len(gs) == len(d) {
		return true // undivided, or spaced digit by digit ("0 7 7 0 0 …")
	}
	for _, want := range p.groups {
		if equalInts(want, gs) {
			return true
		}
	}
	return false
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// nationalStart reports whether a national number may start at n[hs]: a
// digit, or an opening bracket before one ("(202) 555-0143").
func nationalStart(n string, hs int) bool {
	return hs < len(n) && (isDigit(n[hs]) || n[hs] == '(' && hs+1 < len(n) && isDigit(n[hs+1]))
}

// notAPhoneBefore are words after which a number is something else: an
// order, a booking, a code ("whatsapp order 7123456789").
var notAPhoneBefore = lightSet(strings.Fields(`order orders invoice ref reference tracking booking ticket pin code
	zip postcode account acct iban serial parcel pedido commande bestellung factura rechnung fattura ordine
	bestelling reserva заказ sipariş siparis`))

// notAPhoneAfter are words after which a number is an amount or a count.
var notAPhoneAfter = lightSet(strings.Fields(`eur euro euros usd dollar dollars gbp pounds rub rubles tl lira reais
	followers members views subscribers likes users people downloads installs messages times
	usuarios utilisateurs nutzer utenti gebruikers usuários пользователей km kg`))

// numberContext reports whether the number at Norm n[hs:he] (original
// t.Orig[os:oe]) stands as a phone would: not after a currency sign, '#'
// or an order word, not before a currency or a count word.
func (e *extraction) numberContext(hs, he, os, oe int) bool {
	o := e.t.Orig
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(o[:os], " ")); strings.ContainsRune("#$£€¥№", r) {
		return false
	}
	if s, q := e.prevWord(hs); s < q && notAPhoneBefore[e.n[s:q]] {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(strings.TrimLeft(o[oe:], " ")); strings.ContainsRune("$£€¥%", r) {
		return false
	}
	if s, q := e.nextWord(he); s < q && notAPhoneAfter[e.n[s:q]] {
		return false
	}
	return true
}
