package handles

import (
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
)

// Numbers in these tests are fiction ranges (UK 07700 900xxx, North
// America NPA 555-01xx, France 06 39 98 xx xx) or made-up shapes for the
// other plans; none is meant to be anyone's.

func TestNationalE164(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"uk mobile", "07700 900123", "+447700900123"},
		{"uk mobile three groups", "07700 900 123", "+447700900123"},
		{"uk mobile undivided", "07700900123", "+447700900123"},
		{"uk mobile 4-3-4", "0770 090 0123", "+447700900123"},
		{"us brackets", "(202) 555-0143", "+12025550143"},
		{"us dashes", "202-555-0143", "+12025550143"},
		{"us dots", "202.555.0143", "+12025550143"},
		{"us with 1", "1-202-555-0143", "+12025550143"},
		{"us with 1 and brackets", "1 (202) 555-0143", "+12025550143"},
		{"fr pairs", "06 39 98 12 34", "+33639981234"},
		{"fr pairs dots", "06.39.98.12.34", "+33639981234"},
		{"fr 07 undivided", "0739981234", "+33739981234"},
		{"nl", "06 12345678", "+31612345678"},
		{"nl dash", "06-12345678", "+31612345678"},
		{"de 0151", "0151 23456789", "+4915123456789"},
		{"de 0171 seven", "0171 2345678", "+491712345678"},
		{"es", "612 345 678", "+34612345678"},
		{"es pairs", "612 34 56 78", "+34612345678"},
		{"it", "345 123 4567", "+393451234567"},
		{"it 3-7", "345 1234567", "+393451234567"},
		{"br", "(11) 91234-5678", "+5511912345678"},
		{"br undivided", "11912345678", "+5511912345678"},
		{"ru", "8 912 345-67-89", "+79123456789"},
		{"ru brackets", "8 (912) 345-67-89", "+79123456789"},
		{"tr", "0532 123 45 67", "+905321234567"},
		{"tr undivided", "05321234567", "+905321234567"},

		// Ambiguous shapes are refused.
		{"fr or nl undivided", "0612345678", ""},
		{"us or it", "312 555 0143", ""},
		{"us or it undivided", "3125550143", ""},
		// Italians and Spaniards never bracket the first group.
		{"us bracketed area code an italian plan shares", "(312) 555-0143", "+13125550143"},
		{"us bracketed, spaces", "(347) 555 0143", "+13475550143"},
		{"br or ru undivided", "89912345678", ""},

		// Shapes of no plan.
		{"fr 07 not in pairs", "07 12345678", ""},
		{"uk landline", "020 7946 0000", ""},
		{"uk pager", "07600 900123", ""},
		{"us n11 area", "(211) 555-0143", ""},
		{"us exchange 1", "(202) 155-0143", ""},
		{"too short", "0770 0900", ""},
		{"too long", "07700 900123 456", ""},
		{"letters", "07700 9OO123", ""},

		// Dates, times, amounts, years, postcodes.
		{"date and time", "22.05.2024 10", ""},
		{"date dashes", "2024-05-22", ""},
		{"date time digits", "22 05 2024 1030", ""},
		{"years", "2019 2020 2021", ""},
		{"amount with dots", "612.345.678", ""},
		{"amount with dots us like", "3.456.789.012", ""},
		{"zip plus four", "20500-0003", ""},
		{"two postcodes", "75008 75009", ""},
		{"separators in a row", "07700  900123", ""},
		{"open bracket", "(07700 900123", ""},
		{"bracket late", "07700 900 (123)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := nationalE164(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("nationalE164(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}

// TestNationalPlansUnique checks that no accepted grouping is read by two
// plans in a way the refusal of ambiguous shapes would silently hide: each
// plan's own examples above resolve, and the table has a plan per country
// code the doc names.
func TestNationalPlansShape(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range nationalPlans {
		if !callingCodes[p.cc] {
			t.Errorf("plan %+v: calling code %s is not assigned", p, p.cc)
		}
		for _, g := range p.groups {
			sum := 0
			for _, l := range g {
				sum += l
			}
			ok := false
			for _, l := range p.digits {
				ok = ok || l == sum
			}
			if !ok {
				t.Errorf("plan +%s: grouping %v sums to %d, not one of its lengths %v", p.cc, g, sum, p.digits)
			}
		}
		seen[p.cc] = true
	}
	for _, cc := range []string{"44", "1", "33", "31", "49", "34", "39", "55", "7", "90"} {
		if !seen[cc] {
			t.Errorf("no plan for +%s", cc)
		}
	}
}

func TestExtractNational(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"uk after app word", "WhatsApp 07700 900123", []want{mention("whatsapp", "+447700900123", "WhatsApp 07700 900123")}},
		{"uk sentence end", "message me on WhatsApp 07700 900123.", []want{mention("whatsapp", "+447700900123", "WhatsApp 07700 900123")}},
		{"us contact phrase signal", "text me on signal (202) 555-0143", []want{mention("signal", "+12025550143", "signal (202) 555-0143")}},
		{"us separator signal", "Signal: 202-555-0143", []want{mention("signal", "+12025550143", "")}},
		{"fr pairs", "WhatsApp 06 39 98 12 34", []want{mention("whatsapp", "+33639981234", "")}},
		{"de telegram", "telegram 0151 23456789", []want{mention("telegram", "+4915123456789", "")}},
		{"es", "whatsapp: 612 345 678", []want{mention("whatsapp", "+34612345678", "")}},
		{"it", "scrivimi su whatsapp 345 123 4567", []want{mention("whatsapp", "+393451234567", "")}},
		{"nl viber", "viber 06 12345678", []want{mention("viber", "+31612345678", "")}},
		{"br", "me chama no whatsapp (11) 91234-5678", []want{mention("whatsapp", "+5511912345678", "")}},
		{"ru", "пиши в телеграм 8 912 345-67-89", []want{mention("telegram", "+79123456789", "")}},
		{"tr", "whatsapp 0532 123 45 67", []want{mention("whatsapp", "+905321234567", "")}},
		{"label nearby", "whatsapp number: 8 (912) 345-67-89", []want{mention("whatsapp", "+79123456789", "")}},
		{"a few words on", "whatsapp me at 07700 900123", []want{mention("whatsapp", "+447700900123", "")}},
		{"before app word", "07700 900123 on whatsapp", []want{mention("whatsapp", "+447700900123", "07700 900123 on whatsapp")}},
		{"before app word in brackets", "call 07700 900 123 (WhatsApp)", []want{mention("whatsapp", "+447700900123", "07700 900 123 (WhatsApp)")}},
		{"us brackets before", "(202) 555-0143 on signal", []want{mention("signal", "+12025550143", "(202) 555-0143 on signal")}},
		{"fullwidth digits", "WhatsApp ０７７００ ９００１２３", []want{mention("whatsapp", "+447700900123", "WhatsApp ０７７００ ９００１２３")}},
		{"possessive signal", "my signal is 07700 900123", []want{mention("signal", "+447700900123", "")}},
		{"zap contact phrase", "me chama no zap (11) 91234-5678", []want{mention("whatsapp", "+5511912345678", "zap (11) 91234-5678")}},
		{"first of two", "WhatsApp: 07700 900123 or 07700 900124", []want{mention("whatsapp", "+447700900123", "WhatsApp: 07700 900123")}},
		{"letter o for zero", "whatsapp O77OO 9OO123", nil},
		// WhatsApp's short names take a number without a separator: none of
		// them is an ordinary word a number follows, as "signal 4" is.
		{"bare zap", "zap 11 91234-5678", []want{mention("whatsapp", "+5511912345678", "zap 11 91234-5678")}},
		{"bare wsp", "vendo ropa talla 10, wsp 07700 900132", []want{mention("whatsapp", "+447700900132", "wsp 07700 900132")}},
		{"dutch appen", "Appen naar 07700 900132", []want{mention("whatsapp", "+447700900132", "Appen naar 07700 900132")}},
		{"spaced digit by digit", "whatsapp 0 7 7 0 0 9 0 0 1 3 2", []want{mention("whatsapp", "+447700900132", "whatsapp 0 7 7 0 0 9 0 0 1 3 2")}},
		{"bare signal still refused", "signal 07700 900123", nil},

		// No app word: a national number is not read at all.
		{"no app word", "call 07700 900123 after six", nil},
		{"no app word us", "office (202) 555-0143", nil},
		// An ambiguous app name without a separator or a contact phrase.
		{"bare signal", "signal 07700 900123", nil},
		{"bare signal us", "signal 202 555 0143 bars", nil},
		// Ambiguous shapes.
		{"fr or nl", "whatsapp 0612345678", nil},
		{"us or it", "whatsapp 312 555 0143", nil},
		// Dates, times, prices, order numbers, postcodes, years.
		{"date and time", "whatsapp group since 22.05.2024 10:30", nil},
		{"date", "whatsapp update 2024-05-22", nil},
		{"time", "whatsapp down from 10:30 to 11:45", nil},
		{"price euro after", "whatsapp 612.345.678 €", nil},
		{"price euro before", "whatsapp deal €612 345 678", nil},
		{"price dollar", "whatsapp bought for $2025550143", nil},
		{"price word", "whatsapp 612 345 678 euros", nil},
		{"order word", "whatsapp order 7123456789", nil},
		{"order hash", "whatsapp ticket #612345678", nil},
		{"order word before", "order 07700 900123 on whatsapp", nil},
		{"postcode", "whatsapp office 75008 Paris", nil},
		{"zip", "signal: 20500-0003", nil},
		{"years", "whatsapp 2019 2020 2021", nil},
		{"count", "whatsapp 612 345 678 members", nil},
		{"count users", "Telegram reached 712 345 678 users", nil},
		{"count spaced thousands", "WhatsApp has 2 000 000 000 users", nil},
		{"glued word", "whatsapp 07700900123abc", nil},
		{"decimal tail", "whatsapp 612 345,678", nil},
	})
}

