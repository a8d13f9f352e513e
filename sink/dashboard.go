package sink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/hotline"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
	"github.com/handlewatch/handlewatch/sink/web"
)

// dashboard is what sink/web reads and does, on this sink's case store,
// takedowns and statistics.
type dashboard struct {
	s       *Sink
	sources func() []web.SourceHealth
}

var _ web.Backend = dashboard{}

// newDashboard builds the dashboard of the sink (New calls it once the
// hooks exist).
func (s *Sink) newDashboard(sources func() []web.SourceHealth) (*web.Server, error) {
	u, _ := url.Parse(s.cfg.BaseURL)
	srv, err := web.New(web.Options{Config: s.cfg.Dashboard, Backend: dashboard{s: s, sources: sources},
		Log: s.log.Named("web"), Secure: u != nil && u.Scheme == "https", Now: func() time.Time { return s.now() }})
	if err != nil {
		return nil, fmt.Errorf("sink.dashboard: %w", err)
	}
	return srv, nil
}

// withDashboard serves the JSON API under /api/ and the dashboard
// everywhere else.
func (s *Sink) withDashboard(api http.Handler) http.Handler {
	if s.web == nil {
		return api
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/taxii2/", api) // partners' TAXII root, with its own tokens
	mux.Handle("/", s.web.Handler())
	return mux
}

func (d dashboard) ListCases(ctx context.Context, q cases.Query) (cases.Page, error) {
	return d.s.cases.List(ctx, q)
}

func (d dashboard) Case(ctx context.Context, id string) (*cases.Case, error) {
	if !validCaseID(id) {
		return nil, cases.ErrNotFound
	}
	return d.s.cases.Get(ctx, id)
}

func (d dashboard) Takedowns(caseID string) []takedown.Request {
	return d.s.hooks.takedowns.Requests(caseID)
}

// Decide takes the API's path: the same checks, the same event.
func (d dashboard) Decide(ctx context.Context, dec web.Decision) (*cases.Case, error) {
	c, err := d.Case(ctx, dec.CaseID)
	if err != nil {
		return nil, err
	}
	req := decisionRequest{Decision: dec.Decision, Actor: dec.Actor, Reason: dec.Reason}
	if msg := req.validate(); msg != "" {
		return nil, fmt.Errorf("%w: %s", web.ErrInvalid, msg)
	}
	out, err := d.s.recordDecision(ctx, c, req, idemSuffix(dec.IdempotencyKey))
	if errors.Is(err, errNotRecorded) {
		return nil, web.ErrUnavailable
	}
	return out, err
}

func (d dashboard) HotlineDraft(ctx context.Context, id string) (*hotline.Draft, error) {
	c, err := d.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	return hotline.New(c, d.s.caseURL(c.ID), d.s.now())
}

func (d dashboard) Stats(ctx context.Context, q stats.Query) (stats.Report, error) {
	return d.s.hooks.stats.ReportQuery(ctx, q)
}

func (d dashboard) Audit(limit int) []wire.CaseEvent { return d.s.audit.latest(limit) }

func (d dashboard) Sources() ([]web.SourceHealth, bool) {
	if d.sources == nil {
		return nil, false
	}
	return d.sources(), true
}

// auditLog keeps the latest decisions this sink applied, from the replay,
// the stream and its own API: the dashboard's audit page. The stream
// keeps them all.
type auditLog struct {
	mu  sync.Mutex
	evs []wire.CaseEvent
	ids map[string]struct{}
}

// maxAudit bounds the decisions kept in memory.
const maxAudit = 1000

func (a *auditLog) add(e *wire.CaseEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ids == nil {
		a.ids = map[string]struct{}{}
	}
	if _, ok := a.ids[e.ID]; ok {
		return
	}
	a.ids[e.ID] = struct{}{}
	a.evs = append(a.evs, *e)
	if len(a.evs) > maxAudit {
		// Forget the oldest decisions (by time: replays arrive in stream
		// order, which is nearly so).
		sort.SliceStable(a.evs, func(i, j int) bool { return a.evs[i].At.Before(a.evs[j].At) })
		for _, old := range a.evs[:len(a.evs)-maxAudit] {
			delete(a.ids, old.ID)
		}
		a.evs = append([]wire.CaseEvent(nil), a.evs[len(a.evs)-maxAudit:]...)
	}
}

// latest returns up to n decisions, newest first.
func (a *auditLog) latest(n int) []wire.CaseEvent {
	a.mu.Lock()
	out := append([]wire.CaseEvent(nil), a.evs...)
	a.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return strings.Compare(out[i].ID, out[j].ID) > 0
	})
	return out[:min(n, len(out))]
}
