package sink

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/notify/notifytest"
)

// checkAlertedOnce: every case got "new" and its sightings-10 escalation
// exactly once at the receiver (one message may carry both).
func checkAlertedOnce(t *testing.T, rcv *notifytest.Webhook, handles []string) {
	t.Helper()
	counts := levelCounts(rcv)
	for _, h := range handles {
		id := wire.CaseKey("wickr", h)
		got := counts[id]
		if len(got) != 2 || got["new"] != 1 || got["escalation:sightings-10"] != 1 {
			t.Errorf("case %s (%s): levels delivered %v, want new and escalation:sightings-10 once each", id, h, got)
		}
	}
	if len(counts) != len(handles) {
		t.Errorf("%d cases alerted, want %d", len(counts), len(handles))
	}
}

// TestStopMidRunLosesNothing stops a sink while findings flow and starts
// another on the same NATS: with the same Redis (persistent view) and with
// a fresh memory store (the view rebuilt by replay). Every sighting must
// be there and no alert level delivered twice.
func TestStopMidRunLosesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) (first, second state.Store)
	}{
		{"same redis", func(t *testing.T) (state.Store, state.Store) {
			a, prefix := redisStore(t, "")
			b, _ := redisStore(t, prefix)
			return a, b
		}},
		{"wiped memory", func(t *testing.T) (state.Store, state.Store) { return state.NewMemory(), state.NewMemory() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bustest.External(t)
			rcv := startReceivers(t)
			rcv.hook.Delay(5 * time.Millisecond) // the stop lands mid-delivery
			cfg := hookOnly(rcv.config(t))
			first, second := tc.store(t)
			const handles, perHandle = 30, 12
			var names []string
			for h := range handles {
				names = append(names, fmt.Sprintf("placeholder_%02d", h))
			}
			s1 := startSink(t, cfg, b, first)
			var pub sync.WaitGroup
			pub.Add(1)
			published := make(chan int, handles*perHandle)
			go func() {
				defer pub.Done()
				n := 0
				for round := range perHandle {
					for h, name := range names {
						publish(t, b, finding(round*handles+h, "wickr", name, fmt.Sprintf("forum-%d", round%2), wire.SeverityMedium, wire.ModeAlert))
						n++
						published <- n
						time.Sleep(200 * time.Microsecond)
					}
				}
			}()
			// Stop the first sink a third of the way through.
			for n := range published {
				if n >= handles*perHandle/3 {
					break
				}
			}
			s1.stop()
			done := s1.counter(t, "handlewatch_sink_findings_consumed_total", map[string]string{"result": "new"})
			if done == 0 || done >= handles*perHandle {
				t.Fatalf("the first sink consumed %v of %d findings: not stopped mid-run", done, handles*perHandle)
			}
			s2 := startSink(t, cfg, b, second)
			pub.Wait()
			waitFor(t, "every sighting", 30*time.Second, func() bool { return s2.sightings(t) == handles*perHandle })
			waitFor(t, "every alert", 30*time.Second, func() bool {
				total := 0
				for _, lv := range levelCounts(rcv.hook) {
					total += len(lv)
				}
				return total >= 2*handles
			})
			time.Sleep(300 * time.Millisecond)
			checkAlertedOnce(t, rcv.hook, names)
			for _, name := range names {
				c := s2.getCase(t, "wickr", name)
				if c.Sightings != perHandle || len(c.Recent) != perHandle || c.Sources != 2 {
					t.Errorf("case %s: %d sightings (%d kept), %d sources; want %d", name, c.Sightings, len(c.Recent), c.Sources, perHandle)
				}
			}
		})
	}
}

