package takedown

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state/statetest"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// ---- stores: every behaviour test runs on memory and on the real Redis.

type storeCase struct {
	name string
	open func(t testing.TB) Store
}

var stores = []storeCase{
	{"memory", func(testing.TB) Store { return state.NewMemory() }},
	{"redis", func(t testing.TB) Store { return statetest.OpenRedis(t, "takedown") }},
}

// forEachStore runs f as a subtest per store.
func forEachStore(t *testing.T, f func(t *testing.T, store Store)) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) { f(t, sc.open(t)) })
	}
}

// ---- clock

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// ---- publisher: keeps every event in order and drops repeated ids, as
// JetStream does within its duplicate window.

type recorder struct {
	mu     sync.Mutex
	events []wire.CaseEvent
	ids    map[string]bool
	fail   atomic.Bool
	// failID, when set, refuses the events whose id it matches (a crash
	// between an action and its record).
	failID func(id string) bool
}

func newRecorder() *recorder { return &recorder{ids: map[string]bool{}} }

func (p *recorder) Publish(_ context.Context, subject, msgID string, v any) (bool, error) {
	if p.fail.Load() || (p.failID != nil && p.failID(msgID)) {
		return false, errors.New("nats: no responders")
	}
	ev := v.(wire.CaseEvent)
	if subject != ev.Subject() || msgID != ev.ID {
		return false, fmt.Errorf("subject %s / msg id %s do not match the event", subject, msgID)
	}
	// Round-trip through JSON, as the stream would.
	b, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	var back wire.CaseEvent
	if err := json.Unmarshal(b, &back); err != nil {
		return false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids[msgID] {
		return true, nil
	}
	p.ids[msgID] = true
	p.events = append(p.events, back)
	return false, nil
}

func (p *recorder) all() []wire.CaseEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]wire.CaseEvent(nil), p.events...)
}

func (p *recorder) skips(reason string) []wire.CaseEvent {
	var out []wire.CaseEvent
	for _, ev := range p.all() {
		if ev.Type == wire.EventSkip && (reason == "" || ev.Reason == reason) {
			out = append(out, ev)
		}
	}
	return out
}

func (p *recorder) states(reqID string) []wire.TakedownState {
	var out []wire.TakedownState
	for _, ev := range p.all() {
		if ev.Type == wire.EventTakedown && ev.Takedown.RequestID == reqID {
			out = append(out, ev.Takedown.State)
		}
	}
	return out
}

// ---- harness

type harness struct {
	m     *Manager
	pub   *recorder
	clock *clock
	reg   *prometheus.Registry
	store Store
}

func newHarness(t testing.TB, cfg Config, store Store, deps ...func(*Deps)) *harness {
	t.Helper()
	h := &harness{pub: newRecorder(), clock: newClock(), reg: prometheus.NewRegistry(), store: store}
	d := Deps{Log: zaptest.NewLogger(t), Publisher: h.pub, Store: store, Metrics: h.reg, Now: h.clock.Now}
	for _, f := range deps {
		f(&d)
	}
	m, err := New(cfg, d)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.m = m
	return h
}

func (h *harness) skipped(target, reason string) float64 {
	return counterValue(h.m.metrics.skipped.WithLabelValues(target, reason))
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// histogramCount is the number of observations of one histogram series.
func histogramCount(h prometheus.Observer) uint64 {
	var m dto.Metric
	if err := h.(prometheus.Metric).Write(&m); err != nil {
		panic(err)
	}
	return m.GetHistogram().GetSampleCount()
}

// ---- findings

var postSeq atomic.Int64

type findingOpt func(*wire.Finding)

func withSeverity(s wire.Severity) findingOpt { return func(f *wire.Finding) { f.Severity = s } }
func withMode(m wire.Mode) findingOpt         { return func(f *wire.Finding) { f.Mode = m } }
func withHandle(app, handle string) findingOpt {
	return func(f *wire.Finding) { f.Handles[0].App, f.Handles[0].Handle = app, handle }
}

// finding builds a valid finding for a post of source (kind) with the
// given id and permalink.
func finding(source, kind, postID, permalink, author string, opts ...findingOpt) wire.Finding {
	text := "trading young collection, wickr: placeholder_01"
	f := wire.Finding{
		Schema: 1, ID: wire.FindingID(source, postID, "r1"),
		Post: wire.PostRef{Source: source, SourceKind: kind, ID: postID, Permalink: permalink,
			Author: author, CreatedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)},
		Excerpt: wire.Excerpt{Text: text, Spans: []wire.Span{{Start: 0, End: 7}}},
		Handles: []wire.Handle{{App: "wickr", Handle: "placeholder_01", Raw: "wickr: placeholder_01",
			Kind: wire.HandleMention, Span: wire.Span{Start: 26, End: 47}}},
		Signals: []wire.Signal{
			{Rule: "offer.trade", Category: "offer", Weight: 2, Span: wire.Span{Start: 0, End: 7}},
			{Rule: "minor.young", Category: "minor_indicator", Weight: 2, Span: wire.Span{Start: 8, End: 13}},
			{Rule: "contact.app", Category: "contact_invitation", Weight: 1, Span: wire.Span{Start: 26, End: 31}},
		},
		Score: 0.93, Severity: wire.SeverityCritical, RulesVersion: "r1", Mode: wire.ModeAct,
		DetectedAt: time.Date(2026, 3, 2, 8, 1, 0, 0, time.UTC),
	}
	for _, o := range opts {
		o(&f)
	}
	if err := f.Validate(); err != nil {
		panic(err)
	}
	return f
}

func subjectOf(f wire.Finding, status cases.Status) Subject {
	return SubjectFromFinding(f, f.Handles[0], status)
}

