package sink

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// servers runs fn on the embedded NATS and on the real one.
func servers(t *testing.T, fn func(t *testing.T, b *bus.Bus)) {
	t.Run("embedded", func(t *testing.T) { fn(t, bustest.Embedded(t, "")) })
	t.Run("external", func(t *testing.T) { fn(t, bustest.External(t)) })
}

func TestNewCaseAlertsOnceOnEveryNotifier(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		rcv := startReceivers(t)
		s := startSink(t, rcv.config(t), b, state.NewMemory())
		sev := wire.SeverityMedium
		publish(t, b,
			finding(1, "wickr", "placeholder_01", "forum-a", sev, wire.ModeAlert),
			finding(2, "wickr", "placeholder_01", "forum-b", sev, wire.ModeAlert),
			finding(3, "wickr", "placeholder_01", "forum-a", sev, wire.ModeAlert),
			finding(4, "telegram", "tg_demo_77", "forum-a", sev, wire.ModeAct),
			finding(5, "kik", "example_seller", "forum-a", sev, wire.ModeAlert),
			finding(6, "kik", "example_seller", "forum-b", sev, wire.ModeAlert),
			// shadow: recorded, never alerted
			finding(7, "session", "placeholder_shadow", "forum-a", wire.SeverityCritical, wire.ModeShadow),
			finding(8, "session", "placeholder_shadow", "forum-b", wire.SeverityCritical, wire.ModeShadow),
		)
		// A redelivered finding is one sighting.
		publish(t, b, finding(1, "wickr", "placeholder_01", "forum-a", sev, wire.ModeAlert))
		// Poison: not a finding at all, and a finding of a future schema.
		if _, err := b.Publish(context.Background(), "hw.findings.forum-a", "junk-1", "not a finding"); err != nil {
			t.Fatal(err)
		}
		future := finding(9, "wickr", "placeholder_09", "forum-a", sev, wire.ModeAlert)
		future.Schema = 99
		publish(t, b, future)

		waitFor(t, "8 sightings", 10*time.Second, func() bool { return s.sightings(t) == 8 })
		waitFor(t, "3 alerts per notifier", 10*time.Second, func() bool {
			return rcv.hook.Count() >= 3 && rcv.slack.Count() >= 3 && rcv.smtp.Count() >= 3
		})
		waitFor(t, "poison counted", 5*time.Second, func() bool {
			return s.counter(t, "handlewatch_sink_findings_consumed_total", map[string]string{"result": "poison"}) == 2
		})
		time.Sleep(300 * time.Millisecond) // nothing more may come
		if rcv.hook.Count() != 3 || rcv.slack.Count() != 3 || rcv.smtp.Count() != 3 || rcv.hook.BadSignatures() != 0 {
			t.Fatalf("deliveries: webhook %d (bad signatures %d), slack %d, smtp %d; want 3 each",
				rcv.hook.Count(), rcv.hook.BadSignatures(), rcv.slack.Count(), rcv.smtp.Count())
		}
		seen := map[string]bool{}
		for _, d := range rcv.hook.Deliveries() {
			a := d.Payload.Alerts[0]
			if seen[a.CaseID] || d.Payload.Type != "alert" || fmt.Sprint(a.Levels) != "[new]" || d.Key != a.CaseID+":new" {
				t.Fatalf("delivery %s", d.Body)
			}
			seen[a.CaseID] = true
			if a.URL != "http://127.0.0.1:8080/cases/"+a.CaseID || len(a.Permalinks) == 0 || a.ExcerptMarked == "" {
				t.Fatalf("alert lacks its links or evidence: %s", d.Body)
			}
		}
		if !seen[wire.CaseKey("wickr", "placeholder_01")] || seen[wire.CaseKey("session", "placeholder_shadow")] {
			t.Fatalf("alerted cases %v", seen)
		}
		for _, m := range rcv.smtp.Mails() {
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil || !m.TLS || m.User != smtpUser {
				t.Fatalf("mail over TLS=%v as %q: %v", m.TLS, m.User, err)
			}
			body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if subj := msg.Header.Get("Subject"); strings.Contains(subj, "placeholder") || !strings.Contains(string(body), "⟦") {
				t.Fatalf("mail subject %q body %s", subj, body)
			}
		}
		c := s.getCase(t, "wickr", "placeholder_01")
		if c.Sightings != 3 || c.Sources != 2 || len(c.Alerts) != 3 || c.Status != cases.StatusNew {
			t.Fatalf("case %+v", c)
		}
		if sh := s.getCase(t, "session", "placeholder_shadow"); sh.Sightings != 2 || len(sh.Alerts) != 0 || sh.Mode != wire.ModeShadow {
			t.Fatalf("shadow case %+v", sh)
		}
		recs := replayAlerts(t, b)
		if len(recs) != 9 {
			t.Fatalf("%d alert records on hw.cases.alert, want 9", len(recs))
		}
		for _, e := range recs {
			if !e.Alert.Delivered || e.Alert.Level != "new" || e.ID != alertEventID(e.CaseID, "new", e.Alert.Notifier) {
				t.Fatalf("alert record %+v %+v", e, e.Alert)
			}
		}
	})
}

