package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Store is what the figures live in: the sink's state.Store (memory, or
// Redis where distinct counts are HyperLogLogs).
type Store interface {
	state.Seen
	state.Counters
	state.Distinct
	state.Sets
	state.Batcher
	state.Marker
}

// Deps is what Stats needs from the sink.
type Deps struct {
	Log     *zap.Logger
	Store   Store
	Metrics prometheus.Registerer
	Now     func() time.Time
}

// Stats keeps the research counters and reports them.
type Stats struct {
	cfg     Config
	log     *zap.Logger
	store   Store
	now     func() time.Time
	metrics *prometheus.CounterVec
}

// Results of an observation, the result label of
// handlewatch_sink_stats_messages_total.
const (
	resultCounted   = "counted"
	resultDuplicate = "duplicate" // its id was counted before (a replay or redelivery)
	resultExpired   = "expired"   // its day is older than the retention
	resultInvalid   = "invalid"
	resultIgnored   = "ignored" // a case event that is not a decision
	resultPartial   = "partial" // a tally some of whose posts were counted before (a recount after a crash)
)

// New builds Stats over the sink's store.
func New(cfg Config, deps Deps) (*Stats, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Store == nil {
		return nil, errors.New("stats: Store is required")
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Metrics == nil {
		deps.Metrics = prometheus.NewRegistry()
	}
	mv := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "handlewatch_sink_stats_messages_total",
		Help: "Messages the research counters observed, by kind (finding, tally, event) and result.",
	}, []string{"kind", "result"})
	if err := deps.Metrics.Register(mv); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, fmt.Errorf("registering stats metrics: %w", err)
		}
		mv = are.ExistingCollector.(*prometheus.CounterVec)
	}
	return &Stats{cfg: cfg, log: deps.Log, store: deps.Store, now: deps.Now, metrics: mv}, nil
}

// Keys. Counters and distinct counts are per UTC day (state.Day); a scope
// is "all", "src=<source>", "app=<app>", "sev=<severity>" or two of them
// joined by "|". The seen keys make every observation idempotent on its
// message id.
const (
	keyPosts     = "stats:posts|"     // + scope: posts scanned
	keyFindings  = "stats:findings|"  // + scope: findings
	keyHandles   = "stats:handles|"   // + scope: distinct app:handle
	keyDecisions = "stats:decisions|" // + decision + "|" + scope
	setSources   = "stats:sources"
	setApps      = "stats:apps"
	markPostSeqs = "stats:posts-seq|" // + posts stream: the sequences counted
)

func scopeSrc(s string) string                     { return "src=" + s }
func scopeApp(a string) string                     { return "app=" + a }
func scopeSev(v wire.Severity) string              { return "sev=" + string(v) }
func scopeSrcApp(s, a string) string               { return scopeSrc(s) + "|" + scopeApp(a) }
func scopeSrcSev(s string, v wire.Severity) string { return scopeSrc(s) + "|" + scopeSev(v) }

// idTTL keeps an idempotency key as long as the day it counted can be
// reported, and a little more.
func (s *Stats) idTTL() time.Duration { return s.cfg.Retention.D() + 48*time.Hour }

