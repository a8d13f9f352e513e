package takedown

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state/statetest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// TestRebuildFromJetStream publishes through the real NATS server and
// rebuilds a second Manager by replaying hw.cases.>, as the sink does
// after a restart.
func TestRebuildFromJetStream(t *testing.T) {
	b := bustest.External(t)
	srv := newMastodonServer(t)
	auto := mastodonTarget(t, srv, "auto", ModeAuto)
	auto.DailyQuota = 2
	review := mastodonTarget(t, srv, "review", ModeReview)
	cfg := Config{Enabled: true, Targets: []TargetConfig{auto, review}}
	store := statetest.OpenRedis(t, "takedown")
	h := newHarness(t, cfg, store, func(d *Deps) { d.Publisher = b })
	var first Subject
	for i := 0; i < 4; i++ {
		s := subjectOf(mastodonFinding(srv, fmt.Sprint(9500+i)), cases.StatusNew)
		if i == 0 {
			first = s
		}
		if err := h.m.OnFinding(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// A decision published on the stream, as the sink's API does.
	dec := decision(first.CaseID, wire.DecisionConfirm, "mod_alice", h.clock.Now())
	if _, err := b.Publish(ctx, dec.Subject(), dec.ID, dec); err != nil {
		t.Fatal(err)
	}
	if err := h.m.OnDecision(ctx, first, dec); err != nil {
		t.Fatal(err)
	}
	srv.setGone("9500")
	if err := h.m.Tick(ctx, h.clock.Advance(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	live := h.m.Requests("")

	fresh := newHarness(t, cfg, newStoreMemory())
	n := 0
	err := b.Replay(ctx, bus.StreamCases, wire.SubjectCases+".>", func(m bus.Msg) error {
		var ev wire.CaseEvent
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			return err
		}
		if ev.ID != m.MsgID {
			t.Errorf("event id %q published as msg id %q", ev.ID, m.MsgID)
		}
		n++
		fresh.m.Apply(ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || len(live) != 8 {
		t.Fatalf("replayed %d events for %d requests", n, len(live))
	}
	if got := fresh.m.Requests(""); !reflect.DeepEqual(got, live) {
		t.Fatalf("rebuilt from JetStream:\n%+v\nlive:\n%+v", got, live)
	}
	// The rebuilt Manager knows the case is confirmed, and what is still
	// pending: its Tick releases nothing twice.
	before := srv.reportCount()
	if err := fresh.m.Tick(ctx, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if srv.reportCount() != before {
		t.Fatalf("a rebuilt Manager re-sent %d notices", srv.reportCount()-before)
	}
}