// TestTwoSinksShareTheWork runs two sinks on one durable consumer and one
// Redis: each case is alerted once, and a decision taken through one is
// seen by the other.
func TestTwoSinksShareTheWork(t *testing.T) {
	b := bustest.External(t)
	rcv := startReceivers(t)
	rcv.hook.Delay(20 * time.Millisecond)
	cfg := hookOnly(rcv.config(t))
	stA, prefix := redisStore(t, "")
	stB, _ := redisStore(t, prefix)
	a := startSink(t, cfg, b, stA)
	bb := startSink(t, cfg, b, stB)
	const handles, perHandle = 20, 12
	var names []string
	for h := range handles {
		names = append(names, fmt.Sprintf("placeholder_%02d", h))
	}
	// One handle's findings back to back: both sinks work on the same
	// case at once, and cross its thresholds together.
	for h, name := range names {
		for round := range perHandle {
			publish(t, b, finding(round*handles+h, "wickr", name, fmt.Sprintf("forum-%d", round%2), wire.SeverityMedium, wire.ModeAlert))
		}
	}
	waitFor(t, "every sighting", 30*time.Second, func() bool { return a.sightings(t) == handles*perHandle })
	waitFor(t, "every alert", 30*time.Second, func() bool {
		total := 0
		for _, lv := range levelCounts(rcv.hook) {
			total += len(lv)
		}
		return total >= 2*handles
	})
	time.Sleep(300 * time.Millisecond)
	checkAlertedOnce(t, rcv.hook, names)
	consumed := func(r *running) float64 {
		return r.counter(t, "handlewatch_sink_findings_consumed_total", map[string]string{"result": "new"}) +
			r.counter(t, "handlewatch_sink_findings_consumed_total", map[string]string{"result": "repeat"})
	}
	if ca, cb := consumed(a), consumed(bb); ca+cb < handles*perHandle {
		t.Fatalf("consumed %v + %v findings, want %d in all", ca, cb, handles*perHandle)
	}
	id := wire.CaseKey("wickr", names[3])
	resp, body := a.call(t, "POST", "/api/cases/"+id+"/decision", testToken, `{"decision":"confirm","actor":"mod_a","reason":"coded offer"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("decision: %d %s", resp.StatusCode, body)
	}
	resp, body = bb.call(t, "GET", "/api/cases/"+id, testToken, "")
	if resp.StatusCode != 200 || !contains(body, `"status":"confirmed"`) {
		t.Fatalf("the other sink sees %d %s", resp.StatusCode, body)
	}
}

// TestDecisionsReachEveryProcess: sinks with separate memory stores learn
// each other's decisions from hw.cases.>.
func TestDecisionsReachEveryProcess(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	stA, stB := state.NewMemory(), state.NewMemory()
	a := startSink(t, cfg, b, stA)
	publish(t, b, finding(0, "telegram", "tg_demo_77", "forum-a", wire.SeverityHigh, wire.ModeAlert))
	waitFor(t, "the case on A", 10*time.Second, func() bool { return a.sightings(t) == 1 })
	bb := startSink(t, cfg, b, stB) // rebuilds the case from the findings stream
	if bb.sightings(t) != 1 {
		t.Fatal("B did not rebuild the case")
	}
	id := wire.CaseKey("telegram", "tg_demo_77")
	resp, body := a.call(t, "POST", "/api/cases/"+id+"/decision", testToken, `{"decision":"clear","actor":"lead_b","reason":"test account"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("decision: %d %s", resp.StatusCode, body)
	}
	waitFor(t, "B to see the decision", 10*time.Second, func() bool {
		c, err := bb.cases.Get(context.Background(), id)
		return err == nil && c.Status == cases.StatusCleared
	})
	waitFor(t, "B's watchlist", 5*time.Second, func() bool {
		ok, _ := stB.InSet(context.Background(), wire.WatchlistCleared, wire.WatchMember("telegram", "tg_demo_77"))
		return ok
	})
	// And a third process started later rebuilds the decision from the
	// stream.
	c3 := startSink(t, cfg, b, state.NewMemory())
	if c := c3.getCase(t, "telegram", "tg_demo_77"); c.Status != cases.StatusCleared || c.Sightings != 1 || c.Decision.Actor != "lead_b" {
		t.Fatalf("rebuilt case %+v", c)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
