package takedown

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

var ctx = context.Background()

func TestAutoModeFilesAtOrAboveSeverity(t *testing.T) {
	tests := []struct {
		name     string
		severity wire.Severity
		mode     wire.Mode
		sent     bool
		reason   string
	}{
		{"critical act files", wire.SeverityCritical, wire.ModeAct, true, ""},
		{"high act files at the threshold", wire.SeverityHigh, wire.ModeAct, true, ""},
		{"medium act is below", wire.SeverityMedium, wire.ModeAct, false, ReasonBelowSeverity},
		{"low act is below", wire.SeverityLow, wire.ModeAct, false, ReasonBelowSeverity},
		{"critical alert may not act", wire.SeverityCritical, wire.ModeAlert, false, ReasonModeNotAct},
		{"critical shadow may not act", wire.SeverityCritical, wire.ModeShadow, false, ReasonModeNotAct},
	}
	forEachStore(t, func(t *testing.T, store Store) {
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				srv := newMastodonServer(t)
				tg := mastodonTarget(t, srv, "masto-social", ModeAuto)
				tg.AutoMinSeverity = wire.SeverityHigh
				h := newHarness(t, Config{Enabled: true, Operator: "Example T&S", Contact: "trust@example.org",
					Targets: []TargetConfig{tg}}, store)
				id := fmt.Sprint(1100 + i)
				f := mastodonFinding(srv, id, withSeverity(tc.severity), withMode(tc.mode))
				if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
					t.Fatal(err)
				}
				reqID := requestID("masto-social", KindPost, "masto/"+id)
				if !tc.sent {
					if n := srv.reportCount(); n != 0 {
						t.Fatalf("%d reports filed, want none", n)
					}
					if got := h.pub.skips(tc.reason); len(got) != 1 || got[0].Takedown.Target != "masto-social" {
						t.Fatalf("skips %q = %+v, want one for the target", tc.reason, got)
					}
					if _, ok := h.m.Request(reqID); ok {
						t.Fatal("a request was recorded for a finding that may not be filed")
					}
					if got := h.skipped("masto-social", tc.reason); got != 1 {
						t.Fatalf("skipped metric = %v, want 1", got)
					}
					return
				}
				if n := srv.reportCount(); n != 1 {
					t.Fatalf("%d reports filed, want 1", n)
				}
				rep := srv.report(0)
				for k, want := range map[string]string{"account_id": "1090001", "status_ids[]": id,
					"category": "other", "forward": "true"} {
					if got := rep.Get(k); got != want {
						t.Errorf("report %s = %q, want %q", k, got, want)
					}
				}
				comment := rep.Get("comment")
				for _, want := range []string{"wickr contact (placeholder_01)", "contact_invitation, minor_indicator, offer", reqID, "trust@example.org"} {
					if !strings.Contains(comment, want) {
						t.Errorf("comment lacks %q: %s", want, comment)
					}
				}
				if strings.Contains(comment, "trading young") {
					t.Errorf("comment quotes the crawled text: %s", comment)
				}
				if got := srv.lookup(0); got != "example_seller" {
					t.Errorf("looked up %q, want example_seller", got)
				}
				r, _ := h.m.Request(reqID)
				if r.State != wire.TakedownAcknowledged || r.ReportID != "1" || r.Notices != 1 {
					t.Fatalf("request = %+v, want acknowledged with report id 1", r)
				}
				// The second requested is the intent, recorded before the send.
				want := []wire.TakedownState{wire.TakedownRequested, wire.TakedownRequested, wire.TakedownSent, wire.TakedownAcknowledged}
				if got := h.pub.states(reqID); !reflect.DeepEqual(got, want) {
					t.Fatalf("states = %v, want %v", got, want)
				}
			})
		}
	})
}