func decision(caseID string, d wire.Decision, actor string, at time.Time) wire.CaseEvent {
	return wire.CaseEvent{Schema: 1, ID: "dec-" + caseID + "-" + string(d) + "-" + at.Format("150405"), CaseID: caseID,
		Type: wire.EventDecision, Decision: d, Actor: actor, At: at}
}

// ---- Mastodon: accounts/lookup, reports and statuses, with a bearer.

type mastodonServer struct {
	*httptest.Server
	token string

	mu       sync.Mutex
	reports  []url.Values
	lookups  []string
	gone     map[string]bool // status id → deleted
	calls    int
	failNext int // answer 503 to the next n reports
}

func newMastodonServer(t testing.TB) *mastodonServer {
	s := &mastodonServer{token: "masto-token-1", gone: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/accounts/lookup", func(w http.ResponseWriter, r *http.Request) {
		acct := r.URL.Query().Get("acct")
		s.mu.Lock()
		s.lookups = append(s.lookups, acct)
		s.mu.Unlock()
		if acct == "gone_user" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":"Record not found"}`)
			return
		}
		writeJSON(w, map[string]any{"id": "1090001", "username": acct, "acct": acct, "url": s.URL + "/@" + acct})
	})
	mux.HandleFunc("POST /api/v1/reports", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, `{"error":"bad form"}`, http.StatusBadRequest)
			return
		}
		f := r.PostForm
		if f.Get("account_id") == "" || len(f["status_ids[]"]) == 0 || f.Get("comment") == "" ||
			len([]rune(f.Get("comment"))) > 1000 || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"error":"Validation failed"}`)
			return
		}
		s.mu.Lock()
		if s.failNext > 0 {
			s.failNext--
			s.mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		s.reports = append(s.reports, f)
		id := len(s.reports)
		s.mu.Unlock()
		writeJSON(w, map[string]any{
			"id": fmt.Sprint(id), "action_taken": false, "category": f.Get("category"), "comment": f.Get("comment"),
			"forwarded": f.Get("forward") == "true", "status_ids": f["status_ids[]"], "rule_ids": nil,
			"created_at": "2026-03-02T09:00:00.000Z", "target_account": map[string]any{"id": f.Get("account_id")},
		})
	})
	mux.HandleFunc("GET /api/v1/statuses/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		gone := s.gone[r.PathValue("id")]
		s.mu.Unlock()
		if gone {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":"Record not found"}`)
			return
		}
		writeJSON(w, map[string]any{"id": r.PathValue("id"), "visibility": "public"})
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls++
		token := s.token
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"The access token is invalid"}`)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *mastodonServer) reportCount() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.reports) }
func (s *mastodonServer) callCount() int   { s.mu.Lock(); defer s.mu.Unlock(); return s.calls }
func (s *mastodonServer) report(i int) url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reports[i]
}
func (s *mastodonServer) lookup(i int) string { s.mu.Lock(); defer s.mu.Unlock(); return s.lookups[i] }
func (s *mastodonServer) set(f func(s *mastodonServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func newStoreMemory() Store { return state.NewMemory() }

func (s *mastodonServer) setGone(id string) {
	s.mu.Lock()
	s.gone[id] = true
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// mastodonTarget is a target on s, reading its token from an env var the
// test sets.
func mastodonTarget(t *testing.T, s *mastodonServer, name, mode string) TargetConfig {
	env := "HW_TEST_TD_MASTODON_" + strings.ToUpper(name)
	env = strings.NewReplacer("-", "_").Replace(env)
	t.Setenv(env, s.token)
	return TargetConfig{Name: name, Channel: ChannelMastodon, AppliesTo: []string{"masto"}, BaseURL: s.URL,
		TokenEnv: env, Mode: mode}
}

// mastodonFinding is a finding of post id on s.
func mastodonFinding(s *mastodonServer, id string, opts ...findingOpt) wire.Finding {
	return finding("masto", "mastodon", id, s.URL+"/@example_seller/"+id, "example_seller", opts...)
}

// ---- SMTP: a real go-smtp server with STARTTLS and PLAIN auth that
// refuses authentication in clear.

type mail struct {
	from string
	to   []string
	data string
	user string
}

type smtpServer struct {
	addr string
	tls  *tls.Config // for the client: trusts the server's certificate
	mu   sync.Mutex
	got  []mail
}

func (s *smtpServer) mails() []mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mail(nil), s.got...)
}

type smtpSession struct {
	srv  *smtpServer
	cur  mail
	conn *smtp.Conn
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "reports@example.org" || pass != "smtp-pass-1" {
			return errors.New("bad credentials")
		}
		if _, ok := s.conn.TLSConnectionState(); !ok {
			return errors.New("auth without TLS")
		}
		s.cur.user = user
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.cur)
	s.srv.mu.Unlock()
	s.cur = mail{user: s.cur.user}
	return nil
}
func (s *smtpSession) Reset()        { s.cur = mail{user: s.cur.user} }
func (s *smtpSession) Logout() error { return nil }

func newSMTPServer(t testing.TB) *smtpServer {
	t.Helper()
	cert, pool := selfSigned(t)
	out := &smtpServer{tls: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: out, conn: c}, nil })
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	out.addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { s.Close() })
	return out
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func (s *smtpServer) config(t *testing.T) SMTPConfig {
	t.Setenv("HW_TEST_TD_SMTP_PASSWORD", "smtp-pass-1")
	host, port, _ := net.SplitHostPort(s.addr)
	var p int
	fmt.Sscan(port, &p)
	return SMTPConfig{Host: host, Port: p, Username: "reports@example.org", PasswordEnv: "HW_TEST_TD_SMTP_PASSWORD",
		From: "reports@example.org", TLS: "starttls"}
}