func TestBurstOfOneHandleEscalatesOnThresholdsOnly(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	s := startSink(t, rcv.config(t), b, state.NewMemory())
	const n = 1000
	for i := range n {
		publish(t, b, finding(i, "telegram", "tg_demo_77", "forum-a", wire.SeverityMedium, wire.ModeAlert))
	}
	waitFor(t, "1000 sightings", 60*time.Second, func() bool { return s.sightings(t) == n })
	waitFor(t, "4 alerts per notifier", 10*time.Second, func() bool {
		return rcv.hook.Count() >= 4 && rcv.slack.Count() >= 4 && rcv.smtp.Count() >= 4
	})
	time.Sleep(200 * time.Millisecond)
	if rcv.hook.Count() != 4 || rcv.slack.Count() != 4 || rcv.smtp.Count() != 4 {
		t.Fatalf("deliveries: webhook %d, slack %d, smtp %d; want 4 each (new + 3 thresholds)",
			rcv.hook.Count(), rcv.slack.Count(), rcv.smtp.Count())
	}
	var levels []string
	for _, d := range rcv.hook.Deliveries() {
		levels = append(levels, d.Payload.Alerts[0].Levels...)
	}
	want := "[new escalation:sightings-10 escalation:sightings-100 escalation:sightings-1000]"
	if fmt.Sprint(levels) != want {
		t.Fatalf("levels %v, want %s", levels, want)
	}
	c := s.getCase(t, "telegram", "tg_demo_77")
	if c.Sightings != n || len(c.Recent) != cases.DefaultMaxSightings || c.Sources != 1 {
		t.Fatalf("case: %d sightings, %d kept, %d sources", c.Sightings, len(c.Recent), c.Sources)
	}
	if got := s.counter(t, "handlewatch_sink_escalations_total", map[string]string{"notifier": "hook"}); got != 3 {
		t.Fatalf("escalations metric %v, want 3", got)
	}
}

func TestDismissedCaseNeverAlertsAgain(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	s := startSink(t, hookOnly(rcv.config(t)), b, state.NewMemory())
	publish(t, b, finding(0, "wickr", "placeholder_01", "forum-a", wire.SeverityMedium, wire.ModeAlert))
	waitFor(t, "the new-case alert", 10*time.Second, func() bool { return rcv.hook.Count() == 1 })
	id := wire.CaseKey("wickr", "placeholder_01")
	resp, body := s.call(t, "POST", "/api/cases/"+id+"/decision", testToken, `{"decision":"dismiss","actor":"mod_a","reason":"a news report"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"dismissed"`) {
		t.Fatalf("dismiss: %d %s", resp.StatusCode, body)
	}
	for i := 1; i <= 120; i++ {
		src := fmt.Sprintf("forum-%d", i%5)
		publish(t, b, finding(i, "wickr", "placeholder_01", src, wire.SeverityCritical, wire.ModeAct))
	}
	waitFor(t, "121 sightings", 20*time.Second, func() bool { return s.sightings(t) == 121 })
	time.Sleep(200 * time.Millisecond)
	if rcv.hook.Count() != 1 {
		t.Fatalf("%d deliveries after the dismissal, want the first one only", rcv.hook.Count())
	}
	c := s.getCase(t, "wickr", "placeholder_01")
	if c.Status != cases.StatusDismissed || c.Severity != wire.SeverityCritical || c.Decision.Actor != "mod_a" {
		t.Fatalf("case %+v", c)
	}
}