func TestReviewModeWaitsForConfirm(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeReview)}}, store)
		f1 := mastodonFinding(srv, "2001")
		f2 := mastodonFinding(srv, "2002", withSeverity(wire.SeverityLow))
		s := subjectOf(f1, cases.StatusNew)
		for _, f := range []wire.Finding{f1, f2} {
			if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.callCount(); n != 0 {
			t.Fatalf("review mode called the platform %d times before a confirm", n)
		}
		if got := len(h.pub.skips(ReasonReviewPending)); got != 2 {
			t.Fatalf("%d review_pending skips, want 2", got)
		}
		for _, r := range h.m.Requests(s.CaseID) {
			if r.State != wire.TakedownRequested || r.Waiting != WaitReview {
				t.Fatalf("request %+v is not waiting for review", r)
			}
		}
		// A Tick changes nothing while nobody confirmed.
		if err := h.m.Tick(ctx, h.clock.Advance(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if srv.reportCount() != 0 {
			t.Fatal("Tick filed an unconfirmed request")
		}
		s.Posts = append(s.Posts, PostFromFinding(f2))
		ev := decision(s.CaseID, wire.DecisionConfirm, "mod_alice", h.clock.Now())
		if err := h.m.OnDecision(ctx, s, ev); err != nil {
			t.Fatal(err)
		}
		if n := srv.reportCount(); n != 2 {
			t.Fatalf("%d reports after the confirm, want 2 (the low-severity post too: a human confirmed)", n)
		}
		for _, r := range h.m.Requests(s.CaseID) {
			if r.State != wire.TakedownAcknowledged {
				t.Fatalf("request %s is %s after the confirm", r.ID, r.State)
			}
		}
		for _, ev := range h.pub.all() {
			if ev.Type == wire.EventTakedown && ev.Takedown.State == wire.TakedownSent && ev.Actor != "mod_alice" {
				t.Fatalf("sent event actor = %q, want the confirming moderator", ev.Actor)
			}
		}
		// A confirm repeated (redelivery) files nothing more.
		if err := h.m.OnDecision(ctx, s, ev); err != nil {
			t.Fatal(err)
		}
		if n := srv.reportCount(); n != 2 {
			t.Fatalf("%d reports after a repeated confirm, want 2", n)
		}
		// A later sighting on the confirmed case files at once.
		f3 := mastodonFinding(srv, "2003", withSeverity(wire.SeverityLow), withMode(wire.ModeAlert))
		if err := h.m.OnFinding(ctx, subjectOf(f3, cases.StatusConfirmed)); err != nil {
			t.Fatal(err)
		}
		if n := srv.reportCount(); n != 3 {
			t.Fatalf("%d reports after a sighting on a confirmed case, want 3", n)
		}
	})
}

func TestHumanDecisionWins(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		review := mastodonTarget(t, srv, "masto-review", ModeReview)
		auto := mastodonTarget(t, srv, "masto-auto", ModeAuto)
		auto.AppliesTo = []string{"mastodon"} // by kind
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{review, auto}}, store)

		f1 := mastodonFinding(srv, "3001")
		s := subjectOf(f1, cases.StatusNew)
		if err := h.m.OnFinding(ctx, s); err != nil {
			t.Fatal(err)
		}
		pending := requestID("masto-review", KindPost, f1.Post.Source+"/3001")
		sent := requestID("masto-auto", KindPost, f1.Post.Source+"/3001")
		if r, _ := h.m.Request(pending); r.Waiting != WaitReview {
			t.Fatalf("review request = %+v", r)
		}
		if r, _ := h.m.Request(sent); r.State != wire.TakedownAcknowledged {
			t.Fatalf("auto request = %+v", r)
		}
		if err := h.m.OnDecision(ctx, s, decision(s.CaseID, wire.DecisionDismiss, "mod_bob", h.clock.Now())); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{pending, sent} {
			r, _ := h.m.Request(id)
			if r.State != wire.TakedownFailed || !strings.HasPrefix(r.Reason, "dismissed:") {
				t.Fatalf("request %s after dismiss = %s %q, want failed with reason dismissed", id, r.State, r.Reason)
			}
		}
		// The pending one was never sent: it counts as skipped.
		if got := h.skipped("masto-review", ReasonDismissed); got != 1 {
			t.Fatalf("skipped{dismissed} = %v, want 1", got)
		}
		// A new sighting of the dismissed case files nothing, anywhere.
		before := srv.reportCount()
		f2 := mastodonFinding(srv, "3002")
		if err := h.m.OnFinding(ctx, subjectOf(f2, "")); err != nil {
			t.Fatal(err)
		}
		if srv.reportCount() != before {
			t.Fatal("a dismissed case was reported")
		}
		if got := len(h.pub.skips(ReasonDismissed)); got != 2 {
			t.Fatalf("%d dismissed skips, want 2 (one per target)", got)
		}
		// No re-notice ever for the cancelled request.
		h.clock.Advance(48 * time.Hour)
		if err := h.m.Tick(ctx, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if srv.reportCount() != before {
			t.Fatal("a cancelled request was re-noticed")
		}
	})
}

