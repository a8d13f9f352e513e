package sink

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state/statetest"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/notify/notifytest"
)

const (
	testToken    = "test-token-0123456789abcdef"
	hookSecret   = "hook-secret-for-tests"
	smtpUser     = "moderators"
	smtpPassword = "smtp-password-for-tests"
)

// receivers are real endpoints for every notifier kind.
type receivers struct {
	hook  *notifytest.Webhook
	slack *notifytest.Slack
	smtp  *notifytest.SMTP
}

func startReceivers(t *testing.T) *receivers {
	return &receivers{
		hook:  notifytest.StartWebhook(t, hookSecret),
		slack: notifytest.StartSlack(t),
		smtp:  notifytest.StartSMTP(t, notifytest.SMTPOptions{User: smtpUser, Password: smtpPassword}),
	}
}

// config is a sink config with all three notifiers on rcv, quick retries
// and the given escalation thresholds.
func (rcv *receivers) config(t *testing.T) Config {
	t.Setenv("HW_TEST_HOOK_SECRET", hookSecret)
	t.Setenv("HW_TEST_SLACK_URL", rcv.slack.URL)
	t.Setenv("HW_TEST_SMTP_PASSWORD", smtpPassword)
	t.Setenv("HW_TEST_API_TOKEN", testToken)
	return Config{
		Listen: "127.0.0.1:0", BaseURL: "http://127.0.0.1:8080", APITokenEnv: "HW_TEST_API_TOKEN",
		Webhooks: []WebhookConfig{{Name: "hook", URL: rcv.hook.URL, SecretEnv: "HW_TEST_HOOK_SECRET", RatePerMinute: 6000, Timeout: 2 * time.Second}},
		Slack:    []SlackConfig{{Name: "slack", WebhookURLEnv: "HW_TEST_SLACK_URL", RatePerMinute: 6000, Timeout: 2 * time.Second}},
		Email: []EmailConfig{{Name: "mail", Host: rcv.smtp.Host, Port: rcv.smtp.Port, Username: smtpUser, PasswordEnv: "HW_TEST_SMTP_PASSWORD",
			From: "handlewatch <alerts@example.org>", To: []string{"queue@example.org"}, StartTLS: "required", CAFile: rcv.smtp.CAFile,
			RatePerMinute: 6000, Timeout: 5 * time.Second}},
		Alerts: AlertsConfig{MinSeverity: "low", EscalateAtSightings: Thresholds{10, 100, 1000}, EscalateAtSources: Thresholds{3},
			DigestInterval: time.Hour, ReconcileInterval: time.Hour,
			Retry: RetryConfig{Attempts: 4, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: time.Second}},
	}
}

// hookOnly keeps the webhook notifier alone.
func hookOnly(c Config) Config {
	c.Slack, c.Email = nil, nil
	return c
}

// redisStore opens the real Redis under prefix (a fresh one when "", whose
// keys are deleted when the test ends). It fails, never skips, without a
// server.
func redisStore(t *testing.T, prefix string) (*state.Redis, string) {
	t.Helper()
	if prefix == "" {
		r := statetest.OpenRedis(t, "sink")
		return r, r.Prefix()
	}
	return statetest.OpenRedisAt(t, prefix), prefix
}

// running is a sink in its own goroutine.
type running struct {
	*Sink
	stop func()
	api  *httptest.Server
	reg  *prometheus.Registry
}

func startSink(t *testing.T, cfg Config, b *bus.Bus, st state.Store) *running {
	t.Helper()
	reg := prometheus.NewRegistry()
	s, err := New(cfg, Deps{Log: zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), Bus: b, Store: st, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for s.Ready(ctx) != nil {
		select {
		case err := <-done:
			t.Fatalf("sink stopped before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("sink not ready after 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r := &running{Sink: s, reg: reg}
	r.api = httptest.NewServer(s.Handler())
	r.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		r.api.Close()
	})
	t.Cleanup(r.stop)
	return r
}

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// finding n advertises app/handle on source: a valid, synthetic finding.
func finding(n int, app, handle, source string, sev wire.Severity, mode wire.Mode) *wire.Finding {
	text := "trading young collection, " + app + ": " + handle
	f := &wire.Finding{
		Schema: wire.SchemaVersion,
		Post: wire.PostRef{Source: source, SourceKind: "rss", ID: fmt.Sprintf("post-%d", n),
			Permalink: fmt.Sprintf("http://127.0.0.1:8099/%s/posts/%d", source, n), Author: fmt.Sprintf("user_placeholder_%d", n%7), CreatedAt: t0},
		Excerpt: wire.Excerpt{Text: text, Spans: []wire.Span{{Start: 0, End: 7}, {Start: 8, End: 13}}},
		Handles: []wire.Handle{{App: app, Handle: handle, Raw: app + ": " + handle, Kind: wire.HandleMention,
			Span: wire.Span{Start: 26, End: len(text)}}},
		Signals: []wire.Signal{{Rule: "offer.trading", Category: "offer", Weight: 0.4, Span: wire.Span{Start: 0, End: 7}, Mode: mode},
			{Rule: "minor.young", Category: "minor", Weight: 0.35, Span: wire.Span{Start: 8, End: 13}, Mode: mode}},
		Score: 0.8, Severity: sev, RulesVersion: "test-1", Mode: mode, DetectedAt: time.Now().UTC(),
	}
	f.ID = wire.FindingID(source, f.Post.ID, f.RulesVersion)
	return f
}

func publish(t *testing.T, b *bus.Bus, fs ...*wire.Finding) {
	t.Helper()
	for _, f := range fs {
		if _, err := b.Publish(context.Background(), f.Subject(), f.ID, f); err != nil {
			t.Fatal(err)
		}
	}
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sightings is the total over every case the sink holds.
func (r *running) sightings(t *testing.T) int64 {
	t.Helper()
	var n int64
	q := cases.Query{Limit: cases.MaxLimit}
	for {
		p, err := r.cases.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Cases {
			n += c.Sightings
		}
		if !p.More {
			return n
		}
		q.Offset += len(p.Cases)
	}
}

func (r *running) getCase(t *testing.T, app, handle string) *cases.Case {
	t.Helper()
	c, err := r.cases.Get(context.Background(), wire.CaseKey(app, handle))
	if err != nil {
		t.Fatalf("case %s/%s: %v", app, handle, err)
	}
	return c
}

// api calls the sink's API.
func (r *running) call(t *testing.T, method, path, token, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	return doRequest(t, r.api.URL, method, path, token, body, hdr...)
}

// replayAlerts returns the alert events on the case stream.
func replayAlerts(t *testing.T, b *bus.Bus) []*wire.CaseEvent {
	t.Helper()
	var out []*wire.CaseEvent
	err := b.Replay(context.Background(), bus.StreamCases, "hw.cases.alert", func(m bus.Msg) error {
		e, err := decodeCaseEvent(m.Data)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// levelCounts counts webhook deliveries per case and level (a message
// covering several levels counts for each).
func levelCounts(rcv *notifytest.Webhook) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, d := range rcv.Deliveries() {
		for _, a := range d.Payload.Alerts {
			if out[a.CaseID] == nil {
				out[a.CaseID] = map[string]int{}
			}
			for _, l := range a.Levels {
				out[a.CaseID][l]++
			}
		}
	}
	return out
}

// counter reads a counter from the sink's registry.
func (r *running) counter(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
