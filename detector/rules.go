package detector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// RuleSet is a parsed and validated rule file (configs/rules.yaml). The
// format is documented at the top of that file. It holds no compiled
// matcher: compile turns it into an Engine.
type RuleSet struct {
	Path      string
	Version   string
	ModeCap   wire.Mode
	Scoring   Scoring
	Severity  Thresholds
	Gate      [][]string // a finding needs every category of at least one entry
	Combos    []Combo
	Watchlist WatchlistPolicy
	Rules     []Rule
}

// Scoring holds the proximity and threshold parameters of the rule file.
type Scoring struct {
	Near            int     // bytes between a signal and a handle at which the signal counts fully
	Far             int     // bytes beyond which it counts FarFactor of its weight
	FarFactor       float64 // weight factor of a distant signal
	Finding         float64 // minimum score for a finding
	AmbiguousWindow int     // bytes within which an ambiguous rule needs another category
	MaxSignals      int     // signals listed per finding
	Excerpt         int     // excerpt budget in bytes
}

// Thresholds maps a score to a severity: the highest level whose
// threshold the score reaches.
type Thresholds struct {
	Low, Medium, High, Critical float64
}

// Of returns the severity of score.
func (t Thresholds) Of(score float64) wire.Severity {
	switch {
	case score >= t.Critical:
		return wire.SeverityCritical
	case score >= t.High:
		return wire.SeverityHigh
	case score >= t.Medium:
		return wire.SeverityMedium
	}
	return wire.SeverityLow
}

// Combo raises a finding's severity when every group of categories has a
// signal near the same handle. Each group lists alternatives.
type Combo struct {
	ID       string
	All      [][]string
	Severity wire.Severity
	Line     int
}

// WatchlistPolicy says what a handle on the known list does.
type WatchlistPolicy struct {
	Severity wire.Severity // at least this severity
	Mode     wire.Mode     // at least this mode
}

// Boundary says which edges of a term must sit on a word boundary.
type Boundary uint8

const (
	BoundaryWord   Boundary = iota // both edges
	BoundaryPrefix                 // the left edge only: "sell" matches "selling"
	BoundarySuffix                 // the right edge only
	BoundaryNone                   // anywhere, even inside a word
)

var boundaryNames = map[string]Boundary{"word": BoundaryWord, "prefix": BoundaryPrefix, "suffix": BoundarySuffix, "none": BoundaryNone}

// Scope is how far a negative rule's context reaches.
type Scope uint8

const (
	// ScopePost: the whole post is reporting, advice, an adult ad…: the
	// rule's full weight applies wherever it matched.
	ScopePost Scope = iota
	// ScopeNear: the rule disambiguates the words around it ("pizza" next
	// to an emoji, "notes" next to "cp"): its weight is scaled by its
	// distance to the nearest positive signal, like positive signals are
	// by their distance to a handle.
	ScopeNear
)

// Built-in detectors a rule may name instead of terms.
const detectObfuscation = "obfuscation"

// Term is one literal of a rule, after variable expansion, with its line.
type Term struct {
	Text string
	Line int
}

// Rule is one weighted rule of the lexicon.
type Rule struct {
	ID           string
	Category     string
	Weight       float64 // in [-1, 1]; negative for negative context
	Mode         wire.Mode
	Boundary     Boundary
	Terms        []Term
	Except       []Term         // phrases inside which a term of the rule does not count ("young players")
	Regex        *regexp.Regexp // optional: verifies windows the terms flagged
	Window       int            // bytes around a term hit that the regex sees
	Ambiguous    bool           // counts only with another positive category nearby
	Needs        []string       // counts only with one of these categories nearby (implies Ambiguous)
	NeedsWithin  int            // bytes for Ambiguous and Needs; 0: scoring.ambiguous_window
	SuppressedBy []string       // negative rules: categories or rule ids that switch it off
	Scope        Scope          // negative rules: the whole post, or near the positive signals
	Detect       string         // built-in detector instead of terms
	Line         int
}

