package detector

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/model"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Watchlist answers whether a handle is on the moderators' lists. The
// engine asks on the hot path, so implementations answer from memory.
type Watchlist interface {
	Known(app, handle string) bool
	Cleared(app, handle string) bool
}

// ImportedWatchlist is a Watchlist that also knows the handles partners
// shared and no moderator has decided on yet. Such a handle makes a post
// a finding in shadow mode only: recorded for a moderator to look at,
// never an alert or a takedown on its own.
type ImportedWatchlist interface {
	Imported(app, handle string) bool
}

// Engine is the pure detector: normalise, find handles and signals, score
// and explain. It is immutable and safe for concurrent use.
type Engine struct {
	rules   *RuleSet
	lex     *lexicon
	obfRule int32 // the rule of the built-in obfuscation detector, or -1
	x       extractor
	watch   Watchlist
	partner ImportedWatchlist // watch, when it knows imports
	model   *model.Model      // nil: the rules' gate decides
	// keepVector makes analyze build the scorer's input without a model,
	// at vectorBits (training).
	keepVector bool
	vectorBits uint8
	now        func() time.Time
	pool       *sync.Pool
	pf         func() *prefilter // built once, on first use
}

// extractor finds handles; *handles.Extractor is the one in use.
type extractor interface {
	Extract(t *normalize.Text) []handles.Match
}

var _ extractor = (*handles.Extractor)(nil)

// scratch is the per-call working memory, pooled so a post allocates
// little beyond what its finding needs.
type scratch struct {
	n    *normalize.Normalizer
	text normalize.Text
	hits []hit
}

// LoadEngine reads a rule file and builds an engine; a malformed file is
// refused with its line and reason.
func LoadEngine(path string) (*Engine, error) {
	rs, err := LoadRules(path)
	if err != nil {
		return nil, err
	}
	return NewEngine(rs)
}

// NewEngine builds an engine from a parsed rule set.
func NewEngine(rs *RuleSet) (*Engine, error) {
	lex, err := buildLexicon(rs)
	if err != nil {
		return nil, err
	}
	e := &Engine{rules: rs, lex: lex, obfRule: -1, x: handles.NewExtractor(), now: time.Now,
		pool: &sync.Pool{New: func() any { return &scratch{n: normalize.NewNormalizer()} }}}
	e.pf = sync.OnceValue(func() *prefilter {
		if x, ok := e.x.(*handles.Extractor); ok {
			return newPrefilter(x)
		}
		return nil
	})
	for i := range rs.Rules {
		if rs.Rules[i].Detect == detectObfuscation {
			if e.obfRule >= 0 {
				return nil, &LineError{rs.Path, rs.Rules[i].Line, fmt.Sprintf("rule %s: only one rule may use detect: %s", rs.Rules[i].ID, detectObfuscation)}
			}
			e.obfRule = int32(i)
		}
	}
	return e, nil
}

// prefilter is the scan's raw-line prefilter for this engine's extractor,
// nil when the extractor is not the one it was derived from.
func (e *Engine) prefilter() *prefilter {
	if _, ok := e.x.(*handles.Extractor); !ok || e.pf == nil {
		return nil
	}
	return e.pf()
}

// RulesVersion is the version of the loaded rule file.
func (e *Engine) RulesVersion() string { return e.rules.Version }

// Rules is the rule set the engine runs; callers must not modify it.
func (e *Engine) Rules() *RuleSet { return e.rules }

// WithWatchlist returns a copy of the engine that consults w.
func (e *Engine) WithWatchlist(w Watchlist) *Engine {
	c := *e
	c.watch = w
	c.partner, _ = w.(ImportedWatchlist)
	return &c
}

// WithModel returns a copy of the engine whose verdict is the trained
// scorer's; the rules then explain, set modes and severity, and the
// watchlists still decide on their own.
func (e *Engine) WithModel(m *model.Model) *Engine {
	c := *e
	c.model = m
	return &c
}

// Model is the scorer the engine runs, nil when the rules' gate decides.
func (e *Engine) Model() *model.Model { return e.model }

