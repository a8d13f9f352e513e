package takedown

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// Store is what the takedown side keeps in Redis (or memory): the fast
// dedupe and claim keys, and the daily quota counters.
type Store interface {
	state.Seen
	state.Counters
}

// Deps is what the Manager needs from the sink.
type Deps struct {
	Log       *zap.Logger
	Publisher Publisher // publishes case events (the sink's Bus)
	Store     Store     // the sink's state.Store
	Metrics   prometheus.Registerer
	// HTTPClient makes the platform API calls and the re-checks (default:
	// a client with a 30 s timeout).
	HTTPClient *http.Client
	// TLSConfig is used for SMTP (default: system roots, TLS 1.2+).
	TLSConfig *tls.Config
	// Now is the clock of OnFinding and OnDecision (Tick takes its own).
	Now func() time.Time
}

// Manager owns the takedown requests of every case.
type Manager struct {
	cfg         Config
	log         *zap.Logger
	pub         Publisher
	store       Store
	now         func() time.Time
	api         httpAPI
	telegramURL string
	metrics     *metrics
	targets     []*target
	byName      map[string]*target

	mu     sync.Mutex
	reqs   map[string]*Request
	status map[string]cases.Status // case id → status, from decision events
	checks map[string]time.Time
}

type target struct {
	cfg     TargetConfig
	ch      channel
	tmpl    templates
	shadow  bool
	authErr error // a missing secret: every live request is skipped as auth_missing
}

func (t *target) name() string { return t.cfg.Name }

// serves reports whether t takes notices for the post (platform and e-mail
// channels) or the app (app_abuse).
func (t *target) serves(p *PostRef, app string) bool {
	perHandle := t.cfg.Channel == ChannelAppAbuse
	if perHandle != (p == nil) {
		return false
	}
	for _, a := range t.cfg.AppliesTo {
		switch {
		case a == "*":
			return true
		case p == nil && a == app:
			return true
		case p != nil && (a == p.Source || a == p.SourceKind):
			return true
		}
	}
	return false
}

const (
	dedupeTTL   = 24 * time.Hour   // the fast layer; the records are authoritative beyond it
	claimTTL    = 15 * time.Minute // one process sends a given notice
	admitTTL    = 48 * time.Hour   // a notice counts against the quota once
	resumeAfter = 2 * time.Minute  // a request left at requested (crash) is picked up by Tick
)

