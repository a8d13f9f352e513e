package takedown

import (
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// TestCrashAfterSendNoDuplicate: the notice went out but the process died
// before recording it. A process started later (its claim long gone)
// finds the recorded intent and does not send the notice again; the
// request goes on as sent.
func TestCrashAfterSendNoDuplicate(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		cfg := Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}
		h := newHarness(t, cfg, store)
		h.pub.failID = func(id string) bool { return strings.Contains(id, ":sent:") }
		f := mastodonFinding(srv, "4001")
		if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err == nil {
			t.Fatal("OnFinding: no error although the sent record failed")
		}
		if n := srv.reportCount(); n != 1 {
			t.Fatalf("%d reports before the crash, want 1", n)
		}
		reqID := requestID("masto", KindPost, "masto/4001")

		// The next process: a fresh store (no claim), the stream replayed.
		h2 := newHarness(t, cfg, newStoreMemory())
		for _, ev := range h.pub.all() {
			h2.m.Apply(ev)
		}
		if r, _ := h2.m.Request(reqID); r.Intent != "1.0" || r.State != wire.TakedownRequested {
			t.Fatalf("rebuilt request = %+v, want requested with intent 1.0", r)
		}
		h2.clock.Advance(10 * time.Minute)
		if err := h2.m.Tick(ctx, h2.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := srv.reportCount(); n != 1 {
			t.Fatalf("%d reports after the restart, want still 1: a duplicate was sent", n)
		}
		r, _ := h2.m.Request(reqID)
		if r.State != wire.TakedownSent || r.Notices != 1 || r.Intent != "" || !strings.HasPrefix(r.Reason, "outcome unknown") {
			t.Fatalf("request after the restart = %s notices=%d intent=%q reason=%q; want sent, 1, none, outcome unknown",
				r.State, r.Notices, r.Intent, r.Reason)
		}
		// Without the crash nothing is left pending: a fresh intent is
		// cleared by its outcome.
		h3 := newHarness(t, cfg, newStoreMemory())
		g := mastodonFinding(srv, "4002")
		if err := h3.m.OnFinding(ctx, subjectOf(g, cases.StatusNew)); err != nil {
			t.Fatal(err)
		}
		if r, _ := h3.m.Request(requestID("masto", KindPost, "masto/4002")); r.Intent != "" || r.State != wire.TakedownAcknowledged {
			t.Fatalf("request without a crash = %s intent=%q", r.State, r.Intent)
		}
	})
}

// TestDismissKeepsSharedTakedown: one post advertises two handles, so two
// cases; the per-post request filed for the first is shared by the
// second. Dismissing the first leaves it open; dismissing both closes it.
func TestDismissKeepsSharedTakedown(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, store)
		f := mastodonFinding(srv, "5001")
		second := f.Handles[0]
		second.App, second.Handle, second.Raw = "kik", "placeholder_02", "kik: placeholder_02"
		f.Handles = append(f.Handles, second)
		a, b := SubjectFromFinding(f, f.Handles[0], cases.StatusNew), SubjectFromFinding(f, f.Handles[1], cases.StatusNew)
		for _, s := range []Subject{a, b} {
			if err := h.m.OnFinding(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		reqID := requestID("masto", KindPost, "masto/5001")
		if r, _ := h.m.Request(reqID); r.CaseID != a.CaseID || len(r.Sharers) != 1 || r.Sharers[0] != b.CaseID {
			t.Fatalf("request case %s sharers %v, want %s shared with %s", r.CaseID, r.Sharers, a.CaseID, b.CaseID)
		}
		if err := h.m.OnDecision(ctx, a, decision(a.CaseID, wire.DecisionDismiss, "mod_a", h.clock.Now())); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Hour)
		if err := h.m.Tick(ctx, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if r, _ := h.m.Request(reqID); r.Closed() {
			t.Fatalf("dismissing %s closed the request %s shares: %s %q", a.CaseID, b.CaseID, r.State, r.Reason)
		}
		if err := h.m.OnDecision(ctx, b, decision(b.CaseID, wire.DecisionDismiss, "mod_b", h.clock.Now())); err != nil {
			t.Fatal(err)
		}
		if r, _ := h.m.Request(reqID); r.State != wire.TakedownFailed || !strings.HasPrefix(r.Reason, "dismissed:") {
			t.Fatalf("after both dismissals: %s %q, want failed, dismissed", r.State, r.Reason)
		}
	})
}
