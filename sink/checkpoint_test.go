package sink

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state/statetest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

func gauge(t *testing.T, r *running, name, stream string) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "stream" && lp.GetValue() == stream {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}

// TestReplayCheckpoint: a sink restarted on the same Redis replays only
// the findings after its checkpoint; one whose Redis was flushed (while
// stopped, or while running) replays them all, and no case is alerted
// again either way.
func TestReplayCheckpoint(t *testing.T) {
	ctx := context.Background()
	b := bustest.External(t)
	rcv := startReceivers(t)
	cfg := hookOnly(rcv.config(t))
	cfg.CheckpointInterval = 100 * time.Millisecond
	st, prefix := redisStore(t, "")
	const n = 20
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("placeholder_%02d", i))
		publish(t, b, finding(i, "wickr", names[i], "forum-a", wire.SeverityMedium, wire.ModeAlert))
	}
	s1 := startSink(t, cfg, b, st)
	if got := gauge(t, s1, "handlewatch_sink_rebuild_messages", "FINDINGS"); got != n {
		t.Fatalf("first start replayed %v findings, want all %d", got, n)
	}
	waitFor(t, "every alert", 20*time.Second, func() bool { return len(levelCounts(rcv.hook)) == n })
	// The live consumer acked them all; the checkpoint follows its ack
	// floor.
	waitFor(t, "the checkpoint to reach the ack floor", 10*time.Second, func() bool {
		cp, ok, _ := s1.checkpoint(ctx, checkpointFindings)
		return ok && cp == n
	})
	s1.stop()
	publish(t, b, finding(n, "wickr", "placeholder_late", "forum-a", wire.SeverityMedium, wire.ModeAlert))

	s2 := startSink(t, cfg, b, statetest.OpenRedisAt(t, prefix))
	if got := gauge(t, s2, "handlewatch_sink_rebuild_messages", "FINDINGS"); got != 1 {
		t.Fatalf("restart replayed %v findings, want only the 1 after the checkpoint", got)
	}
	waitFor(t, "the late alert", 20*time.Second, func() bool { return len(levelCounts(rcv.hook)) == n+1 })
	if got := s2.sightings(t); got != n+1 {
		t.Fatalf("%d sightings after the restart, want %d", got, n+1)
	}

	// Flushed while running: the next message finds the checkpoint gone,
	// the sink rebuilds, and nothing is alerted twice.
	statetest.DeletePrefix(st, prefix)
	publish(t, b, finding(n+1, "wickr", names[0], "forum-a", wire.SeverityMedium, wire.ModeAlert))
	waitFor(t, "the rebuild after the wipe", 20*time.Second, func() bool {
		return s2.counter(t, "handlewatch_sink_state_wipes_total", nil) >= 1 && s2.sightings(t) == n+2
	})
	s2.stop()
	// Flushed while stopped: the next start replays everything.
	statetest.DeletePrefix(st, prefix)
	s3 := startSink(t, cfg, b, statetest.OpenRedisAt(t, prefix))
	if got := gauge(t, s3, "handlewatch_sink_rebuild_messages", "FINDINGS"); got != n+2 {
		t.Fatalf("start on a flushed Redis replayed %v findings, want all %d", got, n+2)
	}
	if got := s3.sightings(t); got != n+2 {
		t.Fatalf("%d sightings after the rebuild, want %d", got, n+2)
	}
	time.Sleep(300 * time.Millisecond)
	for id, lv := range levelCounts(rcv.hook) {
		if lv["new"] != 1 {
			t.Errorf("case %s: new alert delivered %d times, want 1", id, lv["new"])
		}
	}
}