func TestClearedCaseNeverReported(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, store)
		f := mastodonFinding(srv, "3101")
		// The decision arrives through Apply only (replayed), before the
		// finding: the sink passes no status.
		h.m.Apply(decision(f.Handles[0].CaseKey(), wire.DecisionClear, "mod_carol", h.clock.Now()))
		if err := h.m.OnFinding(ctx, subjectOf(f, "")); err != nil {
			t.Fatal(err)
		}
		if srv.callCount() != 0 {
			t.Fatal("a cleared handle was reported")
		}
		if got := h.pub.skips(ReasonCleared); len(got) != 1 || got[0].Reason != ReasonCleared {
			t.Fatalf("cleared skips = %+v", got)
		}
	})
}

func TestDuplicateSightingsMakeOneRequest(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, store)
		f := mastodonFinding(srv, "4001")
		// The same finding delivered again, and the same post found again
		// under a new rule-set version: one request.
		again := f
		again.ID = wire.FindingID("masto", "4001", "r2")
		again.RulesVersion = "r2"
		for _, g := range []wire.Finding{f, f, again} {
			if err := h.m.OnFinding(ctx, subjectOf(g, cases.StatusNew)); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.reportCount(); n != 1 {
			t.Fatalf("%d reports, want 1", n)
		}
		// One duplicate skip per new finding id (the redelivery of the same
		// finding is the same event, dropped by its id).
		if got := len(h.pub.skips(ReasonDuplicate)); got != 2 {
			t.Fatalf("%d duplicate skips, want 2", got)
		}
		if got := len(h.m.Requests("")); got != 1 {
			t.Fatalf("%d requests, want 1", got)
		}
	})
}

func TestConcurrentDuplicatesFileOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		tg := mastodonTarget(t, srv, "masto", ModeAuto)
		// Several sink processes share the store and the stream: one
		// Manager each.
		pub := newRecorder()
		var ms []*Manager
		for i := 0; i < 4; i++ {
			h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, store, func(d *Deps) { d.Publisher = pub })
			ms = append(ms, h.m)
		}
		f := mastodonFinding(srv, "4101")
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(m *Manager, i int) {
				defer wg.Done()
				g := f
				g.ID = fmt.Sprintf("%s-%d", f.ID, i) // distinct findings of one post
				if err := m.OnFinding(ctx, subjectOf(g, cases.StatusNew)); err != nil {
					t.Error(err)
				}
			}(ms[i%len(ms)], i)
		}
		wg.Wait()
		if n := srv.reportCount(); n != 1 {
			t.Fatalf("%d reports from concurrent sightings, want 1", n)
		}
		if got := len(pub.skips(ReasonDuplicate)); got != 15 {
			t.Fatalf("%d duplicate skips, want 15", got)
		}
	})
}