// LineError is a rule-file error at a line.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// maxExpandedTerms bounds variable expansion per rule, so a typo cannot
// build a matcher of millions of patterns.
const maxExpandedTerms = 5000

// maxTermBytes bounds a term: terms are short tokens, and the matcher's
// set-up is quadratic in a term's length.
const maxTermBytes = 100

// LoadRules reads and validates a rule file.
func LoadRules(path string) (*RuleSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading rules: %w", err)
	}
	return ParseRules(path, data)
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// ParseRules parses and validates a rule file's content; name is used in
// error messages. Every error is a *LineError.
func ParseRules(name string, data []byte) (rs *RuleSet, err error) {
	p := &parser{file: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if derr := dec.Decode(&doc); derr != nil {
		if errors.Is(derr, io.EOF) {
			return nil, &LineError{name, 1, "empty rule file"}
		}
		return nil, p.yamlError(derr)
	}
	var extra yaml.Node
	if derr := dec.Decode(&extra); derr == nil {
		return nil, &LineError{name, extra.Line, "more than one YAML document"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &LineError{name, 1, "empty rule file"}
	}
	defer func() {
		if r := recover(); r != nil {
			le, ok := r.(*LineError)
			if !ok {
				panic(r)
			}
			rs, err = nil, le
		}
	}()
	return p.ruleFile(doc.Content[0]), nil
}

func (p *parser) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if n, cerr := strconv.Atoi(m[1]); cerr == nil {
			line = n
		}
		msg = strings.TrimSpace(strings.Replace(msg, m[0]+":", "", 1))
	}
	return &LineError{p.file, line, msg}
}

// parser walks the YAML node tree strictly; it panics with *LineError,
// recovered in ParseRules, so the walk reads as the format it checks.
type parser struct {
	file string
	vars map[string][]string
}

func (p *parser) failf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	panic(&LineError{p.file, line, fmt.Sprintf(format, args...)})
}

// fields returns the values of mapping n by key, refusing unknown and
// duplicate keys.
func (p *parser) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	n = p.deref(n)
	if n.Kind != yaml.MappingNode {
		p.failf(n, "%s: must be a mapping", what)
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.failf(k, "%s: keys must be plain words", what)
		}
		if !slices.Contains(known, k.Value) {
			p.failf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
		}
		if _, dup := out[k.Value]; dup {
			p.failf(k, "%s: key %q given twice", what, k.Value)
		}
		out[k.Value] = v
	}
	return out
}

func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for depth := 0; n.Kind == yaml.AliasNode && n.Alias != nil; depth++ {
		if depth > 8 {
			p.failf(n, "alias chain too deep")
		}
		n = n.Alias
	}
	return n
}

func (p *parser) scalar(n *yaml.Node, what string) string {
	n = p.deref(n)
	if n.Kind != yaml.ScalarNode {
		p.failf(n, "%s: must be a single value", what)
	}
	return n.Value
}

func (p *parser) str(n *yaml.Node, what string) string {
	s := p.scalar(n, what)
	if n.Tag == "!!null" {
		p.failf(n, "%s: must not be empty", what)
	}
	return s
}

func (p *parser) float(n *yaml.Node, what string, lo, hi float64) float64 {
	s := p.scalar(n, what)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		p.failf(n, "%s %q is not a number", what, s)
	}
	if f < lo || f > hi {
		p.failf(n, "%s must be between %g and %g", what, lo, hi)
	}
	return f
}

func (p *parser) int_(n *yaml.Node, what string, lo, hi int) int {
	s := p.scalar(n, what)
	v, err := strconv.Atoi(s)
	if err != nil {
		p.failf(n, "%s %q is not a whole number", what, s)
	}
	if v < lo || v > hi {
		p.failf(n, "%s must be between %d and %d", what, lo, hi)
	}
	return v
}