// expired reports whether day is older than the retention window.
func (s *Stats) expired(day time.Time) bool {
	oldest := utcDay(s.now()).Add(-s.cfg.Retention.D() + 24*time.Hour)
	return day.Before(oldest)
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// FindingDay is the UTC day a finding counts on: the day it was detected,
// which is within minutes of the fetch day its post's tally counts on.
func FindingDay(f wire.Finding) time.Time {
	if !f.DetectedAt.IsZero() {
		return utcDay(f.DetectedAt)
	}
	return utcDay(f.Post.CreatedAt)
}

// apply counts b once per message id: the seen key and every write go in
// one batch (one Redis round trip, all or nothing), so a redelivery or a
// replay never counts twice and a failure never counts half.
func (s *Stats) apply(ctx context.Context, kind, id string, b state.Batch) (bool, error) {
	b.Once, b.OnceTTL = "stats:"+kind+":"+id, s.idTTL()
	fresh, err := s.store.ApplyBatch(ctx, b)
	if err != nil {
		return false, fmt.Errorf("counting %s %s: %w", kind, id, err)
	}
	if fresh {
		s.count(kind, resultCounted)
	} else {
		s.count(kind, resultDuplicate)
	}
	return fresh, nil
}

func dayIncr(name string, day time.Time, n int64) state.BatchIncr {
	return state.BatchIncr{Name: name, Period: state.Day, At: day, N: n}
}

func (s *Stats) count(kind, result string) { s.metrics.WithLabelValues(kind, result).Inc() }

// ObserveTally counts the posts a detector scanned (the denominators).
// A tally that names its posts' stream sequences (Seqs) counts each
// sequence once, whatever tally it comes in: a detector that crashed
// after publishing a tally and before acking its posts has them counted
// again in another tally, and only the posts not counted before count.
// A tally without Seqs (an older detector's) is idempotent on its id.
func (s *Stats) ObserveTally(ctx context.Context, t wire.ScanTally) error {
	day, err := time.Parse(time.DateOnly, t.Day)
	if err != nil || t.ID == "" || t.Source == "" || t.Posts < 0 {
		s.count("tally", resultInvalid)
		return fmt.Errorf("%w: tally %q: bad day %q, id, source or count", ErrInvalid, t.ID, t.Day)
	}
	if len(t.Seqs) > 0 && (t.Stream == "" || t.SeqCount() != t.Posts) {
		s.count("tally", resultInvalid)
		return fmt.Errorf("%w: tally %q: its sequences (%d) in stream %q do not match its %d posts",
			ErrInvalid, t.ID, t.SeqCount(), t.Stream, t.Posts)
	}
	if s.expired(day) {
		s.count("tally", resultExpired)
		return nil
	}
	b := state.Batch{
		Incrs:   []state.BatchIncr{dayIncr(keyPosts+"all", day, 1), dayIncr(keyPosts+scopeSrc(t.Source), day, 1)},
		SetAdds: []state.BatchSetAdd{{Set: setSources, Members: []string{t.Source}}},
	}
	if len(t.Seqs) == 0 {
		for i := range b.Incrs {
			b.Incrs[i].N = t.Posts
		}
		_, err = s.apply(ctx, "tally", t.ID, b)
		return err
	}
	ranges := make([]state.SeqRange, len(t.Seqs))
	for i, r := range t.Seqs {
		ranges[i] = state.SeqRange{From: r[0], To: r[1]}
	}
	fresh, err := s.store.ApplyMarked(ctx, markPostSeqs+t.Stream, s.idTTL(), ranges, b)
	if err != nil {
		return fmt.Errorf("counting tally %s: %w", t.ID, err)
	}
	switch {
	case fresh == t.Posts:
		s.count("tally", resultCounted)
	case fresh == 0:
		s.count("tally", resultDuplicate)
	default:
		s.count("tally", resultPartial)
	}
	return nil
}

// ObserveFinding counts one finding: per source, app and severity, and
// its handles in the distinct counts. It is idempotent on the finding id.
func (s *Stats) ObserveFinding(ctx context.Context, f wire.Finding) error {
	if err := f.Validate(); err != nil {
		s.count("finding", resultInvalid)
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	day := FindingDay(f)
	if s.expired(day) {
		s.count("finding", resultExpired)
		return nil
	}
	src, sev := f.Post.Source, f.Severity
	scopes := []string{"all", scopeSrc(src), scopeSev(sev), scopeSrcSev(src, sev)}
	apps := map[string][]string{}
	for _, h := range f.Handles {
		apps[h.App] = append(apps[h.App], h.App+":"+h.Handle)
	}
	appNames := make([]string, 0, len(apps))
	for a := range apps {
		appNames = append(appNames, a)
		scopes = append(scopes, scopeApp(a), scopeSrcApp(src, a))
	}
	sort.Strings(appNames)
	var b state.Batch
	for _, sc := range scopes {
		b.Incrs = append(b.Incrs, dayIncr(keyFindings+sc, day, 1))
	}
	distinct := func(name string, members []string) {
		b.Distincts = append(b.Distincts, state.BatchDistinct{Name: name, Period: state.Day, At: day, Members: members})
	}
	var all []string
	for _, a := range appNames {
		members := apps[a]
		all = append(all, members...)
		distinct(keyHandles+scopeApp(a), members)
		distinct(keyHandles+scopeSrcApp(src, a), members)
	}
	if len(all) > 0 {
		distinct(keyHandles+"all", all)
		distinct(keyHandles+scopeSrc(src), all)
	}
	b.SetAdds = append(b.SetAdds, state.BatchSetAdd{Set: setSources, Members: []string{src}})
	if len(appNames) > 0 {
		b.SetAdds = append(b.SetAdds, state.BatchSetAdd{Set: setApps, Members: appNames})
	}
	_, err := s.apply(ctx, "finding", f.ID, b)
	return err
}

// ObserveEvent counts moderator decisions (confirm, dismiss, escalate,
// clear) per app and day; other case events are ignored. It is idempotent
// on the event id.
func (s *Stats) ObserveEvent(ctx context.Context, ev wire.CaseEvent) error {
	if ev.Type != wire.EventDecision {
		s.count("event", resultIgnored)
		return nil
	}
	if err := ev.Validate(); err != nil {
		s.count("event", resultInvalid)
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	day := utcDay(ev.At)
	if s.expired(day) {
		s.count("event", resultExpired)
		return nil
	}
	base := keyDecisions + string(ev.Decision) + "|"
	b := state.Batch{Incrs: []state.BatchIncr{dayIncr(base+"all", day, 1)}}
	if wire.IsApp(ev.App) {
		b.Incrs = append(b.Incrs, dayIncr(base+scopeApp(ev.App), day, 1))
		b.SetAdds = []state.BatchSetAdd{{Set: setApps, Members: []string{ev.App}}}
	}
	_, err := s.apply(ctx, "event", ev.ID, b)
	return err
}