func TestDailyQuotas(t *testing.T) {
	tests := []struct {
		name        string
		targetQuota int
		totalQuota  int
		targets     int
		findings    int
		wantSent    int
		reason      string
	}{
		{"per target", 5, 100, 1, 20, 5, ReasonQuotaTarget},
		{"total across targets", 10, 7, 2, 10, 7, ReasonQuotaTotal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, store Store) {
				srv := newMastodonServer(t)
				var tgs []TargetConfig
				for i := 0; i < tc.targets; i++ {
					tg := mastodonTarget(t, srv, fmt.Sprintf("masto%d", i), ModeAuto)
					tg.DailyQuota = tc.targetQuota
					tgs = append(tgs, tg)
				}
				cfg := Config{Enabled: true, TotalDailyQuota: tc.totalQuota, Targets: tgs}
				// Two processes on one store, each with its own callers.
				pub := newRecorder()
				h1 := newHarness(t, cfg, store, func(d *Deps) { d.Publisher = pub })
				h2 := newHarness(t, cfg, store, func(d *Deps) { d.Publisher = pub; d.Now = h1.clock.Now })
				var wg sync.WaitGroup
				for i := 0; i < tc.findings; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						m := h1.m
						if i%2 == 1 {
							m = h2.m
						}
						f := mastodonFinding(srv, fmt.Sprint(5000+i))
						if err := m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
							t.Error(err)
						}
					}(i)
				}
				wg.Wait()
				if n := srv.reportCount(); n != tc.wantSent {
					t.Fatalf("%d reports, want exactly %d", n, tc.wantSent)
				}
				attempts := tc.findings * tc.targets
				var quota int
				for _, s := range pub.skips("") {
					switch s.Reason {
					case ReasonQuotaTarget, ReasonQuotaTotal:
						quota++
					case ReasonNoChannel: // no app_abuse target: one for the case
					default:
						t.Fatalf("unexpected skip %q: %s", s.Reason, s.Takedown.Detail)
					}
				}
				if quota != attempts-tc.wantSent {
					t.Fatalf("%d quota skips for %d attempts and %d sent", quota, attempts, tc.wantSent)
				}
				if len(pub.skips(tc.reason)) == 0 {
					t.Fatalf("no %s skip", tc.reason)
				}
				// The refused requests wait for the next UTC day, then go out
				// (within that day's quota). h1 learns h2's requests from the
				// stream, as the sink's consumer does.
				for _, ev := range pub.all() {
					h1.m.Apply(ev)
				}
				next := h1.clock.Advance(24 * time.Hour)
				if err := h1.m.Tick(ctx, next); err != nil {
					t.Fatal(err)
				}
				want := min(attempts, 2*tc.wantSent)
				if n := srv.reportCount(); n != want {
					t.Fatalf("%d reports after the next day's tick, want %d", n, want)
				}
			})
		})
	}
}

func TestShadowModeSendsNothing(t *testing.T) {
	tests := []struct {
		name         string
		global, perT bool
	}{
		{"global", true, false},
		{"per target", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, store Store) {
				srv := newMastodonServer(t)
				tg := mastodonTarget(t, srv, "masto", ModeAuto)
				tg.Shadow = tc.perT
				tg.DailyQuota = 1
				h := newHarness(t, Config{Enabled: true, Shadow: tc.global, Targets: []TargetConfig{tg}}, store)
				for _, id := range []string{"6001", "6002"} {
					if err := h.m.OnFinding(ctx, subjectOf(mastodonFinding(srv, id), cases.StatusNew)); err != nil {
						t.Fatal(err)
					}
				}
				shadow := h.pub.skips(ReasonShadow)
				if len(shadow) != 1 {
					t.Fatalf("%d shadow records, want 1 (the second is over the shadow quota)", len(shadow))
				}
				// As a live request would, the refused one goes the next day.
				if err := h.m.Tick(ctx, h.clock.Advance(72*time.Hour)); err != nil {
					t.Fatal(err)
				}
				if got := len(h.pub.skips(ReasonShadow)); got != 2 {
					t.Fatalf("%d shadow records after the next day's tick, want 2", got)
				}
				if n := srv.callCount(); n != 0 {
					t.Fatalf("shadow mode made %d calls to the platform", n)
				}
				d := shadow[0].Takedown.Detail
				for _, want := range []string{"POST " + srv.URL + "/api/v1/reports", "Content-Type: application/x-www-form-urlencoded",
					"account_id=%3Clookup+acct%3Dexample_seller%3E", "status_ids%5B%5D=6001", "category=other", "comment="} {
					if !strings.Contains(d, want) {
						t.Errorf("shadow record lacks %q:\n%s", want, d)
					}
				}
				if strings.Contains(d, srv.token) {
					t.Error("shadow record holds the token")
				}
				if !shadow[0].Takedown.Shadow {
					t.Error("shadow record not flagged shadow")
				}
				if got := h.pub.skips(ReasonQuotaTarget); len(got) != 1 || !got[0].Takedown.Shadow ||
					!strings.HasPrefix(got[0].Takedown.Detail, "shadow: ") {
					t.Fatalf("shadow quota skips = %+v", got)
				}
				for _, ev := range h.pub.all() {
					if ev.Type == wire.EventTakedown && ev.Takedown.State != wire.TakedownRequested {
						t.Fatalf("shadow mode recorded a %s change", ev.Takedown.State)
					}
				}
			})
		})
	}
}