func (p *parser) bool_(n *yaml.Node, what string) bool {
	switch s := p.scalar(n, what); s {
	case "true":
		return true
	case "false":
		return false
	default:
		p.failf(n, "%s: %q is not true or false", what, s)
	}
	return false
}

func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	n = p.deref(n)
	if n.Kind != yaml.SequenceNode {
		p.failf(n, "%s: must be a list", what)
	}
	return n.Content
}

func (p *parser) strList(n *yaml.Node, what string) []string {
	var out []string
	for _, c := range p.list(n, what) {
		out = append(out, p.str(c, what))
	}
	return out
}

func (p *parser) mode(n *yaml.Node, what string) wire.Mode {
	m := wire.Mode(p.str(n, what))
	switch m {
	case wire.ModeShadow, wire.ModeAlert, wire.ModeAct:
		return m
	}
	p.failf(n, "%s: %q is not shadow, alert or act", what, m)
	return ""
}

func (p *parser) severity(n *yaml.Node, what string) wire.Severity {
	s, err := wire.ParseSeverity(p.str(n, what))
	if err != nil {
		p.failf(n, "%s: %v", what, err)
	}
	return s
}

var (
	idRE       = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
	categoryRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	versionRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)
	varRefRE   = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)
)

func (p *parser) ruleFile(root *yaml.Node) *RuleSet {
	f := p.fields(root, "rule file", "version", "mode_cap", "scoring", "severity", "gate", "combos", "watchlist", "vars", "rules")
	rs := &RuleSet{
		Path:    p.file,
		ModeCap: wire.ModeAct,
		Scoring: Scoring{Near: 80, Far: 400, FarFactor: 0.3, Finding: 0.5, AmbiguousWindow: 60, MaxSignals: 32, Excerpt: 500},
		Severity: Thresholds{
			Low: 0.5, Medium: 0.65, High: 0.8, Critical: 0.92,
		},
		Watchlist: WatchlistPolicy{Severity: wire.SeverityHigh, Mode: wire.ModeAlert},
	}
	v, ok := f["version"]
	if !ok {
		p.failf(root, "version: required (it goes into every finding)")
	}
	rs.Version = p.str(v, "version")
	if !versionRE.MatchString(rs.Version) {
		p.failf(v, "version: %q must be 1-64 letters, digits, '.', '_', '+' or '-'", rs.Version)
	}
	if n, ok := f["mode_cap"]; ok {
		rs.ModeCap = p.mode(n, "mode_cap")
	}
	if n, ok := f["scoring"]; ok {
		p.scoring(n, &rs.Scoring)
	}
	if n, ok := f["severity"]; ok {
		p.thresholds(n, &rs.Severity)
	}
	if n, ok := f["watchlist"]; ok {
		w := p.fields(n, "watchlist", "severity", "mode")
		if s, ok := w["severity"]; ok {
			rs.Watchlist.Severity = p.severity(s, "watchlist.severity")
		}
		if m, ok := w["mode"]; ok {
			rs.Watchlist.Mode = p.mode(m, "watchlist.mode")
		}
	}
	p.vars = map[string][]string{}
	if n, ok := f["vars"]; ok {
		p.parseVars(n)
	}
	rn, ok := f["rules"]
	if !ok {
		p.failf(root, "rules: required")
	}
	ids := map[string]int{}
	for i, n := range p.list(rn, "rules") {
		r := p.rule(n, i)
		if prev, dup := ids[r.ID]; dup {
			p.failf(n, "rule %s: id already used at line %d", r.ID, prev)
		}
		ids[r.ID] = r.Line
		rs.Rules = append(rs.Rules, r)
	}
	if len(rs.Rules) == 0 {
		p.failf(rn, "rules: at least one rule is required")
	}
	cats := p.checkCategories(rs)
	if n, ok := f["gate"]; ok {
		for i, g := range p.list(n, "gate") {
			what := fmt.Sprintf("gate[%d]", i)
			group := p.strList(g, what)
			if len(group) == 0 {
				p.failf(g, "%s: must name at least one category", what)
			}
			for _, c := range group {
				p.positiveCategory(g, what, c, cats)
			}
			rs.Gate = append(rs.Gate, group)
		}
	}
	if n, ok := f["combos"]; ok {
		for i, c := range p.list(n, "combos") {
			rs.Combos = append(rs.Combos, p.combo(c, i, cats))
		}
	}
	for _, r := range rs.Rules {
		for _, c := range r.Needs {
			p.positiveCategory(&yaml.Node{Line: r.Line}, "rule "+r.ID+": needs", c, cats)
		}
		for _, s := range r.SuppressedBy {
			if _, isCat := cats[s]; !isCat && ids[s] == 0 {
				p.failf(&yaml.Node{Line: r.Line}, "rule %s: suppressed_by %q is neither a category nor a rule id", r.ID, s)
			}
		}
	}
	return rs
}