// TestNationalConfidence checks that a national number counts less than
// one with its country code, and both stay at or above MinConfidence.
func TestNationalConfidence(t *testing.T) {
	x := NewExtractor()
	conf := func(s string) float64 {
		ms := x.Extract(normalize.Normalize(s))
		if len(ms) != 1 {
			t.Fatalf("Extract(%q) = %s, want one match", s, show(ms))
		}
		return ms[0].Confidence
	}
	intl, nat := conf("whatsapp +44 7700 900123"), conf("whatsapp 07700 900123")
	if nat >= intl || nat < MinConfidence {
		t.Errorf("national %.2f, with country code %.2f: want MinConfidence <= national < country code", nat, intl)
	}
	intlBefore, natBefore := conf("+44 7700 900123 on whatsapp"), conf("07700 900123 on whatsapp")
	if natBefore >= intlBefore || natBefore < MinConfidence {
		t.Errorf("before the app word: national %.2f, with country code %.2f", natBefore, intlBefore)
	}
}

// FuzzNationalE164 checks that whatever a national number reads as is a
// valid E.164 number whose national digits are the ones written.
func FuzzNationalE164(f *testing.F) {
	for _, s := range []string{"07700 900123", "(202) 555-0143", "8 (912) 345-67-89", "06 39 98 12 34", "612.345.678", "((1", "1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := nationalE164(s)
		if !ok {
			if got != "" {
				t.Fatalf("nationalE164(%q) refused but returned %q", s, got)
			}
			return
		}
		if p, ok := e164(got); !ok || p != got {
			t.Fatalf("nationalE164(%q) = %q, not a valid E.164 number", s, got)
		}
		var digits []byte
		for i := 0; i < len(s); i++ {
			if isDigit(s[i]) {
				digits = append(digits, s[i])
			}
		}
		d := string(digits)
		if !strings.HasSuffix(got, d[1:]) {
			t.Fatalf("nationalE164(%q) = %q drops more than a trunk digit of %s", s, got, d)
		}
	})
}