// New builds the Manager. A target whose secret is missing does not stop
// the sink: it is logged, and every live request to it is skipped with
// reason auth_missing (shadow targets need no secret).
func New(cfg Config, deps Deps) (*Manager, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Publisher == nil || deps.Store == nil {
		return nil, errors.New("takedown: Publisher and Store are required")
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
	if deps.HTTPClient == nil {
		deps.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	met, err := newMetrics(deps.Metrics)
	if err != nil {
		return nil, fmt.Errorf("registering takedown metrics: %w", err)
	}
	ua := "handlewatch-takedown/1"
	if cfg.Contact != "" {
		ua += " (+" + cfg.Contact + ")"
	}
	m := &Manager{
		cfg: cfg, log: deps.Log, pub: deps.Publisher, store: deps.Store, now: deps.Now,
		api: httpAPI{client: deps.HTTPClient, userAgent: ua}, telegramURL: strings.TrimRight(cfg.TelegramURL, "/"),
		metrics: met, byName: map[string]*target{},
		reqs: map[string]*Request{}, status: map[string]cases.Status{}, checks: map[string]time.Time{},
	}
	for i, tc := range cfg.Targets {
		key := fmt.Sprintf("sink.takedowns.targets[%d]", i)
		tmpl, err := loadTemplates(tc, key)
		if err != nil {
			return nil, err
		}
		t := &target{cfg: tc, tmpl: tmpl, shadow: cfg.Shadow || tc.Shadow}
		t.ch, t.authErr = m.buildChannel(tc, deps)
		switch {
		case t.authErr != nil && !t.shadow:
			m.log.Error("takedown target has no credentials: every request to it will be skipped as auth_missing",
				zap.String("target", tc.Name), zap.Error(t.authErr))
		case t.authErr != nil:
			m.log.Warn("shadow takedown target has no credentials", zap.String("target", tc.Name), zap.Error(t.authErr))
		}
		m.targets = append(m.targets, t)
		m.byName[tc.Name] = t
	}
	return m, nil
}

// buildChannel builds the target's channel; a missing secret is returned
// beside a channel that can still render offline (shadow mode).
func (m *Manager) buildChannel(tc TargetConfig, deps Deps) (channel, error) {
	var errs []error
	look := func(env string) string {
		if env == "" {
			return ""
		}
		v, err := secret.Lookup(env)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	var ch channel
	switch tc.Channel {
	case ChannelMastodon:
		ch = newMastodon(tc, m.api, look(tc.TokenEnv))
	case ChannelBluesky:
		ch = newBluesky(tc, m.api, look(tc.PasswordEnv))
	case ChannelReddit:
		r := &reddit{api: m.api, base: strings.TrimRight(tc.BaseURL, "/"), tokenURL: tc.TokenURL, now: m.now}
		if tc.TokenEnv != "" {
			r.static = look(tc.TokenEnv)
		} else {
			r.clientID, r.secret = look(tc.ClientIDEnv), look(tc.ClientSecretEnv)
			r.username, r.password = tc.Username, look(tc.PasswordEnv)
		}
		ch = r
	case ChannelEmail, ChannelAppAbuse:
		e := &email{smtp: tc.SMTP, tls: deps.TLSConfig, now: m.now}
		if tc.SMTP.Username != "" {
			e.password = look(tc.SMTP.PasswordEnv)
		}
		if tc.Channel == ChannelEmail {
			e.to = tc.To
		} else {
			e.contacts = tc.Contacts
		}
		ch = e
	}
	return ch, errors.Join(errs...)
}

// trigger is what caused an evaluation: a finding (id = finding id) or a
// moderator's confirm (id = decision event id).
type trigger struct {
	id      string
	actor   string
	confirm bool
}

// OnFinding evaluates one sighting: call it after the finding has joined
// its case, once per handle of the finding (s.Posts holding the finding's
// post). It files, queues for review, or records a skip with its reason
// for every target; an error means an event could not be recorded, and
// the finding should be redelivered.
func (m *Manager) OnFinding(ctx context.Context, s Subject) error {
	if !m.cfg.Enabled {
		m.metrics.skipped.WithLabelValues("none", ReasonDisabled).Inc()
		return nil
	}
	tr := trigger{actor: actorSystem}
	for _, p := range s.Posts {
		if p.FindingID != "" {
			tr.id = p.FindingID
			break
		}
	}
	if tr.id == "" && len(s.Posts) > 0 {
		tr.id = s.Posts[0].Key()
	}
	return m.evaluate(ctx, s, m.statusOf(s), tr)
}

// OnDecision acts on a moderator's decision at once: confirm files every
// request of the case's posts (s.Posts: all of them) and releases the
// ones waiting for review; dismiss and clear cancel every open request of
// the case. It also folds ev in, as Apply does. Call it for each decision
// event the sink consumes live (not during the rebuild: Apply is enough
// there, and Tick finishes what a crash interrupted).
func (m *Manager) OnDecision(ctx context.Context, s Subject, ev wire.CaseEvent) error {
	if ev.Type != wire.EventDecision || !ev.Decision.Valid() {
		return fmt.Errorf("takedown: %s is not a decision event", ev.ID)
	}
	m.Apply(ev)
	if !m.cfg.Enabled {
		return nil
	}
	if s.CaseID == "" {
		s.CaseID = ev.CaseID
	}
	s.Status = cases.StatusOf(ev.Decision)
	switch s.Status {
	case cases.StatusDismissed, cases.StatusCleared:
		return m.cancelCase(ctx, s.CaseID, s.Status, ev.Actor, m.now())
	case cases.StatusConfirmed:
		tr := trigger{id: ev.ID, actor: ev.Actor, confirm: true}
		err := m.evaluate(ctx, s, cases.StatusConfirmed, tr)
		// Requests of posts the sink did not pass again.
		for _, r := range m.Requests(s.CaseID) {
			if r.State == wire.TakedownRequested && r.Waiting == WaitReview {
				if t := m.byName[r.Target]; t != nil {
					err = errors.Join(err, m.deliver(ctx, t, r, m.now(), ev.Actor, false))
				}
			}
		}
		return err
	}
	return nil
}

// Apply folds a replayed or consumed case event into the records: every
// hw.cases.> event, in stream order, during the rebuild and live. It is
// idempotent on the event id and never publishes anything.
func (m *Manager) Apply(ev wire.CaseEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applyEvent(ev)
}

// statusOf is the case status to act on: the sink's, or the last decision
// applied when the sink gave none.
func (m *Manager) statusOf(s Subject) cases.Status {
	if s.Status != "" {
		return s.Status
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.status[s.CaseID]; st != "" {
		return st
	}
	return cases.StatusNew
}

func (m *Manager) evaluate(ctx context.Context, s Subject, status cases.Status, tr trigger) error {
	var errs []error
	if status.Closed() {
		errs = append(errs, m.cancelCase(ctx, s.CaseID, status, tr.actor, m.now()))
	}
	appServed := false
	for _, t := range m.targets {
		if t.serves(nil, s.App) {
			appServed = true
			errs = append(errs, m.consider(ctx, t, s, status, nil, tr))
		}
	}
	for i := range s.Posts {
		p := &s.Posts[i]
		served := false
		for _, t := range m.targets {
			if t.serves(p, s.App) {
				served = true
				errs = append(errs, m.consider(ctx, t, s, status, p, tr))
			}
		}
		if !served {
			errs = append(errs, m.skip(ctx, skipNote{caseID: s.CaseID, app: s.App, handle: s.Handle,
				url: p.Permalink, reason: ReasonNoChannel, disc: "post:" + p.Key(), actor: tr.actor, at: m.now(),
				detail: fmt.Sprintf("no takedown target serves source %q (kind %s)", p.Source, p.SourceKind)}))
		}
	}
	if !appServed && s.CaseID != "" {
		errs = append(errs, m.skip(ctx, skipNote{caseID: s.CaseID, app: s.App, handle: s.Handle,
			reason: ReasonNoChannel, disc: "app:" + s.App, actor: tr.actor, at: m.now(),
			detail: fmt.Sprintf("no app_abuse target serves %s", s.App)}))
	}
	return errors.Join(errs...)
}

// consider decides what happens to one (target, post) or (target, case).
func (m *Manager) consider(ctx context.Context, t *target, s Subject, status cases.Status, p *PostRef, tr trigger) error {
	now := m.now()
	kind, key, link := KindHandle, s.CaseID, handlePage(s.App, s.Handle)
	sev, mode := s.Severity, s.Mode
	if p != nil {
		kind, key, link = KindPost, p.Key(), p.Permalink
		if p.Severity != "" {
			sev = p.Severity
		}
		if p.Mode != "" {
			mode = p.Mode
		}
	}
	id := requestID(t.name(), kind, key)
	note := skipNote{caseID: s.CaseID, app: s.App, handle: s.Handle, reqID: id, target: t.name(),
		channel: t.cfg.Channel, url: link, disc: tr.id, actor: tr.actor, at: now}
	skip := func(reason, detail string) error {
		note.reason, note.detail = reason, detail
		return m.skip(ctx, note)
	}
	if status.Closed() {
		return skip(string(status), "the case is "+string(status)+": a human decision wins, nothing is filed")
	}
	if r, ok := m.Request(id); ok {
		if tr.confirm {
			if r.State == wire.TakedownRequested && !r.Closed() && r.Waiting == WaitReview {
				return m.deliver(ctx, t, r, now, tr.actor, false)
			}
			return nil
		}
		return skip(ReasonDuplicate, fmt.Sprintf("request %s already exists (%s)", id, r.State))
	}
	if kind == KindHandle && t.cfg.Contacts[s.App] == "" {
		return skip(ReasonNoContact, "no abuse address configured for "+s.App)
	}
	if t.authErr != nil && !t.shadow {
		return skip(ReasonAuthMissing, t.authErr.Error())
	}
	confirmed := status == cases.StatusConfirmed
	if !confirmed {
		switch {
		case t.cfg.Mode == ModeAuto && mode != wire.ModeAct:
			return skip(ReasonModeNotAct, fmt.Sprintf("auto target: finding mode is %q, not act; waits for a moderator", mode))
		case t.cfg.Mode == ModeAuto && sev.Rank() < t.cfg.AutoMinSeverity.Rank():
			return skip(ReasonBelowSeverity, fmt.Sprintf("auto target: severity %s is below %s; waits for a moderator", sev, t.cfg.AutoMinSeverity))
		case t.cfg.Mode == ModeReview && mode == wire.ModeShadow:
			return skip(ReasonFindingShadow, "the finding is in shadow mode: not queued for review")
		}
	}
	// Two-layer dedupe: the fast key first (one of any number of
	// concurrent callers wins), then the records, which outlive the key.
	seenKey := "takedown:" + t.name() + ":" + kind + ":" + key
	fresh, err := m.store.MarkSeen(ctx, seenKey, dedupeTTL)
	if err != nil {
		return fmt.Errorf("marking takedown %s: %w", id, err)
	}
	if !fresh {
		return skip(ReasonDuplicate, "another sighting of the same "+kind+" is being filed")
	}
	if r, ok := m.Request(id); ok {
		return skip(ReasonDuplicate, fmt.Sprintf("request %s already exists (%s)", id, r.State))
	}
	r := Request{ID: id, CaseID: s.CaseID, App: s.App, Handle: s.Handle, Target: t.name(),
		Channel: t.cfg.Channel, Kind: kind, URL: link}
	sp := spec{Kind: kind, Severity: sev, Mode: mode, Categories: s.Categories}
	if p != nil {
		pp := *p
		pp.Excerpt = excerpt(pp.Excerpt, m.cfg.ExcerptMax)
		sp.Post = pp.toJSON()
	} else {
		for _, q := range s.Posts {
			if len(sp.Permalinks) < 10 && q.Permalink != "" {
				sp.Permalinks = append(sp.Permalinks, q.Permalink)
			}
		}
	}
	detail, _ := json.Marshal(sp)
	why := fmt.Sprintf("auto: severity %s at or above %s, mode act", sev, t.cfg.AutoMinSeverity)
	switch {
	case confirmed:
		why = "case confirmed by " + tr.actor
	case t.cfg.Mode == ModeReview:
		why = "review: waits for a moderator's confirm"
	}
	if err := m.change(ctx, r, wire.TakedownRequested, "0", tr.actor, why, string(detail), now); err != nil {
		_ = m.store.Forget(ctx, seenKey)
		return err
	}
	r, _ = m.Request(id)
	if t.cfg.Mode == ModeReview && !confirmed {
		return skip(ReasonReviewPending, "waits for a moderator's confirm")
	}
	return m.deliver(ctx, t, r, now, tr.actor, false)
}

// handlePage is the handle's public page, where the app has one.
func handlePage(app, handle string) string {
	if app == "telegram" {
		return "https://t.me/" + handle
	}
	return ""
}

// Request returns one request by id.
func (m *Manager) Request(id string) (Request, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.reqs[id]
	if !ok {
		return Request{}, false
	}
	return r.clone(), true
}

// Requests returns the requests of a case (all of them when caseID is
// empty), oldest first: for the case page and the JSON API.
func (m *Manager) Requests(caseID string) []Request {
	m.mu.Lock()
	out := make([]Request, 0, len(m.reqs))
	for _, r := range m.reqs {
		if caseID == "" || r.CaseID == caseID {
			out = append(out, r.clone())
		}
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// cancelCase closes every open request of a dismissed or cleared case,
// except those another case still open shares (its sightings of the same
// post found the request filed): one moderator's dismissal of one handle
// does not withdraw the report another handle in the same post stands on.
func (m *Manager) cancelCase(ctx context.Context, caseID string, status cases.Status, actor string, now time.Time) error {
	var errs []error
	for _, r := range m.Requests("") {
		if r.Closed() || (r.CaseID != caseID && !slices.Contains(r.Sharers, caseID)) {
			continue
		}
		if other := m.openSharer(r, caseID); other != "" {
			m.log.Info("takedown kept open: another case shares it", zap.String("request_id", r.ID),
				zap.String("case_id", caseID), zap.String("shared_with", other))
			continue
		}
		what := "pending request cancelled"
		if r.Notices > 0 {
			what = "no more re-notices or re-checks"
		}
		errs = append(errs, m.change(ctx, r, wire.TakedownFailed, fmt.Sprint(r.Notices), actor,
			fmt.Sprintf("%s: %s, the case was %s by a moderator", status, what, status), "", now))
	}
	return errors.Join(errs...)
}

// openSharer returns a case of r other than closing that is not closed by
// a decision, or "".
func (m *Manager) openSharer(r Request, closing string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range append([]string{r.CaseID}, r.Sharers...) {
		if id != closing && !m.status[id].Closed() {
			return id
		}
	}
	return ""
}