func (p *parser) scoring(n *yaml.Node, s *Scoring) {
	f := p.fields(n, "scoring", "near", "far", "far_factor", "finding", "ambiguous_window", "max_signals", "excerpt")
	if v, ok := f["near"]; ok {
		s.Near = p.int_(v, "scoring.near:", 1, 10000)
	}
	if v, ok := f["far"]; ok {
		s.Far = p.int_(v, "scoring.far:", 1, 100000)
	}
	if s.Far < s.Near {
		p.failf(n, "scoring.far: must not be less than scoring.near (%d)", s.Near)
	}
	if v, ok := f["far_factor"]; ok {
		s.FarFactor = p.float(v, "scoring.far_factor:", 0, 1)
	}
	if v, ok := f["finding"]; ok {
		s.Finding = p.float(v, "scoring.finding:", 0.01, 1)
	}
	if v, ok := f["ambiguous_window"]; ok {
		s.AmbiguousWindow = p.int_(v, "scoring.ambiguous_window:", 1, 10000)
	}
	if v, ok := f["max_signals"]; ok {
		s.MaxSignals = p.int_(v, "scoring.max_signals:", 1, 1000)
	}
	if v, ok := f["excerpt"]; ok {
		s.Excerpt = p.int_(v, "scoring.excerpt:", 100, 4000)
	}
}

func (p *parser) thresholds(n *yaml.Node, t *Thresholds) {
	f := p.fields(n, "severity", "low", "medium", "high", "critical")
	for _, k := range []struct {
		key string
		dst *float64
	}{{"low", &t.Low}, {"medium", &t.Medium}, {"high", &t.High}, {"critical", &t.Critical}} {
		if v, ok := f[k.key]; ok {
			*k.dst = p.float(v, "severity."+k.key+":", 0, 1)
		}
	}
	if !(t.Low < t.Medium && t.Medium < t.High && t.High < t.Critical) {
		p.failf(n, "severity: thresholds must rise: low < medium < high < critical")
	}
}

func (p *parser) parseVars(n *yaml.Node) {
	n = p.deref(n)
	if n.Kind != yaml.MappingNode {
		p.failf(n, "vars: must be a mapping of names to lists")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := p.scalar(k, "vars")
		if !categoryRE.MatchString(name) {
			p.failf(k, "vars: %q must be a lowercase word", name)
		}
		if _, dup := p.vars[name]; dup {
			p.failf(k, "vars: %q given twice", name)
		}
		vals := p.strList(v, "vars."+name)
		if len(vals) == 0 {
			p.failf(v, "vars.%s: must not be empty", name)
		}
		p.vars[name] = vals
	}
}