func TestDecisionsUpdateWatchlists(t *testing.T) {
	b := bustest.Embedded(t, "")
	st := state.NewMemory()
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	s := startSink(t, cfg, b, st)
	publish(t, b, finding(0, "kik", "example_seller", "forum-a", wire.SeverityHigh, wire.ModeAlert))
	waitFor(t, "the case", 10*time.Second, func() bool { return s.sightings(t) == 1 })
	id := wire.CaseKey("kik", "example_seller")
	member := wire.WatchMember("kik", "example_seller")
	in := func(set string) bool {
		ok, err := st.InSet(context.Background(), set, member)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, step := range []struct {
		body           string
		known, cleared bool
	}{
		{`{"decision":"escalate","actor":"mod_a"}`, false, false},
		{`{"decision":"confirm","actor":"mod_a","reason":"coded offer"}`, true, false},
		{`{"decision":"clear","actor":"lead_b","reason":"a researcher's test account"}`, false, true},
		{`{"decision":"confirm","actor":"lead_b","reason":"reopened"}`, true, false},
		{`{"decision":"dismiss","actor":"lead_b","reason":"duplicate"}`, false, false},
	} {
		resp, body := s.call(t, "POST", "/api/cases/"+id+"/decision", testToken, step.body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", step.body, resp.StatusCode, body)
		}
		if in(wire.WatchlistKnown) != step.known || in(wire.WatchlistCleared) != step.cleared {
			t.Fatalf("after %s: known=%v cleared=%v", step.body, in(wire.WatchlistKnown), in(wire.WatchlistCleared))
		}
	}
	if got := s.counter(t, "handlewatch_sink_decisions_total", map[string]string{"decision": "confirm"}); got != 2 {
		t.Fatalf("confirm decisions metric %v", got)
	}
}

func TestWebhookFailingThenSucceedingDeliversOnce(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	rcv.hook.FailNext(3, 503)
	s := startSink(t, hookOnly(rcv.config(t)), b, state.NewMemory())
	publish(t, b, finding(0, "wickr", "placeholder_01", "forum-a", wire.SeverityMedium, wire.ModeAlert))
	waitFor(t, "a delivery", 10*time.Second, func() bool { return rcv.hook.Count() == 1 })
	time.Sleep(200 * time.Millisecond)
	if rcv.hook.Count() != 1 || rcv.hook.Attempts() != 4 {
		t.Fatalf("%d deliveries in %d attempts, want 1 in 4", rcv.hook.Count(), rcv.hook.Attempts())
	}
	c := s.getCase(t, "wickr", "placeholder_01")
	if len(c.Alerts) != 1 || !c.Alerts[0].Delivered || c.Alerts[0].Attempts != 4 {
		t.Fatalf("alert record %+v", c.Alerts)
	}
	if got := s.counter(t, "handlewatch_sink_alerts_failed_total", map[string]string{"notifier": "hook"}); got != 3 {
		t.Fatalf("failed attempts metric %v, want 3", got)
	}
}

func TestDeadReceiverIsDeadLettered(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	rcv.hook.FailAll(500)
	s := startSink(t, hookOnly(rcv.config(t)), b, state.NewMemory())
	publish(t, b, finding(0, "wickr", "placeholder_01", "forum-a", wire.SeverityMedium, wire.ModeAlert))
	var recs []*wire.CaseEvent
	waitFor(t, "the dead letter", 10*time.Second, func() bool { recs = replayAlerts(t, b); return len(recs) == 1 })
	e := recs[0]
	if e.Alert.Delivered || e.Alert.Attempts != 4 || e.Alert.Notifier != "hook" || e.Alert.Level != "new" ||
		!strings.Contains(e.Alert.Detail, "500") || e.Actor != "sink" {
		t.Fatalf("dead letter %+v %+v", e, e.Alert)
	}
	if got := s.counter(t, "handlewatch_sink_alerts_dead_lettered_total", map[string]string{"notifier": "hook"}); got != 1 {
		t.Fatalf("dead-letter metric %v", got)
	}
	// The finding was acked and the alert is settled: no more attempts,
	// and a new sighting does not try again.
	publish(t, b, finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityMedium, wire.ModeAlert))
	waitFor(t, "2 sightings", 10*time.Second, func() bool { return s.sightings(t) == 2 })
	time.Sleep(300 * time.Millisecond)
	if rcv.hook.Attempts() != 4 || rcv.hook.Count() != 0 {
		t.Fatalf("%d attempts, %d deliveries after the dead letter", rcv.hook.Attempts(), rcv.hook.Count())
	}
}