func TestRemovalVerifiedAndTimed(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		tg := mastodonTarget(t, srv, "masto", ModeAuto)
		tg.RecheckEvery = Duration(6 * time.Hour)
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, store)
		f := mastodonFinding(srv, "7001")
		if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
			t.Fatal(err)
		}
		id := requestID("masto", KindPost, "masto/7001")
		sentAt := h.clock.Now()
		// Still up at the first re-check: nothing changes.
		if err := h.m.Tick(ctx, h.clock.Advance(6*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if r, _ := h.m.Request(id); r.State != wire.TakedownAcknowledged {
			t.Fatalf("state %s after a re-check that found the post up", r.State)
		}
		// Removed: the next re-check sees 404.
		srv.setGone("7001")
		at := h.clock.Advance(6 * time.Hour)
		if err := h.m.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
		r, _ := h.m.Request(id)
		if r.State != wire.TakedownRemoved {
			t.Fatalf("state %s, want removed", r.State)
		}
		if want := at.Sub(sentAt); r.TimeToRemoval != want {
			t.Fatalf("time to removal %s, want %s", r.TimeToRemoval, want)
		}
		if got := histogramCount(h.m.metrics.removal.WithLabelValues("masto")); got != 1 {
			t.Fatalf("time-to-removal histogram has %d observations, want 1", got)
		}
		if srv.reportCount() != 1 {
			t.Fatalf("%d reports, want 1 (no re-notice before renotice_after)", srv.reportCount())
		}
	})
}

func TestRenoticeWhileStillUp(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		tg := mastodonTarget(t, srv, "masto", ModeAuto)
		tg.RenoticeAfter = Duration(24 * time.Hour)
		tg.GiveUpAfter = Duration(72 * time.Hour)
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, store)
		if err := h.m.OnFinding(ctx, subjectOf(mastodonFinding(srv, "7101"), cases.StatusNew)); err != nil {
			t.Fatal(err)
		}
		id := requestID("masto", KindPost, "masto/7101")
		h.m.Tick(ctx, h.clock.Advance(23*time.Hour))
		if srv.reportCount() != 1 {
			t.Fatal("re-noticed before renotice_after")
		}
		h.m.Tick(ctx, h.clock.Advance(time.Hour))
		if srv.reportCount() != 2 {
			t.Fatalf("%d reports after renotice_after with the post up, want 2", srv.reportCount())
		}
		r, _ := h.m.Request(id)
		if r.Notices != 2 || r.State != wire.TakedownAcknowledged || r.ReportID != "2" {
			t.Fatalf("after the re-notice: %+v", r)
		}
		if c := srv.report(1).Get("comment"); !strings.HasPrefix(c, "Re-notice 2 (first reported 2026-03-02 09:00 UTC") {
			t.Fatalf("re-notice comment: %s", c)
		}
		// Repeated ticks at the same moment do not re-notice again.
		h.m.Tick(ctx, h.clock.Now())
		h.m.Tick(ctx, h.clock.Advance(24*time.Hour))
		if srv.reportCount() != 3 {
			t.Fatalf("%d reports, want 3", srv.reportCount())
		}
		h.m.Tick(ctx, h.clock.Advance(24*time.Hour))
		r, _ = h.m.Request(id)
		if r.State != wire.TakedownFailed || !strings.HasPrefix(r.Reason, "gave_up:") {
			t.Fatalf("after give_up_after: %s %q", r.State, r.Reason)
		}
		if srv.reportCount() != 3 {
			t.Fatalf("%d reports, want 3 (no notice after giving up)", srv.reportCount())
		}
	})
}

