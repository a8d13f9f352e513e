package stats

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Z95 is the standard normal quantile of a two-sided 95 % interval.
const Z95 = 1.959963984540054

// Wilson is the Wilson score interval of x successes in n trials at
// quantile z, as proportions. It stays inside [0, 1] and behaves at x = 0
// and small n, where the normal approximation does not.
func Wilson(x, n int64, z float64) (low, high float64) {
	if n <= 0 || x < 0 || x > n {
		return math.NaN(), math.NaN()
	}
	nf, p := float64(n), float64(x)/float64(n)
	z2 := z * z
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// Rate is a prevalence per 10,000 posts scanned with its Wilson 95 %
// interval.
type Rate struct {
	Estimate float64 `json:"estimate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// Figures are counts over a scope and period, with the prevalence.
type Figures struct {
	PostsScanned int64 `json:"posts_scanned"`
	Findings     int64 `json:"findings"`
	// Per10k is nil when no posts were scanned, or when there are more
	// findings than posts (tallies missing: see Report.Warnings).
	Per10k *Rate `json:"per_10k"`
}

func figures(findings, posts int64) Figures {
	f := Figures{PostsScanned: posts, Findings: findings}
	if posts > 0 && findings <= posts {
		lo, hi := Wilson(findings, posts, Z95)
		f.Per10k = &Rate{Estimate: 1e4 * float64(findings) / float64(posts), Low: 1e4 * lo, High: 1e4 * hi}
	}
	return f
}

// Day is one UTC day's figures.
type Day struct {
	Day string `json:"day"`
	Figures
	DistinctHandles int64    `json:"distinct_handles"`
	Apps            []AppDay `json:"apps,omitempty"`
}

// AppDay is one app's findings and distinct handles on one day.
type AppDay struct {
	App             string `json:"app"`
	Findings        int64  `json:"findings"`
	DistinctHandles int64  `json:"distinct_handles"`
}

// AppFigures are one app's figures over the period: findings naming the
// app, per posts scanned; and the moderators' decisions on its cases.
type AppFigures struct {
	App string `json:"app"`
	Figures
	Decisions map[string]int64 `json:"decisions,omitempty"` // confirm, dismiss, escalate, clear
}

// SeverityFigures are the findings of one severity over the period.
type SeverityFigures struct {
	Severity string `json:"severity"`
	Figures
}

// SourceFigures are one source's figures over the period and per day.
type SourceFigures struct {
	Source string `json:"source"`
	Figures
	Days []Day `json:"days"`
}

// Report is the research statistics over [From, To] (UTC days, both
// included).
type Report struct {
	From          string `json:"from"`
	To            string `json:"to"`
	Source        string `json:"source,omitempty"` // the report is restricted to this source
	RetentionDays int    `json:"retention_days"`

	Overall    Figures           `json:"overall"`
	Days       []Day             `json:"days"`
	Apps       []AppFigures      `json:"apps"`
	Severities []SeverityFigures `json:"severities"`
	// Decisions counts moderators' decisions over the period (all sources:
	// a case spans sources).
	Decisions map[string]int64 `json:"decisions"`
	Sources   []SourceFigures  `json:"sources,omitempty"`
	// CrossSource is computed by the offline `stats` command only, over
	// all sources.
	CrossSource *CrossSource `json:"cross_source,omitempty"`
	Warnings    []string     `json:"warnings,omitempty"`
}

// Query selects a report.
type Query struct {
	From, To time.Time // UTC days, both included
	Source   string    // restrict to one source
	BySource bool      // add per-source figures
}

// Report returns the figures over [from, to] (both UTC days, included),
// with per-source figures when bySource.
func (s *Stats) Report(ctx context.Context, from, to time.Time, bySource bool) (Report, error) {
	return s.ReportQuery(ctx, Query{From: from, To: to, BySource: bySource})
}

var decisions = []wire.Decision{wire.DecisionConfirm, wire.DecisionDismiss, wire.DecisionEscalate, wire.DecisionClear}
var severities = []wire.Severity{wire.SeverityCritical, wire.SeverityHigh, wire.SeverityMedium, wire.SeverityLow}

// ReportQuery is Report with a source filter. Days older than the
// retention are left out (with a warning), as are days after today.
func (s *Stats) ReportQuery(ctx context.Context, q Query) (Report, error) {
	from, to := utcDay(q.From), utcDay(q.To)
	if to.Before(from) {
		return Report{}, fmt.Errorf("report: from %s is after to %s", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	rep := Report{Source: q.Source, RetentionDays: int(s.cfg.Retention.D() / (24 * time.Hour))}
	oldest := utcDay(s.now()).Add(-s.cfg.Retention.D() + 24*time.Hour)
	if from.Before(oldest) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("days before %s are past the %d-day retention and left out",
			oldest.Format(time.DateOnly), rep.RetentionDays))
		from = oldest
	}
	if today := utcDay(s.now()); to.After(today) {
		to = today
	}
	rep.From, rep.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	if to.Before(from) {
		return rep, nil
	}
	sources, err := s.store.SetMembers(ctx, setSources)
	if err != nil {
		return Report{}, fmt.Errorf("reading sources: %w", err)
	}
	apps, err := s.store.SetMembers(ctx, setApps)
	if err != nil {
		return Report{}, fmt.Errorf("reading apps: %w", err)
	}
	r := reader{ctx: ctx, s: s}
	scope := "all"
	if q.Source != "" {
		scope = scopeSrc(q.Source)
	}
	scoped := func(sc string) string {
		if q.Source == "" {
			return sc
		}
		return scope + "|" + sc
	}

	var posts, findings int64
	appFindings := map[string]int64{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := r.day(d, scope, apps, scoped)
		posts += day.PostsScanned
		findings += day.Findings
		for _, a := range day.Apps {
			appFindings[a.App] += a.Findings
		}
		rep.Days = append(rep.Days, day)
	}
	rep.Overall = figures(findings, posts)
	if findings > posts {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d findings but %d posts scanned: scan tallies are missing; prevalence left out", findings, posts))
	}
	for _, a := range apps {
		af := AppFigures{App: a, Figures: figures(appFindings[a], posts)}
		if q.Source == "" {
			af.Decisions = map[string]int64{}
			for _, dec := range decisions {
				if n := r.sum(keyDecisions+string(dec)+"|"+scopeApp(a), from, to); n > 0 {
					af.Decisions[string(dec)] = n
				}
			}
		}
		if af.Findings > 0 || len(af.Decisions) > 0 {
			rep.Apps = append(rep.Apps, af)
		}
	}
	for _, v := range severities {
		n := r.sum(keyFindings+scoped(scopeSev(v)), from, to)
		rep.Severities = append(rep.Severities, SeverityFigures{Severity: string(v), Figures: figures(n, posts)})
	}
	rep.Decisions = map[string]int64{}
	for _, dec := range decisions {
		rep.Decisions[string(dec)] = r.sum(keyDecisions+string(dec)+"|all", from, to)
	}
	if q.BySource {
		for _, src := range sources {
			if q.Source != "" && src != q.Source {
				continue
			}
			sf := SourceFigures{Source: src}
			var sp, sfnd int64
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				sc := scopeSrc(src)
				day := r.day(d, sc, apps, func(x string) string { return sc + "|" + x })
				sp += day.PostsScanned
				sfnd += day.Findings
				sf.Days = append(sf.Days, day)
			}
			sf.Figures = figures(sfnd, sp)
			rep.Sources = append(rep.Sources, sf)
		}
		sort.Slice(rep.Sources, func(i, j int) bool { return rep.Sources[i].Source < rep.Sources[j].Source })
	}
	if r.err != nil {
		return Report{}, r.err
	}
	return rep, nil
}

// reader reads counters, keeping the first error.
type reader struct {
	ctx context.Context
	s   *Stats
	err error
}

func (r *reader) count(name string, d time.Time) int64 {
	if r.err != nil {
		return 0
	}
	n, err := r.s.store.Count(r.ctx, name, state.Day, d)
	if err != nil {
		r.err = fmt.Errorf("reading %s: %w", name, err)
	}
	return n
}

func (r *reader) distinct(name string, d time.Time) int64 {
	if r.err != nil {
		return 0
	}
	n, err := r.s.store.CountDistinct(r.ctx, name, state.Day, d)
	if err != nil {
		r.err = errors.Join(r.err, fmt.Errorf("reading %s: %w", name, err))
	}
	return n
}

func (r *reader) sum(name string, from, to time.Time) int64 {
	var n int64
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		n += r.count(name, d)
	}
	return n
}

// day reads one day of scope ("all" or "src=<s>"); scoped turns an app
// scope into the scope's.
func (r *reader) day(d time.Time, scope string, apps []string, scoped func(string) string) Day {
	day := Day{Day: d.Format(time.DateOnly)}
	day.Figures = figures(r.count(keyFindings+scope, d), r.count(keyPosts+scope, d))
	day.DistinctHandles = r.distinct(keyHandles+scope, d)
	for _, a := range apps {
		ad := AppDay{App: a, Findings: r.count(keyFindings+scoped(scopeApp(a)), d)}
		if ad.Findings > 0 {
			ad.DistinctHandles = r.distinct(keyHandles+scoped(scopeApp(a)), d)
			day.Apps = append(day.Apps, ad)
		}
	}
	return day
}
