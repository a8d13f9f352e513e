package sink

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// bareSink is a sink without bus or notifiers: enough to run handlers.
func bareSink(t testing.TB) *Sink {
	cfg := Config{}.WithDefaults()
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewMemory()
	td, err := takedown.New(cfg.Takedowns, takedown.Deps{Publisher: noPublisher{}, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := stats.New(cfg.Research, stats.Deps{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return &Sink{cfg: cfg, log: zap.NewNop(), state: st, cases: cases.NewMemory(0), m: m,
		policy: alertPolicy{minSeverity: wire.SeverityLow}, now: time.Now, hooks: &hooks{log: zap.NewNop(), takedowns: td, stats: rs}}
}

type noPublisher struct{}

func (noPublisher) Publish(context.Context, string, string, any) (bool, error) { return false, nil }

func seedJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzHandleFinding: whatever arrives on hw.findings.>, the handler never
// panics; what does not decode and validate is poison, what does is
// applied.
func FuzzHandleFinding(f *testing.F) {
	f.Add(seedJSON(f, finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert)))
	bad := finding(2, "kik", "example_seller", "forum-a", wire.SeverityLow, wire.ModeShadow)
	bad.Handles[0].Span = wire.Span{Start: 5, End: 500}
	f.Add(seedJSON(f, bad))
	f.Add([]byte(`{"schema":1,"id":"x","post":{"source":"s","id":"p"},"severity":"low","handles":[{"app":"tox","handle":"h","span":{"start":0,"end":0}}]}`))
	f.Add([]byte(`{"schema":2}`))
	f.Add([]byte(`"text"`))
	f.Add([]byte(`{}{}`))
	f.Add([]byte{0xff, 0xfe})
	s := bareSink(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		err := s.handleFinding(context.Background(), bus.Msg{Data: data})
		if _, derr := decodeFinding(data); derr != nil {
			if !errors.Is(err, bus.ErrPoison) {
				t.Fatalf("undecodable finding not poison: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid finding failed: %v", err)
		}
	})
}

// FuzzHandleCaseEvent: case events never panic the follower; invalid ones
// are skipped (logged and counted), valid ones applied.
func FuzzHandleCaseEvent(f *testing.F) {
	e := wire.CaseEvent{Schema: 1, ID: "d1", CaseID: wire.CaseKey("wickr", "placeholder_01"), App: "wickr", Handle: "placeholder_01",
		Type: wire.EventDecision, Decision: wire.DecisionConfirm, Actor: "mod_a", At: time.Unix(1_800_000_000, 0)}
	f.Add(seedJSON(f, e))
	e.Type, e.Alert, e.ID = wire.EventAlert, &wire.AlertRecord{Notifier: "hook", Level: "new"}, "a1"
	f.Add(seedJSON(f, e))
	e.Type, e.Takedown, e.ID = wire.EventTakedown, &wire.TakedownChange{RequestID: "r", State: wire.TakedownSent}, "t1"
	f.Add(seedJSON(f, e))
	e.CaseID = "wickr-0000000000000000" // does not match app/handle
	f.Add(seedJSON(f, e))
	f.Add([]byte(`{"schema":1,"id":"s","case_id":"c","type":"skip","actor":"sink"}`))
	f.Add([]byte(`[]`))
	s := bareSink(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := s.handleCaseEvent(context.Background(), bus.Msg{Data: data}, fromFollow); err != nil {
			t.Fatalf("handleCaseEvent: %v", err)
		}
		ev, err := decodeCaseEvent(data)
		if err != nil {
			return
		}
		if _, err := s.cases.Get(context.Background(), ev.CaseID); err != nil {
			t.Fatalf("valid event %s not applied: %v", ev.ID, err)
		}
	})
}
