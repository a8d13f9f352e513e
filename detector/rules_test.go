package detector

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/wire"
)

const minimalRules = `version: "v1"
rules:
  - id: offer.trade
    category: offer
    weight: 0.4
    mode: alert
    terms: [trade]
`

func TestParseRulesErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"empty", "", "r.yaml:1: empty rule file"},
		{"syntax", "version: v1\nrules: [\n", "r.yaml:2: did not find expected node content"},
		{"no version", "rules: []\n", "r.yaml:1: version: required"},
		{"bad version", "version: \"a b\"\nrules: []\n", "r.yaml:1: version: \"a b\" must be"},
		{"unknown top key", minimalRules + "colour: red\n", "r.yaml:8: rule file: unknown key \"colour\""},
		{"unknown rule key", strings.Replace(minimalRules, "    terms:", "    colour: red\n    terms:", 1),
			"r.yaml:7: rules[0]: unknown key \"colour\""},
		{"weight out of range", strings.Replace(minimalRules, "0.4", "1.5", 1),
			"r.yaml:5: rule offer.trade: weight must be between -1 and 1"},
		{"weight zero", strings.Replace(minimalRules, "0.4", "0", 1), "r.yaml:5: rule offer.trade: weight must not be 0"},
		{"weight not a number", strings.Replace(minimalRules, "0.4", "heavy", 1), "r.yaml:5: rule offer.trade: weight \"heavy\" is not a number"},
		{"bad mode", strings.Replace(minimalRules, "alert", "loud", 1), "r.yaml:6: rule offer.trade: mode: \"loud\" is not shadow, alert or act"},
		{"bad id", strings.Replace(minimalRules, "offer.trade", "Offer Trade", 1), "r.yaml:3: rules[0]: id \"Offer Trade\" must be"},
		{"missing terms", strings.Replace(minimalRules, "    terms: [trade]\n", "", 1), "r.yaml:3: rule offer.trade: terms required"},
		{"empty terms", strings.Replace(minimalRules, "[trade]", "[]", 1), "r.yaml:7: rule offer.trade: terms must not be empty"},
		{"duplicate id", minimalRules + "  - id: offer.trade\n    category: offer\n    weight: 0.1\n    mode: alert\n    terms: [x]\n",
			"r.yaml:8: rule offer.trade: id already used at line 3"},
		{"duplicate key", strings.Replace(minimalRules, "    mode: alert\n", "    mode: alert\n    mode: act\n", 1),
			"r.yaml:7: rules[0]: key \"mode\" given twice"},
		{"bad regex", strings.Replace(minimalRules, "    terms:", "    regex: '('\n    terms:", 1), "r.yaml:7: rule offer.trade: regex: "},
		{"undefined var", strings.Replace(minimalRules, "[trade]", "[\"{n}yo\"]", 1), "r.yaml:7: rule offer.trade: term \"{n}yo\" uses undefined var {n}"},
		{"gate unknown category", minimalRules + "gate:\n  - [minor]\n", "r.yaml:9: gate[0]: category \"minor\" has no rule"},
		{"mixed category sign", minimalRules + "  - id: offer.neg\n    category: offer\n    weight: -0.1\n    mode: shadow\n    terms: [x]\n",
			"r.yaml:8: rule offer.neg: category offer mixes positive and negative weights"},
		{"thresholds not rising", minimalRules + "severity:\n  low: 0.9\n  medium: 0.5\n", "r.yaml:9: severity: thresholds must rise"},
		{"far below near", minimalRules + "scoring:\n  near: 100\n  far: 10\n", "r.yaml:9: scoring.far: must not be less than scoring.near"},
		{"suppressed_by on a positive rule", strings.Replace(minimalRules, "    terms:", "    suppressed_by: [x]\n    terms:", 1),
			"r.yaml:7: rule offer.trade: suppressed_by is for negative rules only"},
		{"suppressed_by unknown", minimalRules + "  - id: neg.news\n    category: news\n    weight: -0.5\n    mode: shadow\n    suppressed_by: [nothing]\n    terms: [x]\n",
			"r.yaml:8: rule neg.news: suppressed_by \"nothing\" is neither a category nor a rule id"},
		{"unknown detector", strings.Replace(minimalRules, "    terms: [trade]", "    detect: magic", 1), "r.yaml:7: rule offer.trade: detect \"magic\" is unknown"},
		{"combo needs two", minimalRules + "combos:\n  - id: c.one\n    all: [offer]\n    severity: high\n", "r.yaml:10: combo c.one: all must list at least two categories"},
		{"needs unknown category", strings.Replace(minimalRules, "    terms:", "    needs: [goods]\n    terms:", 1), "r.yaml:3: rule offer.trade: needs: category \"goods\" has no rule"},
		{"two documents", minimalRules + "---\nversion: x\n", "r.yaml:8: more than one YAML document"},
		{"rules not a list", "version: v1\nrules: {a: b}\n", "r.yaml:2: rules: must be a list"},
		{"term too short once normalised", strings.Replace(minimalRules, "[trade]", "[\"x\"]", 1), "r.yaml:7: rule offer.trade: term \"x\" is shorter than 2 bytes"},
		{"term too long", strings.Replace(minimalRules, "[trade]", "["+strings.Repeat("t", 101)+"]", 1), "r.yaml:7: rule offer.trade: term \"tttt"},
		{"empty except phrase", strings.Replace(minimalRules, "    terms: [trade]", "    terms: [trade]\n    except: [\" \"]", 1), "r.yaml:8: rule offer.trade: empty except phrase"},
		{"except phrase too long", strings.Replace(minimalRules, "    terms: [trade]", "    terms: [trade]\n    except: ["+strings.Repeat("e", 101)+"]", 1), "r.yaml:8: rule offer.trade: except phrase \"eeee"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ParseRules("r.yaml", []byte(tc.yaml))
			if err == nil {
				_, err = NewEngine(rs)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant prefix %q", err, tc.want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("error %v carries no line", err)
			}
		})
	}
}

