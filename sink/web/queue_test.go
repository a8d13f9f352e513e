package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// storeBackend serves the queue from a real memory case store; the rest
// of Backend is not needed here.
type storeBackend struct {
	Backend
	store *cases.Memory
}

func (b storeBackend) ListCases(ctx context.Context, q cases.Query) (cases.Page, error) {
	return b.store.List(ctx, q)
}

func TestQueueSortsCountsAndPages(t *testing.T) {
	ctx := context.Background()
	mem := cases.NewMemory(0)
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	sevs := []wire.Severity{wire.SeverityLow, wire.SeverityMedium, wire.SeverityHigh}
	for i := range 60 {
		src := "forum-a"
		if i%4 == 0 {
			src = "forum-b"
		}
		s := cases.Sighting{FindingID: fmt.Sprintf("f%d", i), Source: src, PostID: fmt.Sprint(i),
			Severity: sevs[i%3], SeenAt: t0.Add(time.Duration(i) * time.Hour)}
		if _, err := mem.AddSighting(ctx, "wickr", fmt.Sprintf("placeholder_%02d", i), s); err != nil {
			t.Fatal(err)
		}
	}
	// Two decided cases leave the open queue.
	for i, h := range []string{"placeholder_02", "placeholder_05"} {
		e := &wire.CaseEvent{Schema: wire.SchemaVersion, ID: fmt.Sprint("d", i), CaseID: wire.CaseKey("wickr", h), App: "wickr",
			Handle: h, Type: wire.EventDecision, Decision: wire.DecisionDismiss, Actor: "mod_a", Reason: "test", At: t0}
		if _, err := mem.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	s := &Server{b: storeBackend{store: mem}}

	res, err := s.queue(ctx, queueFilter{Status: statusOpen, Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 58 || len(res.Cases) != pageSize || res.Counts[cases.StatusNew] != 58 || res.Counts[cases.StatusDismissed] != 2 {
		t.Fatalf("total %d, page %d, counts %v", res.Total, len(res.Cases), res.Counts)
	}
	// High first, newest first within.
	if c := res.Cases[0]; c.Severity != wire.SeverityHigh || c.Handle != "placeholder_59" {
		t.Fatalf("first %s %s", c.Severity, c.Handle)
	}
	for i := 1; i < len(res.Cases); i++ {
		a, b := res.Cases[i-1], res.Cases[i]
		if a.Severity.Rank() < b.Severity.Rank() || a.Severity == b.Severity && a.LastSeen.Before(b.LastSeen) {
			t.Fatalf("rows %d and %d out of order", i-1, i)
		}
	}
	last, _ := s.queue(ctx, queueFilter{Status: statusOpen, Page: 3})
	if len(last.Cases) != 8 {
		t.Fatalf("page 3 has %d rows, want 8", len(last.Cases))
	}
	// Source and day filters.
	b, _ := s.queue(ctx, queueFilter{Status: "all", Source: "forum-b", Page: 1})
	if b.Total != 15 {
		t.Fatalf("forum-b: %d cases, want 15", b.Total)
	}
	day := t0.Add(24 * time.Hour).Truncate(24 * time.Hour)
	d, _ := s.queue(ctx, queueFilter{Status: "all", From: day, To: day, Page: 1})
	if d.Total != 24 {
		t.Fatalf("one day: %d cases, want 24", d.Total)
	}
}