func (p *parser) rule(n *yaml.Node, i int) Rule {
	what := fmt.Sprintf("rules[%d]", i)
	f := p.fields(n, what, "id", "category", "weight", "mode", "boundary", "terms", "regex", "window",
		"ambiguous", "needs", "needs_within", "suppressed_by", "scope", "except", "detect")
	r := Rule{Line: p.deref(n).Line, Mode: wire.ModeShadow, Boundary: BoundaryWord, Window: 24}
	idn, ok := f["id"]
	if !ok {
		p.failf(n, "%s: id required", what)
	}
	r.ID = p.str(idn, what+".id")
	if !idRE.MatchString(r.ID) {
		p.failf(idn, "%s: id %q must be dotted lowercase words (offer.trade)", what, r.ID)
	}
	what = "rule " + r.ID
	need := func(key string) *yaml.Node {
		v, ok := f[key]
		if !ok {
			p.failf(n, "%s: %s required", what, key)
		}
		return v
	}
	cn := need("category")
	r.Category = p.str(cn, what+": category")
	if !categoryRE.MatchString(r.Category) {
		p.failf(cn, "%s: category %q must be a lowercase word", what, r.Category)
	}
	r.Weight = p.float(need("weight"), what+": weight", -1, 1)
	if r.Weight == 0 {
		p.failf(f["weight"], "%s: weight must not be 0", what)
	}
	r.Mode = p.mode(need("mode"), what+": mode")
	if v, ok := f["boundary"]; ok {
		b, known := boundaryNames[p.str(v, what+": boundary")]
		if !known {
			p.failf(v, "%s: boundary %q is not word, prefix, suffix or none", what, v.Value)
		}
		r.Boundary = b
	}
	if v, ok := f["ambiguous"]; ok {
		r.Ambiguous = p.bool_(v, what+": ambiguous")
	}
	if v, ok := f["needs"]; ok {
		r.Needs = p.strList(v, what+": needs")
		if len(r.Needs) == 0 {
			p.failf(v, "%s: needs must name at least one category", what)
		}
		r.Ambiguous = true
	}
	if v, ok := f["needs_within"]; ok {
		if !r.Ambiguous {
			p.failf(v, "%s: needs_within is for rules with needs or ambiguous", what)
		}
		r.NeedsWithin = p.int_(v, what+": needs_within", 1, 10000)
	}
	if r.Ambiguous && r.Weight < 0 {
		p.failf(n, "%s: ambiguous and needs are for positive rules", what)
	}
	if v, ok := f["scope"]; ok {
		if r.Weight > 0 {
			p.failf(v, "%s: scope is for negative rules only", what)
		}
		switch sc := p.str(v, what+": scope"); sc {
		case "post":
			r.Scope = ScopePost
		case "near":
			r.Scope = ScopeNear
		default:
			p.failf(v, "%s: scope %q is not post or near", what, sc)
		}
	}
	if v, ok := f["suppressed_by"]; ok {
		if r.Weight > 0 {
			p.failf(v, "%s: suppressed_by is for negative rules only", what)
		}
		r.SuppressedBy = p.strList(v, what+": suppressed_by")
	}
	if v, ok := f["window"]; ok {
		r.Window = p.int_(v, what+": window", 1, 200)
	}
	if v, ok := f["detect"]; ok {
		r.Detect = p.str(v, what+": detect")
		if r.Detect != detectObfuscation {
			p.failf(v, "%s: detect %q is unknown (known: %s)", what, r.Detect, detectObfuscation)
		}
		if _, has := f["terms"]; has {
			p.failf(v, "%s: detect and terms exclude each other", what)
		}
		if r.Weight < 0 {
			p.failf(v, "%s: a built-in detector must have a positive weight", what)
		}
		return r
	}
	if v, ok := f["regex"]; ok {
		src := p.str(v, what+": regex")
		if len(src) > 300 {
			p.failf(v, "%s: regex longer than 300 bytes: keep regexes small, terms do the matching", what)
		}
		re, err := regexp.Compile(src)
		if err != nil {
			p.failf(v, "%s: regex: %v", what, err)
		}
		r.Regex = re
	}
	tn := need("terms")
	r.Terms = p.phrases(tn, what, "terms", "term")
	if len(r.Terms) == 0 {
		p.failf(tn, "%s: terms must not be empty", what)
	}
	if v, ok := f["except"]; ok {
		r.Except = p.phrases(v, what, "except", "except phrase")
	}
	return r
}