// Version names what decides a finding: the rule set, and the model when
// one is loaded. Finding ids derive from it, so a new model re-scans.
func (e *Engine) Version() string {
	if e.model == nil {
		return e.rules.Version
	}
	return e.rules.Version + "+" + e.model.Version
}

// withClock returns a copy of the engine whose findings carry now().
func (e *Engine) withClock(now func() time.Time) *Engine {
	c := *e
	c.now = now
	return &c
}

// Analysis is everything the engine saw in a post, whether or not it makes
// a finding: Eval needs handle accuracy on benign posts too. Spans are
// byte offsets into Text.
type Analysis struct {
	Text     string        // the analysed text: the post text, then links it does not contain
	Handles  []wire.Handle // distinct (app, handle), first occurrence
	Signals  []wire.Signal // rules that counted; Weight is scaled by proximity to a handle
	Score    float64
	Severity wire.Severity
	Mode     wire.Mode
	Finding  bool
	Reason   string // why there is or is not a finding
	// RuleScore is the rules' own noisy-or score; Score is the model's
	// calibrated probability when a model decides.
	RuleScore float64
	Evidence  []wire.Evidence // what pushed the model's score most
	vector    *featurizer     // the scorer's input, for explanations and training
}

// Detect returns the finding for p, or nil when nothing was found.
func (e *Engine) Detect(p *wire.Post) *wire.Finding {
	f, _ := e.detect(p)
	return f
}

// detect is Detect that also returns the analysis, nil when the post had
// no handle (the fast path skips the lexicon then). UTF-8 is checked only
// when there is a finding: its excerpt must be valid, and most posts have
// none (the worker's posts are valid already).
func (e *Engine) detect(p *wire.Post) (*wire.Finding, *Analysis) {
	text := analysedText(p)
	a := e.analyze(text, false)
	if a == nil || !a.Finding {
		return nil, a
	}
	if !utf8.ValidString(text) {
		a = e.analyze(strings.ToValidUTF8(text, "\uFFFD"), false)
		if a == nil || !a.Finding {
			return nil, a
		}
	}
	return e.finding(p, a), a
}

// Analyze returns the engine's full view of p.
func (e *Engine) Analyze(p *wire.Post) *Analysis {
	text := analysedText(p)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	return e.analyze(text, true)
}

// analysedText is the post text followed by each outbound link it does not
// already contain: crawlers put t.me links in structured fields too.
func analysedText(p *wire.Post) string {
	text := p.Text
	if len(p.Links) > 0 {
		var b strings.Builder
		b.WriteString(text)
		for _, l := range p.Links {
			if l != "" && !strings.Contains(text, l) {
				b.WriteByte('\n')
				b.WriteString(l)
			}
		}
		text = b.String()
	}
	return text
}

// occurrence is one signal in original-text coordinates while scoring.
type occurrence struct {
	rule    int32
	pattern int32
	span    wire.Span
	prox    float64
	counted bool
}

type handleOcc struct {
	span     wire.Span // whole match, for proximity
	distinct int       // index into Analysis.Handles
}

func (e *Engine) analyze(text string, full bool) *Analysis {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	sc.n.Normalize(&sc.text, text)
	matches := e.x.Extract(&sc.text)
	if len(matches) == 0 {
		matches = bareMentions(&sc.text)
	}
	if !full && len(matches) == 0 {
		return nil
	}
	a := &Analysis{Text: text}
	hs := e.collectHandles(a, matches)
	sc.hits = e.lex.scan(sc.text.Norm, sc.hits[:0])
	var langs []string
	if len(matches) > 0 {
		langs = langsFor(sc.text.Norm)
		sc.hits = e.lex.stemHits(e.rules, sc.text.Norm, langs, sc.hits)
	}
	sc.hits = e.verifyRegexes(sc.text.Norm, sc.hits)
	occs := make([]occurrence, 0, len(sc.hits)+2)
	for _, h := range sc.hits {
		s, t := sc.text.OrigSpan(int(h.start), int(h.end))
		occs = append(occs, occurrence{rule: h.rule, pattern: h.pattern, span: wire.Span{Start: s, End: t}})
	}
	occs = e.addObfuscation(text, occs, matches)
	e.score(a, text, occs, hs, &sc.text, matches, langs)
	return a
}

