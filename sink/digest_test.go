package sink

import (
	"fmt"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestRateLimitOverflowGoesToTheDigest: past its rate a destination gets
// the rest in one digest; a digest-only destination gets nothing but
// digests; digests still waiting go out when the sink stops.
func TestRateLimitOverflowGoesToTheDigest(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Email = nil
	cfg.Webhooks[0].RatePerMinute = 2
	cfg.Slack[0].Digest = true
	cfg.Alerts.DigestInterval = time.Hour // only the stop flushes
	s := startSink(t, cfg, b, state.NewMemory())
	const n = 5
	for i := range n {
		publish(t, b, finding(i, "wickr", fmt.Sprintf("placeholder_%02d", i), "forum-a", wire.SeverityMedium, wire.ModeAlert))
	}
	waitFor(t, "5 sightings", 10*time.Second, func() bool { return s.sightings(t) == n })
	waitFor(t, "2 immediate alerts", 10*time.Second, func() bool { return rcv.hook.Count() == 2 })
	time.Sleep(200 * time.Millisecond)
	if rcv.hook.Count() != 2 || rcv.slack.Count() != 0 {
		t.Fatalf("before the digest: webhook %d, slack %d", rcv.hook.Count(), rcv.slack.Count())
	}
	if got := s.counter(t, "handlewatch_sink_alerts_queued_total", map[string]string{"notifier": "hook", "reason": "rate_limit"}); got != 3 {
		t.Fatalf("queued by the rate limit: %v, want 3", got)
	}
	s.stop()
	if rcv.hook.Count() != 3 || rcv.slack.Count() != 1 {
		t.Fatalf("after stop: webhook %d, slack %d; want one digest each", rcv.hook.Count(), rcv.slack.Count())
	}
	d := rcv.hook.Deliveries()[2]
	if d.Payload.Type != "digest" || len(d.Payload.Alerts) != 3 || d.Payload.Since == nil {
		t.Fatalf("digest %s", d.Body)
	}
	// Every case got exactly one "new" per notifier, recorded on the stream.
	recs := replayAlerts(t, b)
	perNotifier := map[string]int{}
	digested := 0
	for _, e := range recs {
		perNotifier[e.Alert.Notifier]++
		if e.Alert.Detail == "in a digest" {
			digested++
		}
		if !e.Alert.Delivered || e.Alert.Level != "new" {
			t.Fatalf("record %+v", e.Alert)
		}
	}
	if perNotifier["hook"] != n || perNotifier["slack"] != n || digested != 3+n {
		t.Fatalf("records per notifier %v, %d via digests", perNotifier, digested)
	}
	// A restart sends none of it again.
	s2 := startSink(t, cfg, b, state.NewMemory())
	time.Sleep(300 * time.Millisecond)
	s2.stop()
	if rcv.hook.Count() != 3 || rcv.slack.Count() != 1 {
		t.Fatalf("after a restart: webhook %d, slack %d", rcv.hook.Count(), rcv.slack.Count())
	}
}
