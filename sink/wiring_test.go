package sink

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

func caseEvents(t *testing.T, b *bus.Bus, filter string) []*wire.CaseEvent {
	t.Helper()
	var out []*wire.CaseEvent
	if err := b.Replay(context.Background(), bus.StreamCases, filter, func(m bus.Msg) error {
		e, err := decodeCaseEvent(m.Data)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTakedownsAndStatsAreWired: a finding files a takedown request that
// waits for review; the moderator's confirm (through the API, back from
// the stream) releases it, here in shadow mode; the research counters see
// the finding, the scan tally and the decision.
func TestTakedownsAndStatsAreWired(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	cfg.Takedowns = takedown.Config{Enabled: true, Shadow: true, Contact: "https://example.org/abuse",
		Targets: []takedown.TargetConfig{{Name: "forum-abuse", Channel: takedown.ChannelEmail, AppliesTo: []string{"*"},
			Mode: takedown.ModeReview, To: []string{"abuse@example.org"},
			SMTP: takedown.SMTPConfig{Host: "127.0.0.1", Port: 25, From: "hw@example.org", TLS: "none"}}}}
	s := startSink(t, cfg, b, state.NewMemory())
	f := finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAct)
	publish(t, b, f)
	tally := wire.ScanTally{Schema: 1, ID: "w1-1", Source: "forum-a", Day: f.DetectedAt.Format("2006-01-02"), Posts: 400, At: f.DetectedAt}
	if _, err := b.Publish(context.Background(), tally.Subject(), tally.ID, tally); err != nil {
		t.Fatal(err)
	}
	id := wire.CaseKey("wickr", "placeholder_01")
	waitFor(t, "the request waiting for review", 10*time.Second, func() bool {
		for _, e := range caseEvents(t, b, "") {
			if e.CaseID == id && e.Takedown != nil && e.Takedown.Target == "forum-abuse" {
				return true
			}
		}
		return false
	})
	before := len(caseEvents(t, b, "hw.cases.skip"))
	resp, body := s.call(t, "POST", "/api/cases/"+id+"/decision", testToken, `{"decision":"confirm","actor":"mod_a","reason":"coded offer"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	waitFor(t, "the shadow notice after the confirm", 10*time.Second, func() bool {
		for _, e := range caseEvents(t, b, "hw.cases.skip")[before:] {
			if e.CaseID == id && e.Takedown != nil && e.Takedown.Shadow && strings.HasPrefix(e.Reason, takedown.ReasonShadow) {
				return true
			}
		}
		return false
	})
	// The case view carries the takedown request's state.
	waitFor(t, "the takedown in the case view", 10*time.Second, func() bool {
		return len(s.getCase(t, "wickr", "placeholder_01").Takedowns) > 0
	})
	// Research figures: one finding out of 400 posts scanned, one confirm.
	waitFor(t, "the research report", 10*time.Second, func() bool {
		resp, body := s.call(t, "GET", "/api/stats", testToken, "")
		if resp.StatusCode != 200 {
			t.Fatalf("stats: %d %s", resp.StatusCode, body)
		}
		if !json.Valid(body) {
			t.Fatalf("stats: not JSON: %s", body)
		}
		return strings.Contains(string(body), `"overall":{"posts_scanned":400,"findings":1,`)
	})
	if resp, _ := s.call(t, "GET", "/api/stats", "", ""); resp.StatusCode != 401 {
		t.Fatalf("stats without the token: %d", resp.StatusCode)
	}
}