func (e *Engine) collectHandles(a *Analysis, matches []handles.Match) []handleOcc {
	hs := make([]handleOcc, 0, len(matches))
	for _, m := range matches {
		if !wire.IsApp(m.App) || m.Handle == "" {
			continue
		}
		span := wire.Span{Start: m.Start, End: m.End}
		if !span.Valid(len(a.Text)) || span.Start == span.End {
			continue
		}
		idx := -1
		for i, h := range a.Handles {
			if h.App == m.App && h.Handle == m.Handle {
				idx = i
				break
			}
		}
		if idx < 0 {
			idx = len(a.Handles)
			a.Handles = append(a.Handles, wire.Handle{App: m.App, Handle: strings.Clone(m.Handle),
				Raw: strings.Clone(m.Raw), Kind: m.Kind, Span: span})
		}
		hs = append(hs, handleOcc{span: span, distinct: idx})
	}
	return hs
}

// verifyRegexes replaces the hits of rules with a regex by the regex's
// matches in a small window around them: the regex only ever runs where
// the prefilter flagged a term.
func (e *Engine) verifyRegexes(norm string, hits []hit) []hit {
	n := len(hits)
	for i := 0; i < n; i++ {
		r := &e.rules.Rules[hits[i].rule]
		if r.Regex == nil {
			continue
		}
		lo, hi := int(hits[i].start)-r.Window, int(hits[i].end)+r.Window
		lo, hi = max(lo, 0), min(hi, len(norm))
		for lo > 0 && !utf8.RuneStart(norm[lo]) {
			lo--
		}
		for hi < len(norm) && !utf8.RuneStart(norm[hi]) {
			hi++
		}
		for _, m := range r.Regex.FindAllStringIndex(norm[lo:hi], -1) {
			s, t := int32(lo+m[0]), int32(lo+m[1])
			if s < hits[i].end && hits[i].start < t && s < t {
				hits = append(hits, hit{rule: hits[i].rule, pattern: -1, start: s, end: t})
			}
		}
		hits[i].rule = -1 // the trigger alone does not count
	}
	out := hits[:0]
	for _, h := range hits {
		if h.rule >= 0 && !containsHit(out, h) {
			out = append(out, h)
		}
	}
	return out
}

func containsHit(hs []hit, h hit) bool {
	for _, x := range hs {
		if x.rule == h.rule && x.start == h.start && x.end == h.end {
			return true
		}
	}
	return false
}

// addObfuscation records the built-in evasion signal wherever a positive
// term or an app name was written in disguise: homoglyphs, fullwidth or
// styled letters, zero-width characters, leetspeak or letter spacing.
func (e *Engine) addObfuscation(text string, occs []occurrence, matches []handles.Match) []occurrence {
	if e.obfRule < 0 {
		return occs
	}
	n := len(occs)
	for i := 0; i < n; i++ {
		o := occs[i]
		if o.pattern < 0 || e.rules.Rules[o.rule].Weight < 0 {
			continue
		}
		pat := e.lex.patterns[o.pattern]
		if obfuscated(text[o.span.Start:o.span.End], e.lex.scripts[o.pattern], !hasDigit(pat), true) {
			occs = append(occs, occurrence{rule: e.obfRule, pattern: -1, span: o.span})
		}
	}
	for _, m := range matches {
		if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
			continue
		}
		// The app name before the handle: digits there are leetspeak.
		if m.HandleStart > m.Start && m.HandleStart <= m.End {
			if obfuscated(text[m.Start:m.HandleStart], scriptLatin, true, true) {
				occs = append(occs, occurrence{rule: e.obfRule, pattern: -1, span: wire.Span{Start: m.Start, End: m.End}})
				continue
			}
		}
		hs, he := m.HandleStart, m.HandleEnd
		if hs >= m.Start && he <= m.End && hs < he && obfuscated(text[hs:he], scriptLatin, false, true) {
			occs = append(occs, occurrence{rule: e.obfRule, pattern: -1, span: wire.Span{Start: m.Start, End: m.End}})
		}
	}
	return occs
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