// phrases reads the list n of a rule's terms or except phrases, each
// expanded over the vars and bounded like a term.
func (p *parser) phrases(n *yaml.Node, what, key, noun string) []Term {
	var out []Term
	for _, t := range p.list(n, what+": "+key) {
		text := p.str(t, what+": "+key)
		if strings.TrimSpace(text) == "" {
			p.failf(t, "%s: empty %s", what, noun)
		}
		for _, e := range p.expand(t, what, text) {
			if len(e) > maxTermBytes {
				p.failf(t, "%s: %s %.20q… is longer than %d bytes: terms and except phrases are short tokens", what, noun, e, maxTermBytes)
			}
			out = append(out, Term{Text: e, Line: t.Line})
		}
		if len(out) > maxExpandedTerms {
			p.failf(t, "%s: more than %d %s after expanding vars", what, maxExpandedTerms, key)
		}
	}
	return out
}

// expand replaces every {var} of text by each value of the var.
func (p *parser) expand(n *yaml.Node, what, text string) []string {
	m := varRefRE.FindStringSubmatchIndex(text)
	if m == nil {
		return []string{text}
	}
	name := text[m[2]:m[3]]
	vals, ok := p.vars[name]
	if !ok {
		p.failf(n, "%s: term %q uses undefined var {%s}", what, text, name)
	}
	var out []string
	for _, v := range vals {
		out = append(out, p.expand(n, what, text[:m[0]]+v+text[m[1]:])...)
		if len(out) > maxExpandedTerms {
			p.failf(n, "%s: more than %d terms after expanding vars", what, maxExpandedTerms)
		}
	}
	return out
}

// checkCategories returns each category's sign and refuses a category
// with both positive and negative rules.
func (p *parser) checkCategories(rs *RuleSet) map[string]bool {
	positive := map[string]bool{}
	for _, r := range rs.Rules {
		pos, seen := positive[r.Category]
		if seen && pos != (r.Weight > 0) {
			p.failf(&yaml.Node{Line: r.Line}, "rule %s: category %s mixes positive and negative weights", r.ID, r.Category)
		}
		positive[r.Category] = r.Weight > 0
	}
	return positive
}

func (p *parser) positiveCategory(n *yaml.Node, what, c string, cats map[string]bool) {
	pos, ok := cats[c]
	switch {
	case !ok:
		known := make([]string, 0, len(cats))
		for k := range cats {
			known = append(known, k)
		}
		sort.Strings(known)
		p.failf(n, "%s: category %q has no rule (categories: %s)", what, c, strings.Join(known, ", "))
	case !pos:
		p.failf(n, "%s: category %q is negative context", what, c)
	}
}

func (p *parser) combo(n *yaml.Node, i int, cats map[string]bool) Combo {
	what := fmt.Sprintf("combos[%d]", i)
	f := p.fields(n, what, "id", "all", "severity")
	c := Combo{Line: p.deref(n).Line}
	idn, ok := f["id"]
	if !ok {
		p.failf(n, "%s: id required", what)
	}
	c.ID = p.str(idn, what+".id")
	if !idRE.MatchString(c.ID) {
		p.failf(idn, "%s: id %q must be dotted lowercase words", what, c.ID)
	}
	what = "combo " + c.ID
	an, ok := f["all"]
	if !ok {
		p.failf(n, "%s: all required", what)
	}
	for _, g := range p.strList(an, what+": all") {
		alts := strings.Split(g, "|")
		for _, a := range alts {
			p.positiveCategory(an, what+": all", a, cats)
		}
		c.All = append(c.All, alts)
	}
	if len(c.All) < 2 {
		p.failf(an, "%s: all must list at least two categories", what)
	}
	sn, ok := f["severity"]
	if !ok {
		p.failf(n, "%s: severity required", what)
	}
	c.Severity = p.severity(sn, what+": severity")
	return c
}
