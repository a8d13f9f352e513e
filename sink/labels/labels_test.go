package labels

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

func finding(id, text string, hs ...wire.Handle) *wire.Finding {
	return &wire.Finding{Schema: wire.SchemaVersion, ID: id, Post: wire.PostRef{Source: "src", ID: "p-" + id},
		Excerpt: wire.Excerpt{Text: text}, Handles: hs, Severity: wire.SeverityHigh, Score: 0.9}
}

func decide(id, app, handle string, d wire.Decision) *wire.CaseEvent {
	return &wire.CaseEvent{Schema: wire.SchemaVersion, ID: id, CaseID: wire.CaseKey(app, handle), App: app, Handle: handle,
		Type: wire.EventDecision, Decision: d, Actor: "mod1", At: time.Now()}
}

func TestExportLabelsFollowTheLatestDecision(t *testing.T) {
	ctx := context.Background()
	b := bustest.Embedded(t, "")
	wk := wire.Handle{App: "wickr", Handle: "placeholder_01"}
	kk := wire.Handle{App: "kik", Handle: "demo_shop02"}
	tg := wire.Handle{App: "telegram", Handle: "sample_open03"}
	for _, f := range []*wire.Finding{
		finding("f1", "young collection, wickr: placeholder_01", wk),
		finding("f2", "kids bike for sale, kik demo_shop02", kk),
		finding("f3", "nobody looked at this one, tg @sample_open03", tg),
		finding("f4", "both: wickr placeholder_01 kik demo_shop02", wk, kk),
	} {
		if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	// Raw junk on the findings stream is counted, not fatal.
	if _, err := b.Publish(ctx, wire.SubjectFindings+".src", "junk", map[string]any{"schema": 99}); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []*wire.CaseEvent{
		decide("e1", "wickr", "placeholder_01", wire.DecisionDismiss),
		decide("e2", "wickr", "placeholder_01", wire.DecisionConfirm), // the later decision wins
		decide("e3", "kik", "demo_shop02", wire.DecisionDismiss),
	} {
		if _, err := b.Publish(ctx, ev.Subject(), ev.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	var skipped []string
	c, err := Export(ctx, b.Replay, &out, func(id string, err error) { skipped = append(skipped, id) })
	if err != nil {
		t.Fatal(err)
	}
	if c != (Counts{Solicitation: 2, Benign: 1, Undecided: 1, Malformed: 1}) {
		t.Fatalf("counts %+v", c)
	}
	if len(skipped) != 1 || skipped[0] != "junk" {
		t.Fatalf("skipped %v", skipped)
	}
	got := map[string]Example{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var ex Example
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatal(err)
		}
		got[ex.ID] = ex
	}
	for id, want := range map[string]string{"mod-f1": LabelSolicitation, "mod-f2": LabelBenign, "mod-f4": LabelSolicitation} {
		if got[id].Label != want {
			t.Errorf("%s: label %q, want %q", id, got[id].Label, want)
		}
	}
	if ex := got["mod-f1"]; ex.Text == "" || len(ex.Handles) != 1 || ex.Handles[0].Handle != "placeholder_01" {
		t.Errorf("f1 = %+v", ex)
	}
	if _, ok := got["mod-f3"]; ok {
		t.Error("an undecided finding was exported")
	}
}

func TestExportEmptyStreams(t *testing.T) {
	var out bytes.Buffer
	c, err := Export(context.Background(), bustest.Embedded(t, "").Replay, &out, nil)
	if err != nil || c != (Counts{}) || out.Len() != 0 {
		t.Fatalf("counts %+v err %v out %q", c, err, out.String())
	}
}

var _ Replay = (*bus.Bus)(nil).Replay