func TestParseRulesDefaultsAndExpansion(t *testing.T) {
	src := minimalRules + `vars:
  n: ["1", "2"]
  u: [a, b, c]
`
	src = strings.Replace(src, "[trade]", `["{n}{u}", plain]`, 1)
	rs, err := ParseRules("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, tm := range rs.Rules[0].Terms {
		terms = append(terms, tm.Text)
		if tm.Line != 7 {
			t.Errorf("term %q line %d, want 7", tm.Text, tm.Line)
		}
	}
	if got := strings.Join(terms, ","); got != "1a,1b,1c,2a,2b,2c,plain" {
		t.Fatalf("expanded terms = %s", got)
	}
	r := rs.Rules[0]
	if r.Boundary != BoundaryWord || r.Window != 24 || rs.ModeCap != wire.ModeAct || rs.Scoring.Finding != 0.5 {
		t.Fatalf("defaults: %+v %+v", r, rs.Scoring)
	}
}

// TestRepoRules loads the shipped rule file: it must parse, build and be
// versioned.
func TestRepoRules(t *testing.T) {
	e, err := LoadEngine(filepath.Join("..", "configs", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if e.RulesVersion() == "" || len(e.lex.patterns) < 500 {
		t.Fatalf("version %q, %d patterns", e.RulesVersion(), len(e.lex.patterns))
	}
	cats := map[string]bool{}
	for _, r := range e.Rules().Rules {
		cats[r.Category] = true
	}
	for _, c := range []string{"offer", "request", "minor", "coded", "contact", "evasion", "news", "law", "safety", "adult", "finance"} {
		if !cats[c] {
			t.Errorf("category %s missing from the shipped rules", c)
		}
	}
}

var lineErrRE = regexp.MustCompile(`^fuzz\.yaml:[1-9][0-9]*: `)

func FuzzLoadRules(f *testing.F) {
	f.Add([]byte(minimalRules))
	f.Add([]byte(""))
	f.Add([]byte("version: v1\nrules: [\n"))
	f.Add([]byte("version: &a v1\nrules: *a\n"))
	if data, err := os.ReadFile("testdata/rules_small.yaml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseRules("fuzz.yaml", data)
		if err == nil {
			_, err = NewEngine(rs)
		}
		if err != nil && !lineErrRE.MatchString(err.Error()) {
			t.Fatalf("error without a line: %v", err)
		}
	})
}

// TestRepoRulesVocabulary pins the request, stock and goods vocabulary of
// the shipped rules with the real extractor: buyers and "dispo/в наличии"
// offers in six languages are findings; innocent youth words beside sizes,
// uniforms, plants and comics are not.
func TestRepoRulesVocabulary(t *testing.T) {
	e, err := LoadEngine(filepath.Join("..", "configs", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text    string
		finding bool
	}{
		{"looking to buy young sets, paying well. wickr: buyer_demo07", true},
		{"buscando colección de jóvenes, pago bien. wickr: buyer_demo07", true},
		{"je cherche des packs ados, je paie bien. wickr: buyer_demo07", true},
		{"ищу юные паки, хорошо заплачу. wickr: buyer_demo07", true},
		{"ados dispo, liste sur wickr: sample_01", true},
		{"lista de novinhas disponível, chama no wickr: sample_01", true},
		{"юные в наличии, пиши в wickr: sample_01", true},
		{"цп паки, wickr: sample_01", true},
		{"meldet euch auf Discord, name ist placeholder_01, tausche junge sammlung", true},
		{"intercambio plantas jóvenes y esquejes, whatsapp +34 600 000 123", false},
		{"échange jeunes plants de tomates, whatsapp +33 6 00 00 01 23", false},
		{"vendo HQ Liga Jovem edição 3, whatsapp +55 11 90000 0123", false},
		{"vendo uniforme escolar tamanho 12 anos, usado, whatsapp +55 11 90000 0123", false},
		{"selling school uniforms ages 10-12, good condition, whatsapp +44 7700 900123", false},
		{"young players available, join our clan on discord: sample_01", false},
	}
	for _, tc := range cases {
		a := e.Analyze(&wire.Post{Text: tc.text})
		if got := a != nil && a.Finding; got != tc.finding {
			reason := ""
			if a != nil {
				reason = a.Reason
			}
			t.Errorf("%q: finding %v, want %v (%s)", tc.text, got, tc.finding, reason)
		}
	}
}