// score turns occurrences into the analysis' signals, score, severity,
// mode and verdict. Rules record signals; this is the one place that
// combines them.
func (e *Engine) score(a *Analysis, text string, occs []occurrence, hs []handleOcc, nt *normalize.Text, matches []handles.Match, langs []string) {
	rs := e.rules
	sc := rs.Scoring
	occs = dropNested(occs)
	for i := range occs {
		occs[i].prox = proximity(text, occs[i].span, hs, sc)
	}
	// Ambiguous rules ("cp", "pizza") count only beside another category.
	for i := range occs {
		r := &rs.Rules[occs[i].rule]
		occs[i].counted = r.Weight < 0 || !r.Ambiguous || e.corroborated(occs, i)
	}
	// Per rule, its strongest occurrence; positive rules combine noisy-or,
	// in rule order so the score is the same on every run.
	best := make([]float64, len(rs.Rules))
	cats := make(map[string]bool, 8)
	anyPositive := false
	for _, o := range occs {
		r := &rs.Rules[o.rule]
		if !o.counted || r.Weight < 0 {
			continue
		}
		w := r.Weight * o.prox
		if w <= 0 {
			continue
		}
		best[o.rule] = max(best[o.rule], w)
		cats[r.Category] = true
		anyPositive = true
	}
	pos := 1.0
	mode := wire.ModeShadow
	for ri, w := range best {
		if w == 0 {
			continue
		}
		pos *= 1 - w
		if m := rs.Rules[ri].Mode; m.Rank() > mode.Rank() {
			mode = m
		}
	}
	// Negative context: post-wide rules at full weight, near-scoped ones
	// scaled by their distance to the nearest positive signal.
	var positives []handleOcc
	for _, o := range occs {
		if r := &rs.Rules[o.rule]; o.counted && r.Weight > 0 {
			positives = append(positives, handleOcc{span: o.span})
		}
	}
	neg := 1.0
	for ri := range rs.Rules {
		r := &rs.Rules[ri]
		if r.Weight >= 0 || !hasRule(occs, int32(ri)) {
			continue
		}
		off := e.suppressed(r, best, cats)
		strongest := 0.0
		for i := range occs {
			if occs[i].rule != int32(ri) {
				continue
			}
			occs[i].counted = !off
			occs[i].prox = 1
			if r.Scope == ScopeNear {
				occs[i].prox = proximity(text, occs[i].span, positives, sc)
			}
			strongest = max(strongest, -r.Weight*occs[i].prox)
		}
		if !off {
			neg *= 1 - strongest
		}
	}
	a.Score = round4((1 - pos) * neg)
	a.RuleScore = a.Score
	a.Severity = rs.Severity.Of(a.Score)
	a.Mode = mode
	a.Signals = e.signals(occs)
	gateOK := len(rs.Gate) == 0
	for _, g := range rs.Gate {
		all := true
		for _, c := range g {
			all = all && cats[c]
		}
		gateOK = gateOK || all
	}
	gateOK = gateOK && anyPositive
	if len(a.Handles) > 0 && (e.model != nil || e.keepVector) {
		bits := e.vectorBits
		if e.model != nil {
			bits = e.model.Bits
		}
		a.vector = e.features(featureInput{text: nt, matches: matches, langs: langs, occs: occs, cats: cats, gateOK: gateOK, score: a.Score}, bits)
	}
	if e.model != nil && a.vector != nil {
		p := e.model.Prob(a.vector.v)
		if wfz, wp := e.windowScore(a.vector); wp > p {
			a.vector, p = wfz, wp
		}
		a.Score = round4(p)
		a.Severity = rs.Severity.Of(a.Score)
	}
	e.verdict(a, gateOK, occs, hs, anyPositive)
}

// Long posts are also scored window by window: an offer buried in an
// ordinary ad or a match report is one sentence among many, and the words
// around it would outvote it in the whole post's score. Each window keeps
// the whole post's rule and contact features (a news story's wording still
// counts against every window) and only its own words.
const (
	windowTokens    = 20 // about two sentences
	windowStride    = 10
	windowMinTokens = 30 // shorter posts are one window
)

