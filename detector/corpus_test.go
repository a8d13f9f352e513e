package detector_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/detector/internal/contentrule"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// corpusPath is the labelled evaluation corpus (see testdata/CORPUS.md).
const corpusPath = "testdata/corpus.jsonl"

var (
	corpusLangs = []string{"en", "es", "pt", "de", "fr", "ru"}

	contactForms = []string{"link", "mention", "id"}

	obfuscationTags = []string{
		"fullwidth", "math", "homoglyph", "zerowidth", "leet", "spaced", "punctuated",
		"dot-slash-words", "emoji", "misspelling", "diacritics", "smallcaps",
		"regional-indicator", "split-lines", "mixed-case",
	}
	// Descriptive tags beyond the obfuscation list: abbreviated app names
	// (tg, sc, zap), app names in Cyrillic (телега), circled letters.
	extraWritingTags = []string{"abbrev", "translit", "circled"}

	hardNegativeTags = []string{
		"news", "safety-advice", "law-enforcement", "crypto-spam", "marketplace",
		"gaming-invite", "community-invite", "adult-only-ad", "cp-cerebral-palsy",
		"cp-club-penguin", "cp-other", "pizza-food", "product-name", "app-review", "ordinary",
	}

	// minimum number of benign examples per hard-negative type
	hardNegativeMin = map[string]int{
		"news": 25, "safety-advice": 25, "law-enforcement": 25, "crypto-spam": 25,
		"marketplace": 25, "gaming-invite": 25, "adult-only-ad": 25,
		"cp-cerebral-palsy": 10, "cp-club-penguin": 10, "pizza-food": 10, "product-name": 10,
	}

	idPattern = regexp.MustCompile(`^(en|es|pt|de|fr|ru)-(pos|neg)-[0-9]{3}$`)

	// Every canonical handle is made of these characters; a Matrix room
	// alias (#room:server) is the one exception.
	handleChars     = regexp.MustCompile(`^[A-Za-z0-9_.:@+\-=/]+$`)
	matrixRoomAlias = regexp.MustCompile(`^#[a-z0-9._=+\-]+:[a-z0-9.\-]+$`)

	// Canonical shape per app (DESIGN.md, research/detection.md §1).
	canonicalShape = map[string]*regexp.Regexp{
		"telegram":  regexp.MustCompile(`^([a-z][a-z0-9_]{4,31}|\+[A-Za-z0-9_\-]{8,32})$`), // username or invite hash
		"whatsapp":  regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[A-Za-z0-9]{18,26})$`),       // E.164 or group code
		"signal":    regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[a-z_][a-z0-9_]{2,31}\.[0-9]{2,10})$`),
		"discord":   regexp.MustCompile(`^([a-z0-9_.]{2,32}|[A-Za-z0-9\-]{2,32})$`), // username or invite code
		"snapchat":  regexp.MustCompile(`^[a-z][a-z0-9._\-]{1,13}[a-z0-9]$`),
		"kik":       regexp.MustCompile(`^[a-z0-9._]{2,20}$`),
		"wickr":     regexp.MustCompile(`^[a-z0-9_]{4,15}$`),
		"session":   regexp.MustCompile(`^05[0-9a-f]{64}$`),
		"tox":       regexp.MustCompile(`^[0-9A-F]{76}$`),
		"threema":   regexp.MustCompile(`^[A-Z0-9]{8}$`),
		"matrix":    regexp.MustCompile(`^[@#][a-z0-9._=/+\-]+:[a-z0-9.\-]+$`),
		"simplex":   regexp.MustCompile(`^[A-Za-z0-9_\-]{20,}$`),
		"wire":      regexp.MustCompile(`^[a-z0-9_.\-]{2,256}$`),
		"teleguard": regexp.MustCompile(`^[A-Z0-9]{8,9}$`),
		"briar":     regexp.MustCompile(`^[a-z2-7]{53}$`),
		"viber":     regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[A-Za-z0-9_=\-]{6,})$`),
		"line":      regexp.MustCompile(`^[a-z0-9._\-]{3,20}$`),
		"wechat":    regexp.MustCompile(`^[a-z][a-z0-9_\-]{5,19}$`),
		"skype":     regexp.MustCompile(`^([a-z][a-z0-9.,_\-]{5,31}|live:\.cid\.[0-9a-f]{16})$`),
	}
)

func readCorpus(t *testing.T) []detector.CorpusExample {
	t.Helper()
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatalf("reading corpus: %v", err)
	}
	var out []detector.CorpusExample
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			t.Errorf("line %d: empty line", n)
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		var e detector.CorpusExample
		if err := dec.Decode(&e); err != nil {
			t.Errorf("line %d: %v", n, err)
			continue
		}
		if e.ID == "" || e.Text == "" || e.Label == "" || e.Lang == "" || e.Handles == nil || e.Tags == nil {
			t.Errorf("line %d: missing field in %s", n, line)
			continue
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scanning corpus: %v", err)
	}
	return out
}

// literalIn reports whether handle h can be read in text without undoing
// any obfuscation: case-insensitively, and for phone numbers digit by digit
// (a "(0)" trunk prefix is dropped, as E.164 does).
func literalIn(h detector.CorpusHandle, text string) bool {
	if invite, ok := strings.CutPrefix(h.Handle, "+"); ok && !contentrule.IsPhone(h.Handle) {
		return strings.Contains(text, invite) // t.me/+H or t.me/joinchat/H
	}
	if contentrule.IsPhone(h.Handle) {
		var digits strings.Builder
		for _, r := range strings.ReplaceAll(text, "(0)", "") {
			if r >= '0' && r <= '9' {
				digits.WriteRune(r)
			}
		}
		return strings.Contains(digits.String(), h.Handle[1:])
	}
	return strings.Contains(strings.ToLower(text), strings.ToLower(h.Handle))
}

func TestCorpusComposition(t *testing.T) {
	examples := readCorpus(t)
	if len(examples) < 650 {
		t.Errorf("corpus has %d examples, want at least 650", len(examples))
	}

	knownTags := map[string]bool{}
	for _, list := range [][]string{contactForms, obfuscationTags, extraWritingTags, hardNegativeTags} {
		for _, tag := range list {
			knownTags[tag] = true
		}
	}

	var (
		seen          = map[string]bool{}
		labels        = map[string]int{}
		langLabel     = map[string]map[string]int{}
		appLabel      = map[string]map[string]int{}
		solTags       = map[string]int{}
		benignTags    = map[string]int{}
		handleOwner   = map[string]string{}
		invisibleRune = func(r rune) bool { return unicode.Is(unicode.Cf, r) }
	)
	for _, l := range corpusLangs {
		langLabel[l] = map[string]int{}
	}
	for _, a := range wire.Apps {
		appLabel[a] = map[string]int{}
	}

	t.Run("examples", func(t *testing.T) {
		for _, e := range examples {
			if seen[e.ID] {
				t.Errorf("%s: duplicate id", e.ID)
			}
			seen[e.ID] = true
			m := idPattern.FindStringSubmatch(e.ID)
			if m == nil {
				t.Errorf("%s: id does not look like <lang>-<pos|neg>-NNN", e.ID)
			}
			if _, ok := langLabel[e.Lang]; !ok {
				t.Errorf("%s: unknown lang %q", e.ID, e.Lang)
				continue
			}
			if e.Label != "solicitation" && e.Label != "benign" {
				t.Errorf("%s: label %q", e.ID, e.Label)
				continue
			}
			if m != nil {
				wantKind := map[string]string{"solicitation": "pos", "benign": "neg"}[e.Label]
				if m[1] != e.Lang || m[2] != wantKind {
					t.Errorf("%s: id disagrees with lang %q / label %q", e.ID, e.Lang, e.Label)
				}
			}
			if !utf8.ValidString(e.Text) {
				t.Errorf("%s: text is not valid UTF-8", e.ID)
			}
			labels[e.Label]++
			langLabel[e.Lang][e.Label]++
			for _, tag := range e.Tags {
				if !knownTags[tag] {
					t.Errorf("%s: unknown tag %q", e.ID, tag)
				}
				if e.Label == "solicitation" {
					solTags[tag]++
				} else {
					benignTags[tag]++
				}
			}
			if e.Label == "solicitation" {
				if len(e.Handles) == 0 {
					t.Errorf("%s: solicitation without a handle (a finding needs one)", e.ID)
				}
				for _, tag := range hardNegativeTags {
					if slices.Contains(e.Tags, tag) {
						t.Errorf("%s: solicitation carries hard-negative tag %q", e.ID, tag)
					}
				}
			}
			if len(e.Handles) > 0 {
				form := false
				for _, f := range contactForms {
					form = form || slices.Contains(e.Tags, f)
				}
				if !form {
					t.Errorf("%s: has handles but no link/mention/id tag", e.ID)
				}
			}
			if e.Label == "benign" {
				typed := false
				for _, tag := range hardNegativeTags {
					typed = typed || slices.Contains(e.Tags, tag)
				}
				if !typed {
					t.Errorf("%s: benign example without a hard-negative type", e.ID)
				}
			}
			obfuscated := false
			for _, tag := range obfuscationTags {
				obfuscated = obfuscated || slices.Contains(e.Tags, tag)
			}
			obfuscated = obfuscated || slices.Contains(e.Tags, "circled")
			counted := map[string]bool{}
			for _, h := range e.Handles {
				if !wire.IsApp(h.App) {
					t.Errorf("%s: app %q is not in wire.Apps", e.ID, h.App)
					continue
				}
				if !counted[h.App] {
					appLabel[h.App][e.Label]++
					counted[h.App] = true
				}
				if !handleChars.MatchString(h.Handle) && !(h.App == "matrix" && matrixRoomAlias.MatchString(h.Handle)) {
					t.Errorf("%s: handle %q has characters outside the canonical set", e.ID, h.Handle)
				}
				if !canonicalShape[h.App].MatchString(h.Handle) {
					t.Errorf("%s: %s handle %q is not in canonical form", e.ID, h.App, h.Handle)
				}
				if h.App == "tox" && !contentrule.ValidTox(h.Handle) {
					t.Errorf("%s: tox ID %s has a bad checksum", e.ID, h.Handle)
				}
				if contentrule.IsPhone(h.Handle) && !contentrule.FictionalPhone(h.Handle) {
					t.Errorf("%s: phone %s is not in a range reserved for fiction", e.ID, h.Handle)
				}
				if !contentrule.IDLike(h.App, h.Handle) && !contentrule.Placeholder(h.Handle) {
					t.Errorf("%s: handle %q does not read as a placeholder", e.ID, h.Handle)
				}
				if !obfuscated && !literalIn(h, e.Text) {
					t.Errorf("%s: handle %q is not in the text and no obfuscation is tagged", e.ID, h.Handle)
				}
				key := h.App + "\x00" + h.Handle
				if other, dup := handleOwner[key]; dup {
					t.Errorf("%s: handle %s/%s already used by %s", e.ID, h.App, h.Handle, other)
				}
				handleOwner[key] = e.ID
			}
		}
	})

	t.Run("content rule", func(t *testing.T) {
		for _, e := range examples {
			if e.Label == "solicitation" && utf8.RuneCountInString(e.Text) > 600 {
				t.Errorf("%s: solicitation text has %d characters, the content rule wants short ones", e.ID, utf8.RuneCountInString(e.Text))
			}
		}
	})

	// A tag that says which trick a text uses must be true of the text, or
	// per-tag recall numbers mean nothing.
	t.Run("obfuscation tags match the text", func(t *testing.T) {
		inRange := func(lo, hi rune) func(string) bool {
			return func(s string) bool {
				for _, r := range s {
					if r >= lo && r <= hi {
						return true
					}
				}
				return false
			}
		}
		present := map[string]func(string) bool{
			"zerowidth":          func(s string) bool { return strings.IndexFunc(s, invisibleRune) >= 0 },
			"fullwidth":          inRange(0xFF01, 0xFF5E),
			"math":               inRange(0x1D400, 0x1D7FF),
			"regional-indicator": inRange(0x1F1E6, 0x1F1FF),
			"smallcaps": func(s string) bool {
				return strings.ContainsAny(s, "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ")
			},
			"split-lines": func(s string) bool { return strings.Contains(s, "\n") },
			"circled":     inRange(0x24B6, 0x24E9),
		}
		for _, e := range examples {
			for tag, ok := range present {
				if slices.Contains(e.Tags, tag) && !ok(e.Text) {
					t.Errorf("%s: tagged %q but the text has none", e.ID, tag)
				}
			}
			if strings.IndexFunc(e.Text, invisibleRune) >= 0 && !slices.Contains(e.Tags, "zerowidth") {
				t.Errorf("%s: text has an invisible character but no zerowidth tag", e.ID)
			}
		}
	})

	t.Run("balance", func(t *testing.T) {
		sol, ben := labels["solicitation"], labels["benign"]
		if sol < 250 {
			t.Errorf("%d solicitation examples, want at least 250", sol)
		}
		if ben < sol {
			t.Errorf("%d benign examples < %d solicitation: hard negatives must be at least as many", ben, sol)
		}
		for _, l := range corpusLangs {
			c := langLabel[l]
			if c["solicitation"]+c["benign"] < 40 || c["solicitation"] == 0 || c["benign"] == 0 {
				t.Errorf("lang %s: %d solicitation + %d benign, want at least 40 with both labels", l, c["solicitation"], c["benign"])
			}
		}
		for _, a := range wire.Apps {
			if c := appLabel[a]; c["solicitation"] < 8 || c["benign"] < 3 {
				t.Errorf("app %s: in %d solicitation and %d benign examples, want at least 8 and 3", a, c["solicitation"], c["benign"])
			}
		}
		for _, tag := range obfuscationTags {
			if solTags[tag] < 5 {
				t.Errorf("obfuscation %q in %d solicitation examples, want at least 5", tag, solTags[tag])
			}
		}
		for tag, min := range hardNegativeMin {
			if benignTags[tag] < min {
				t.Errorf("hard negative %q: %d benign examples, want at least %d", tag, benignTags[tag], min)
			}
		}
	})

	if testing.Verbose() {
		var b strings.Builder
		fmt.Fprintf(&b, "corpus: %d solicitation, %d benign\n", labels["solicitation"], labels["benign"])
		for _, l := range corpusLangs {
			fmt.Fprintf(&b, "  lang %s: %d / %d\n", l, langLabel[l]["solicitation"], langLabel[l]["benign"])
		}
		for _, a := range wire.Apps {
			fmt.Fprintf(&b, "  app %-9s: %d / %d\n", a, appLabel[a]["solicitation"], appLabel[a]["benign"])
		}
		t.Log(b.String())
	}
}