func TestNewFailsOnMissingSecret(t *testing.T) {
	b := bustest.Embedded(t, "")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"webhook", Config{Webhooks: []WebhookConfig{{Name: "h", URL: "http://127.0.0.1:1/h", SecretEnv: "HW_TEST_MISSING_A"}}},
			"sink.webhooks[0].secret_env: secret HW_TEST_MISSING_A: not set"},
		{"slack", Config{Slack: []SlackConfig{{Name: "s", WebhookURLEnv: "HW_TEST_MISSING_B"}}}, "sink.slack[0].webhook_url_env: secret HW_TEST_MISSING_B"},
		{"email", Config{Email: []EmailConfig{{Name: "m", Host: "127.0.0.1", Username: "u", PasswordEnv: "HW_TEST_MISSING_C",
			From: "a@example.org", To: []string{"b@example.org"}}}}, "sink.email[0].password_env: secret HW_TEST_MISSING_C"},
		{"api token", Config{APITokenEnv: "HW_TEST_MISSING_D"}, "sink.api_token_env: secret HW_TEST_MISSING_D"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, Deps{Bus: b, Store: state.NewMemory()})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("New() = %v, want %q…", err, tc.want)
			}
		})
	}
	t.Setenv("HW_TEST_SHORT_TOKEN", "short")
	if _, err := New(Config{APITokenEnv: "HW_TEST_SHORT_TOKEN"}, Deps{Bus: b, Store: state.NewMemory()}); err == nil {
		t.Fatal("a 5-character API token was accepted")
	}
}

// TestAlertClaimedByADeadProcessIsSentOnce: a sink killed after claiming
// an alert and before recording it leaves the claim behind. The finding
// comes back (it was never acked) and must not be acked while the claim
// stands, or the alert is lost; once the claim expires the alert goes out,
// once per notifier.
func TestAlertClaimedByADeadProcessIsSentOnce(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		rcv := startReceivers(t)
		st := state.NewMemory()
		id := wire.CaseKey("wickr", "placeholder_dead1")
		for _, notifier := range []string{"hook", "slack", "mail"} {
			if _, err := st.MarkSeen(context.Background(), leaseKey(id, "new", notifier), 1500*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		startSink(t, rcv.config(t), b, st)
		publish(t, b, finding(1, "wickr", "placeholder_dead1", "forum-a", wire.SeverityMedium, wire.ModeAlert))
		waitFor(t, "the alert on every notifier", 20*time.Second, func() bool {
			return rcv.hook.Count() >= 1 && rcv.slack.Count() >= 1 && rcv.smtp.Count() >= 1
		})
		time.Sleep(500 * time.Millisecond) // nothing more may come
		if rcv.hook.Count() != 1 || rcv.slack.Count() != 1 || rcv.smtp.Count() != 1 {
			t.Fatalf("deliveries: webhook %d, slack %d, smtp %d; want 1 each", rcv.hook.Count(), rcv.slack.Count(), rcv.smtp.Count())
		}
	})
}