// windowScore returns the best-scoring window of a post longer than
// windowMinTokens, and its probability; nil and 0 for a shorter post.
// Only the best window's vector is kept: the others' are reused, since a
// long post has a dozen windows and a fresh vector each (a map and a
// slice sized for a post) cost more than scoring them.
func (e *Engine) windowScore(full *featurizer) (*featurizer, float64) {
	var best *featurizer
	var spare *model.Vector
	bestP := 0.0
	reuse := func() *model.Vector { v := spare; spare = nil; return v }
	e.eachWindow(full, reuse, func(fz *featurizer) {
		if p := e.model.Prob(fz.v); p > bestP {
			if best != nil {
				spare = best.v
			}
			best, bestP = fz, p
		} else {
			spare = fz.v
		}
	})
	return best, bestP
}

// windows featurizes each window of a long post; none for a short one.
func (e *Engine) windows(full *featurizer) []*featurizer {
	var out []*featurizer
	e.eachWindow(full, func() *model.Vector { return nil }, func(fz *featurizer) { out = append(out, fz) })
	return out
}

// eachWindow featurizes the windows of a long post in order, each into the
// vector next gives (nil: a new one); a short post has none.
func (e *Engine) eachWindow(full *featurizer, next func() *model.Vector, yield func(*featurizer)) {
	if full.ntoks <= windowMinTokens {
		return
	}
	for lo := 0; lo < full.ntoks; lo += windowStride {
		w := &tokenWindow{lo: lo, hi: lo + windowTokens, toks: full.toks}
		yield(e.featurizeInto(next(), full.in, full.bits, false, w))
		if w.hi >= full.ntoks {
			break
		}
	}
}

// dropNested removes an occurrence inside another of the same rule: "sell"
// inside "selling", "dm" inside "dm me" are one signal, not two.
func dropNested(occs []occurrence) []occurrence {
	sort.SliceStable(occs, func(i, j int) bool {
		a, b := occs[i], occs[j]
		if a.rule != b.rule {
			return a.rule < b.rule
		}
		if a.span.Start != b.span.Start {
			return a.span.Start < b.span.Start
		}
		return a.span.End > b.span.End
	})
	out := occs[:0]
	lastRule, lastEnd := int32(-1), -1
	for _, o := range occs {
		if o.rule == lastRule && o.span.End <= lastEnd {
			continue
		}
		if o.rule != lastRule || o.span.End > lastEnd {
			lastRule, lastEnd = o.rule, o.span.End
		}
		out = append(out, o)
	}
	return out
}

// proximity is the factor a signal's weight counts with: 1 near a handle
// or on its line within Far, FarFactor beyond Far, linear between.
func proximity(text string, s wire.Span, hs []handleOcc, sc Scoring) float64 {
	best := sc.FarFactor
	for _, h := range hs {
		d, lo, hi := gap(s, h.span)
		var f float64
		switch {
		case d <= sc.Near:
			f = 1
		case d <= sc.Far && strings.IndexByte(text[lo:hi], '\n') < 0:
			f = 1 // same line
		case d >= sc.Far:
			f = sc.FarFactor
		default:
			f = 1 - (1-sc.FarFactor)*float64(d-sc.Near)/float64(sc.Far-sc.Near)
		}
		best = max(best, f)
	}
	return best
}

// gap is the distance in bytes between two spans and the text between.
func gap(a, b wire.Span) (d, lo, hi int) {
	switch {
	case a.End <= b.Start:
		return b.Start - a.End, a.End, b.Start
	case b.End <= a.Start:
		return a.Start - b.End, b.End, a.Start
	}
	return 0, 0, 0
}

func (e *Engine) corroborated(occs []occurrence, i int) bool {
	rs := e.rules
	ri := &rs.Rules[occs[i].rule]
	within := ri.NeedsWithin
	if within == 0 {
		within = rs.Scoring.AmbiguousWindow
	}
	for j, o := range occs {
		r := &rs.Rules[o.rule]
		// Another ambiguous word may corroborate ("young" beside "cp"), but
		// never one of the same category, and never the evasion detector,
		// which only fires on other terms.
		if j == i || r.Weight < 0 || r.Category == ri.Category || r.Detect != "" {
			continue
		}
		if len(ri.Needs) > 0 && !slices.Contains(ri.Needs, r.Category) {
			continue
		}
		if d, _, _ := gap(occs[i].span, o.span); d <= within {
			return true
		}
	}
	return false
}