func TestTransientFailureRetries(t *testing.T) {
	srv := newMastodonServer(t)
	srv.set(func(s *mastodonServer) { s.failNext = 2 })
	h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, newStoreMemory())
	if err := h.m.OnFinding(ctx, subjectOf(mastodonFinding(srv, "7201"), cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	id := requestID("masto", KindPost, "masto/7201")
	r, _ := h.m.Request(id)
	if r.State != wire.TakedownRequested || r.Waiting != WaitRetry || r.Failures != 1 {
		t.Fatalf("after a 503: %+v", r)
	}
	h.m.Tick(ctx, h.clock.Advance(30*time.Second))
	if r, _ := h.m.Request(id); r.Failures != 1 {
		t.Fatal("retried before the backoff")
	}
	h.m.Tick(ctx, h.clock.Advance(time.Minute))
	h.m.Tick(ctx, h.clock.Advance(5*time.Minute))
	r, _ = h.m.Request(id)
	if r.State != wire.TakedownAcknowledged || srv.reportCount() != 1 {
		t.Fatalf("after two 503s and retries: %+v, %d reports", r, srv.reportCount())
	}
	// The retries counted against the quota once.
	n, _ := h.store.Count(ctx, "takedown:quota:masto", "day", h.clock.Now())
	if n != 1 {
		t.Fatalf("quota counter %d, want 1", n)
	}
}

func TestAlreadyGoneAndAuthFailures(t *testing.T) {
	srv := newMastodonServer(t)
	tg := mastodonTarget(t, srv, "masto", ModeAuto)
	h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, newStoreMemory())
	f := finding("masto", "mastodon", "7301", srv.URL+"/@gone_user/7301", "gone_user")
	if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	r, _ := h.m.Request(requestID("masto", KindPost, "masto/7301"))
	if r.State != wire.TakedownRemoved || r.TimeToRemoval != 0 || len(h.pub.skips(ReasonAlreadyRemoved)) != 1 {
		t.Fatalf("an account gone before the notice: %+v", r)
	}
	// A token the instance refuses fails the request, with its reason.
	srv.set(func(s *mastodonServer) { s.token = "rotated" })
	if err := h.m.OnFinding(ctx, subjectOf(mastodonFinding(srv, "7302"), cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	r, _ = h.m.Request(requestID("masto", KindPost, "masto/7302"))
	if r.State != wire.TakedownFailed || !strings.HasPrefix(r.Reason, "auth_rejected:") {
		t.Fatalf("refused token: %s %q", r.State, r.Reason)
	}
	if h.skipped("masto", "auth_rejected") != 1 {
		t.Fatal("auth_rejected not counted as skipped")
	}
}

func TestAuthMissingSkips(t *testing.T) {
	srv := newMastodonServer(t)
	tg := mastodonTarget(t, srv, "masto", ModeAuto)
	tg.TokenEnv = "HW_TEST_TD_NOT_SET_ANYWHERE"
	h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, newStoreMemory())
	if err := h.m.OnFinding(ctx, subjectOf(mastodonFinding(srv, "7401"), cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	got := h.pub.skips(ReasonAuthMissing)
	if len(got) != 1 || !strings.Contains(got[0].Takedown.Detail, "HW_TEST_TD_NOT_SET_ANYWHERE") {
		t.Fatalf("auth_missing skips = %+v", got)
	}
	if srv.callCount() != 0 {
		t.Fatal("called the platform without credentials")
	}
}

func TestNoChannelAndDisabled(t *testing.T) {
	srv := newMastodonServer(t)
	h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, newStoreMemory())
	f := finding("tumblr-tags", "tumblr", "t1", "https://example.invalid/post/1", "someone")
	if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	got := h.pub.skips(ReasonNoChannel)
	if len(got) != 2 { // the post's platform, and the app
		t.Fatalf("no_channel skips = %+v, want 2", got)
	}
	off := newHarness(t, Config{Enabled: false, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, newStoreMemory())
	if err := off.m.OnFinding(ctx, subjectOf(mastodonFinding(srv, "7501"), cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	if len(off.pub.all()) != 0 || srv.callCount() != 0 || off.skipped("none", ReasonDisabled) != 1 {
		t.Fatal("disabled takedowns did something, or were not counted")
	}
}

func TestPublishFailureIsReturnedAndRetried(t *testing.T) {
	srv := newMastodonServer(t)
	h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{mastodonTarget(t, srv, "masto", ModeAuto)}}, newStoreMemory())
	f := mastodonFinding(srv, "7601")
	h.pub.fail.Store(true)
	if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err == nil {
		t.Fatal("OnFinding hid a publish failure")
	}
	if srv.reportCount() != 0 {
		t.Fatal("filed a request that was never recorded")
	}
	// The redelivery goes through: the fast dedupe key was released.
	h.pub.fail.Store(false)
	if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	if srv.reportCount() != 1 {
		t.Fatalf("%d reports after the redelivery, want 1", srv.reportCount())
	}
}

// TestEverySkipIsRecorded drives many kinds of skip and checks that each
// has an event with its reason and one metric count.
func TestEverySkipIsRecorded(t *testing.T) {
	srv := newMastodonServer(t)
	auto := mastodonTarget(t, srv, "auto", ModeAuto)
	auto.DailyQuota = 1
	review := mastodonTarget(t, srv, "review", ModeReview)
	h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{auto, review}}, newStoreMemory())
	for i, f := range []wire.Finding{
		mastodonFinding(srv, "8001"),
		mastodonFinding(srv, "8002"),                                 // quota
		mastodonFinding(srv, "8003", withSeverity(wire.SeverityLow)), // below severity
		mastodonFinding(srv, "8004", withMode(wire.ModeShadow)),      // mode / finding shadow
		mastodonFinding(srv, "8001"),                                 // duplicate (same finding: one event)
		finding("rss-x", "rss", "r1", "https://example.invalid/r1", ""),
	} {
		if i == 4 {
			f.ID += "-again"
		}
		if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[[2]string]int{}
	for _, ev := range h.pub.skips("") {
		if ev.Reason == "" || ev.Takedown == nil || ev.Takedown.Detail == "" {
			t.Fatalf("skip without reason or detail: %+v", ev)
		}
		target := ev.Takedown.Target
		if target == "" {
			target = "none"
		}
		counts[[2]string{target, ev.Reason}]++
	}
	for _, want := range [][2]string{{"auto", ReasonQuotaTarget}, {"auto", ReasonBelowSeverity},
		{"auto", ReasonModeNotAct}, {"review", ReasonFindingShadow}, {"auto", ReasonDuplicate},
		{"review", ReasonReviewPending}, {"none", ReasonNoChannel}} {
		if counts[want] == 0 {
			t.Errorf("no %s skip for %s", want[1], want[0])
		}
	}
	for k, n := range counts {
		if got := h.skipped(k[0], k[1]); got != float64(n) {
			t.Errorf("metric skipped{%s,%s} = %v, events = %d", k[0], k[1], got, n)
		}
	}
}