// suppressed reports whether a category or rule that switches negative
// rule r off has counted.
func (e *Engine) suppressed(r *Rule, best []float64, cats map[string]bool) bool {
	for _, s := range r.SuppressedBy {
		if cats[s] {
			return true
		}
		for ri, w := range best {
			if w > 0 && e.rules.Rules[ri].ID == s {
				return true
			}
		}
	}
	return false
}

func hasRule(occs []occurrence, rule int32) bool {
	for _, o := range occs {
		if o.rule == rule {
			return true
		}
	}
	return false
}

// signals lists the occurrences that counted, the strongest first when
// there are more than MaxSignals, then in text order.
func (e *Engine) signals(occs []occurrence) []wire.Signal {
	rs := e.rules
	out := make([]wire.Signal, 0, len(occs))
	for _, o := range occs {
		if !o.counted {
			continue
		}
		r := &rs.Rules[o.rule]
		w := round4(r.Weight * o.prox)
		if w == 0 {
			continue
		}
		s := wire.Signal{Rule: r.ID, Category: r.Category, Weight: w, Span: o.span, Mode: r.Mode}
		if !containsSignal(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > rs.Scoring.MaxSignals {
		sort.SliceStable(out, func(i, j int) bool { return math.Abs(out[i].Weight) > math.Abs(out[j].Weight) })
		out = out[:rs.Scoring.MaxSignals]
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Span.Start != out[j].Span.Start {
			return out[i].Span.Start < out[j].Span.Start
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

func containsSignal(ss []wire.Signal, s wire.Signal) bool {
	for _, x := range ss {
		if x.Rule == s.Rule && x.Span == s.Span {
			return true
		}
	}
	return false
}

// verdict decides whether the analysis is a finding and settles severity
// and mode: the structural gate, the watchlists, the combos and the cap.
func (e *Engine) verdict(a *Analysis, gateOK bool, occs []occurrence, hs []handleOcc, anyPositive bool) {
	rs := e.rules
	if len(a.Handles) == 0 {
		a.Reason = "no handle"
		return
	}
	var known, cleared, imported int
	for i := range a.Handles {
		h := &a.Handles[i]
		if e.watch == nil {
			break
		}
		switch {
		case e.watch.Cleared(h.App, h.Handle):
			h.Watch = wire.WatchCleared
			cleared++
		case e.watch.Known(h.App, h.Handle):
			h.Watch = wire.WatchKnown
			known++
		case e.partner != nil && e.partner.Imported(h.App, h.Handle):
			h.Watch = wire.WatchImported
			imported++
		}
	}
	// A partner's handle in a post that is no finding on its own merits
	// is recorded in shadow mode: a moderator sees it, nothing acts.
	shadowImport := func(why string) {
		if imported > 0 && cleared == 0 {
			a.Finding = true
			a.Mode = wire.ModeShadow
			why += "; handle imported from a partner: shadow until a moderator accepts it"
		}
		a.Reason = why
	}
	switch {
	case cleared == len(a.Handles):
		a.Reason = "every handle was cleared by moderators"
		return
	case known > 0:
		a.Finding = true
		a.Reason = "handle on the known watchlist"
		if a.Severity.Rank() < rs.Watchlist.Severity.Rank() {
			a.Severity = rs.Watchlist.Severity
		}
		if a.Mode.Rank() < rs.Watchlist.Mode.Rank() {
			a.Mode = rs.Watchlist.Mode
		}
	case e.model != nil && a.vector != nil && a.vector.onlyContact():
		shadowImport("nothing but a contact: no word or sign a finding could rest on")
		return
	case e.model != nil && a.Score < e.model.Threshold:
		shadowImport(fmt.Sprintf("model %.3f below %.3f", a.Score, e.model.Threshold))
		return
	case e.model != nil:
		a.Finding = true
		a.Reason = fmt.Sprintf("model %.3f", a.Score)
		a.Evidence = a.vector.evidence(e.model, 5)
		// The model decides that there is a finding; a rule's mode can
		// only raise how far it may go, and a finding always alerts.
		if a.Mode.Rank() < wire.ModeAlert.Rank() {
			a.Mode = wire.ModeAlert
		}
		if a.Severity.Rank() < wire.SeverityLow.Rank() {
			a.Severity = wire.SeverityLow
		}
	case !anyPositive:
		shadowImport("no solicitation signal")
		return
	case !gateOK:
		shadowImport("signals miss the gate: " + gateText(rs.Gate))
		return
	case a.Score < rs.Scoring.Finding:
		shadowImport(fmt.Sprintf("score %.3f below %.3f", a.Score, rs.Scoring.Finding))
		return
	default:
		a.Finding = true
		a.Reason = fmt.Sprintf("score %.3f", a.Score)
	}
	for _, c := range rs.Combos {
		if c.Severity.Rank() > a.Severity.Rank() && e.comboNearHandle(c, occs, hs) {
			a.Severity = c.Severity
			a.Reason += "; " + c.ID
		}
	}
	if a.Mode.Rank() > rs.ModeCap.Rank() {
		a.Mode = rs.ModeCap
	}
	if cleared > 0 {
		a.Mode = wire.ModeShadow
		a.Reason += "; a cleared handle keeps it in shadow"
	}
}

func gateText(gate [][]string) string {
	parts := make([]string, len(gate))
	for i, g := range gate {
		parts[i] = strings.Join(g, "+")
	}
	return strings.Join(parts, " or ")
}

// comboNearHandle reports whether one handle has a counted signal of every
// group of c within scoring.near.
func (e *Engine) comboNearHandle(c Combo, occs []occurrence, hs []handleOcc) bool {
	near := e.rules.Scoring.Near
	for _, h := range hs {
		ok := true
		for _, group := range c.All {
			found := false
			for _, o := range occs {
				r := &e.rules.Rules[o.rule]
				if !o.counted || r.Weight < 0 || !slices.Contains(group, r.Category) {
					continue
				}
				if d, _, _ := gap(o.span, h.span); d <= near {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// finding builds the wire finding from an analysis that made one.
func (e *Engine) finding(p *wire.Post, a *Analysis) *wire.Finding {
	spans := make([]wire.Span, 0, len(a.Handles)+len(a.Signals))
	for _, h := range a.Handles {
		spans = append(spans, h.Span)
	}
	for _, s := range a.Signals {
		if s.Weight > 0 {
			spans = append(spans, s.Span)
		}
	}
	nPrio := len(spans)
	for _, s := range a.Signals {
		if s.Weight < 0 {
			spans = append(spans, s.Span)
		}
	}
	x := makeExcerpt(a.Text, spans, nPrio, e.rules.Scoring.Excerpt)
	f := &wire.Finding{
		Schema:       wire.SchemaVersion,
		ID:           wire.FindingID(p.Source, p.ID, e.Version()),
		Post:         p.Ref(),
		Excerpt:      wire.Excerpt{Text: x.text},
		Handles:      make([]wire.Handle, len(a.Handles)),
		Signals:      make([]wire.Signal, len(a.Signals)),
		Score:        a.Score,
		Severity:     a.Severity,
		RulesVersion: e.rules.Version,
		Mode:         a.Mode,
		DetectedAt:   e.now().UTC(),
		Evidence:     a.Evidence,
	}
	if e.model != nil && a.Evidence != nil {
		f.Model = e.model.Version
	}
	seen := make(map[wire.Span]bool, len(spans))
	mark := func(s wire.Span) wire.Span {
		r := x.rebase(s)
		if r.End > r.Start && !seen[r] {
			seen[r] = true
			f.Excerpt.Spans = append(f.Excerpt.Spans, r)
		}
		return r
	}
	for i, h := range a.Handles {
		h.Span = mark(h.Span)
		f.Handles[i] = h
	}
	for i, s := range a.Signals {
		s.Span = mark(s.Span)
		f.Signals[i] = s
	}
	sort.Slice(f.Excerpt.Spans, func(i, j int) bool {
		if f.Excerpt.Spans[i].Start != f.Excerpt.Spans[j].Start {
			return f.Excerpt.Spans[i].Start < f.Excerpt.Spans[j].Start
		}
		return f.Excerpt.Spans[i].End < f.Excerpt.Spans[j].End
	})
	return f
}
