package casestest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// Open makes a fresh, empty store that keeps maxSightings sightings per
// case, in a namespace of its own.
type Open func(t *testing.T, maxSightings int) cases.Store

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// Sighting is a valid sighting for tests: finding n, on source src, by
// author, seen n minutes after t0.
func Sighting(n int, src, author string, sev wire.Severity) cases.Sighting {
	text := "trading young collection, wickr: placeholder_01"
	return cases.Sighting{
		FindingID: fmt.Sprintf("f%04d", n), Source: src, SourceKind: "rss", PostID: fmt.Sprintf("p%d", n),
		Permalink: fmt.Sprintf("http://127.0.0.1:8099/posts/%d", n), Author: author, Raw: "wickr: placeholder_01",
		Excerpt: wire.Excerpt{Text: text, Spans: []wire.Span{{Start: 0, End: 7}, {Start: 26, End: 47}}},
		Score:   0.8, Severity: sev, Mode: wire.ModeAlert, SeenAt: t0.Add(time.Duration(n) * time.Minute),
		Signals: []wire.Signal{{Rule: "offer.trading", Category: "offer", Weight: 0.4, Span: wire.Span{Start: 0, End: 7}}},
	}
}

// Decision is a valid decision event on the case of (app, handle).
func Decision(id, app, handle string, d wire.Decision, at time.Time) *wire.CaseEvent {
	return &wire.CaseEvent{Schema: wire.SchemaVersion, ID: id, CaseID: wire.CaseKey(app, handle), App: app,
		Handle: handle, Type: wire.EventDecision, Decision: d, Actor: "mod_a", Reason: "checked", At: at}
}

// Import is a valid import event of a partner's indicator, valid for a
// day from mod.
func Import(id, app, handle, partner, indicator string, mod time.Time, revoked bool) *wire.CaseEvent {
	return &wire.CaseEvent{Schema: wire.SchemaVersion, ID: id, CaseID: wire.CaseKey(app, handle), App: app, Handle: handle,
		Type: wire.EventImport, Actor: "partner:" + partner, Reason: "shared indicator", At: mod,
		Import: &wire.ImportRecord{Partner: partner, IndicatorID: indicator, Confidence: 70, Labels: []string{"solicitation"},
			Modified: mod, ValidFrom: mod, ValidUntil: mod.Add(24 * time.Hour), Revoked: revoked}}
}

// Run runs the suite.
func Run(t *testing.T, open Open) {
	ctx := context.Background()
	id := wire.CaseKey("wickr", "placeholder_01")

	t.Run("sighting creates the case", func(t *testing.T) {
		s := open(t, 0)
		u, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(1, "forum", "u1", wire.SeverityMedium))
		if err != nil {
			t.Fatal(err)
		}
		c := u.Case
		if !u.Created || !u.Changed || c.ID != id || c.App != "wickr" || c.Handle != "placeholder_01" ||
			c.Status != cases.StatusNew || c.Sightings != 1 || c.Sources != 1 || c.Authors != 1 ||
			c.Severity != wire.SeverityMedium || c.Mode != wire.ModeAlert || len(c.Recent) != 1 {
			t.Fatalf("after first sighting: %+v (created=%v changed=%v)", c, u.Created, u.Changed)
		}
		if !c.FirstSeen.Equal(t0.Add(time.Minute)) || !c.LastSeen.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first/last seen = %v/%v", c.FirstSeen, c.LastSeen)
		}
		got, err := s.Get(ctx, id)
		if err != nil || got.Sightings != 1 || len(got.Recent) != 1 || got.Recent[0].FindingID != "f0001" ||
			len(got.Recent[0].Excerpt.Spans) != 2 || len(got.Recent[0].Signals) != 1 || got.Recent[0].Signals[0].Rule != "offer.trading" {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		if _, err := s.Get(ctx, "wickr-0000000000000000"); err != cases.ErrNotFound {
			t.Fatalf("Get(missing) err = %v, want ErrNotFound", err)
		}
	})

	t.Run("a finding is one sighting however often it comes", func(t *testing.T) {
		s := open(t, 0)
		for range 3 {
			if _, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(1, "forum", "u1", wire.SeverityLow)); err != nil {
				t.Fatal(err)
			}
		}
		u, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(1, "forum", "u1", wire.SeverityLow))
		if err != nil || u.Changed || u.Created || u.Case.Sightings != 1 || len(u.Case.Recent) != 1 {
			t.Fatalf("repeat: %+v changed=%v err=%v", u.Case, u.Changed, err)
		}
		c, _ := s.Get(ctx, id)
		if c.Sightings != 1 || len(c.Recent) != 1 {
			t.Fatalf("after repeats: %d sightings, %d kept", c.Sightings, len(c.Recent))
		}
	})

	t.Run("counts, severity and seen times", func(t *testing.T) {
		s := open(t, 0)
		adds := []cases.Sighting{
			Sighting(5, "forum", "u1", wire.SeverityMedium),
			Sighting(2, "forum", "u2", wire.SeverityHigh),   // older, arrives later
			Sighting(9, "mastodon", "u1", wire.SeverityLow), // same name, other source: another author
			Sighting(7, "forum", "u1", wire.SeverityLow),
			Sighting(8, "forum", "", wire.SeverityLow), // no author: not counted
		}
		adds[1].Score = 0.95
		adds[2].Mode = wire.ModeShadow
		adds[3].Mode = wire.ModeAct
		for _, a := range adds {
			if _, err := s.AddSighting(ctx, "wickr", "placeholder_01", a); err != nil {
				t.Fatal(err)
			}
		}
		c, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Sightings != 5 || c.Sources != 2 || c.Authors != 3 || c.Severity != wire.SeverityHigh ||
			c.Score != 0.95 || c.Mode != wire.ModeAct {
			t.Fatalf("counts: sightings=%d sources=%d authors=%d severity=%s score=%v mode=%s",
				c.Sightings, c.Sources, c.Authors, c.Severity, c.Score, c.Mode)
		}
		if !c.FirstSeen.Equal(t0.Add(2*time.Minute)) || !c.LastSeen.Equal(t0.Add(9*time.Minute)) {
			t.Fatalf("first/last seen = %v/%v", c.FirstSeen, c.LastSeen)
		}
		if fmt.Sprint(c.SourceNames) != "[forum mastodon]" {
			t.Fatalf("source names %v", c.SourceNames)
		}
		// List carries them too: the queue filters on them.
		if p, err := s.List(ctx, cases.Query{}); err != nil || len(p.Cases) != 1 || fmt.Sprint(p.Cases[0].SourceNames) != "[forum mastodon]" {
			t.Fatalf("List: %+v, %v", p.Cases, err)
		}
		// Newest first in arrival order.
		var order []string
		for _, r := range c.Recent {
			order = append(order, r.FindingID)
		}
		if fmt.Sprint(order) != "[f0008 f0007 f0009 f0002 f0005]" {
			t.Fatalf("recent order %v", order)
		}
	})

	t.Run("sightings are bounded, counts are not", func(t *testing.T) {
		s := open(t, 20)
		for i := range 1000 {
			// Authors count per (source, name): 7 × 50 pairs.
			if _, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(i, fmt.Sprintf("src%d", i%7), fmt.Sprintf("u%d", i%50), wire.SeverityMedium)); err != nil {
				t.Fatal(err)
			}
		}
		c, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Sightings != 1000 || c.Sources != 7 || c.Authors != 350 || len(c.Recent) != 20 || c.Recent[0].FindingID != "f0999" {
			t.Fatalf("after 1000: sightings=%d sources=%d authors=%d kept=%d newest=%s",
				c.Sightings, c.Sources, c.Authors, len(c.Recent), c.Recent[0].FindingID)
		}
		// A replay of an old finding that fell out of the kept window is
		// still recognised.
		if u, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(3, "src3", "u3", wire.SeverityMedium)); err != nil || u.Changed {
			t.Fatalf("replayed old finding changed=%v err=%v", u.Changed, err)
		}
	})

	t.Run("concurrent writers lose nothing", func(t *testing.T) {
		s := open(t, 0)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					n := w*25 + i
					if _, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(n, fmt.Sprintf("s%d", w), "u", wire.SeverityLow)); err != nil {
						errs <- err
						return
					}
					// Every writer also sends the same finding once.
					if _, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(1000, "s0", "u", wire.SeverityLow)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				e := Decision(fmt.Sprintf("d%d", i), "wickr", "placeholder_01", wire.DecisionEscalate, t0.Add(time.Duration(i)*time.Second))
				if _, err := s.Apply(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		c, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Sightings != 201 || c.Sources != 8 || c.Authors != 8 || c.Status != cases.StatusEscalated || len(c.History) != 10 {
			t.Fatalf("after concurrent writes: sightings=%d sources=%d authors=%d status=%s history=%d",
				c.Sightings, c.Sources, c.Authors, c.Status, len(c.History))
		}
	})

	t.Run("decisions: latest wins, sticky, idempotent", func(t *testing.T) {
		s := open(t, 0)
		if _, err := s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(1, "forum", "u1", wire.SeverityHigh)); err != nil {
			t.Fatal(err)
		}
		confirm := Decision("d-confirm", "wickr", "placeholder_01", wire.DecisionConfirm, t0.Add(time.Hour))
		dismiss := Decision("d-dismiss", "wickr", "placeholder_01", wire.DecisionDismiss, t0.Add(2*time.Hour))
		// The later decision arrives first: it still wins.
		for _, e := range []*wire.CaseEvent{dismiss, confirm, confirm} {
			if _, err := s.Apply(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		u, err := s.Apply(ctx, dismiss)
		if err != nil || u.Changed {
			t.Fatalf("re-applying a decision: changed=%v err=%v", u.Changed, err)
		}
		c := u.Case
		if c.Status != cases.StatusDismissed || c.Decision == nil || c.Decision.EventID != "d-dismiss" || c.Decision.Actor != "mod_a" {
			t.Fatalf("status %s decision %+v", c.Status, c.Decision)
		}
		if len(c.History) != 2 || c.History[0].ID != "d-confirm" {
			t.Fatalf("history %+v", c.History)
		}
		// New sightings never reopen a decided case.
		u, err = s.AddSighting(ctx, "wickr", "placeholder_01", Sighting(2, "forum", "u1", wire.SeverityCritical))
		if err != nil || u.Case.Status != cases.StatusDismissed || u.Case.Severity != wire.SeverityCritical {
			t.Fatalf("after a new sighting: %+v %v", u.Case, err)
		}
		p, err := s.List(ctx, cases.Query{Status: cases.StatusDismissed})
		if err != nil || len(p.Cases) != 1 {
			t.Fatalf("list dismissed: %+v %v", p, err)
		}
		if p, _ := s.List(ctx, cases.Query{Status: cases.StatusNew}); len(p.Cases) != 0 {
			t.Fatalf("case still listed as new: %+v", p.Cases)
		}
	})

	t.Run("event before any sighting makes a stub", func(t *testing.T) {
		s := open(t, 0)
		u, err := s.Apply(ctx, Decision("d1", "telegram", "tg_demo_77", wire.DecisionClear, t0))
		if err != nil || !u.Created || u.Case.Status != cases.StatusCleared || u.Case.App != "telegram" {
			t.Fatalf("stub: %+v created=%v err=%v", u.Case, u.Created, err)
		}
		u, err = s.AddSighting(ctx, "telegram", "tg_demo_77", Sighting(1, "forum", "u1", wire.SeverityHigh))
		if err != nil || u.Created || u.Case.Status != cases.StatusCleared || u.Case.Sightings != 1 {
			t.Fatalf("sighting on stub: %+v created=%v err=%v", u.Case, u.Created, err)
		}
	})

	t.Run("imports: one entry per indicator, newest version wins", func(t *testing.T) {
		s := open(t, 0)
		imp := func(evID string, mod time.Time, revoked bool) *wire.CaseEvent {
			return Import(evID, "wickr", "placeholder_01", "partner_a", "indicator--6b616fc1-1505-48e3-8b2c-0d19337bff38", mod, revoked)
		}
		for _, e := range []*wire.CaseEvent{imp("i2", t0.Add(time.Hour), true), imp("i1", t0, false), imp("i1", t0, false)} {
			if _, err := s.Apply(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		c, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Imports) != 1 || !c.Imports[0].Revoked || c.Imports[0].EventID != "i2" || c.Status != cases.StatusNew ||
			c.Sightings != 0 || len(c.LiveImports(t0)) != 0 {
			t.Fatalf("imports %+v status %s", c.Imports, c.Status)
		}
		if len(c.History) != 2 {
			t.Fatalf("history %+v", c.History)
		}
		if _, err := s.Apply(ctx, Import("i3", "wickr", "placeholder_01", "partner_b", "indicator--00000000-1505-48e3-8b2c-0d19337bff38", t0, false)); err != nil {
			t.Fatal(err)
		}
		c, _ = s.Get(ctx, id)
		if live := c.LiveImports(t0); len(live) != 1 || live[0].Partner != "partner_b" || c.Imports[0].Labels[0] != "solicitation" {
			t.Fatalf("live %+v", live)
		}
		if live := c.LiveImports(t0.Add(48 * time.Hour)); len(live) != 0 {
			t.Fatalf("expired import still live: %+v", live)
		}
	})

	t.Run("alerts and takedowns are recorded", func(t *testing.T) {
		s := open(t, 0)
		ev := func(id string, at time.Time) *wire.CaseEvent {
			return &wire.CaseEvent{Schema: 1, ID: id, CaseID: id2(), App: "wickr", Handle: "placeholder_01", Actor: "sink", At: at}
		}
		a := ev("alert-x-new-hook", t0)
		a.Type, a.Alert = wire.EventAlert, &wire.AlertRecord{Notifier: "hook", Level: "new", Delivered: false, Attempts: 5, Detail: "503"}
		a2 := ev("alert-x-new-hook-2", t0.Add(time.Second))
		a2.Type, a2.Alert = wire.EventAlert, &wire.AlertRecord{Notifier: "hook", Level: "new", Delivered: true, Attempts: 1}
		td := func(id string, st wire.TakedownState, at time.Time) *wire.CaseEvent {
			e := ev(id, at)
			e.Type, e.Takedown = wire.EventTakedown, &wire.TakedownChange{RequestID: "r1", Target: "demo", Channel: "email", State: st}
			return e
		}
		for _, e := range []*wire.CaseEvent{a, a2, td("t1", wire.TakedownRequested, t0), td("t3", wire.TakedownRemoved, t0.Add(3*time.Hour)),
			td("t2", wire.TakedownSent, t0.Add(time.Hour))} {
			if _, err := s.Apply(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		c, err := s.Get(ctx, id2())
		if err != nil {
			t.Fatal(err)
		}
		if !c.Alerted("hook", "new") || c.Alerted("hook", "escalation:sightings-10") || c.Alerted("other", "new") ||
			len(c.Alerts) != 1 || !c.Alerts[0].Delivered {
			t.Fatalf("alerts %+v", c.Alerts)
		}
		if len(c.Takedowns) != 1 || c.Takedowns[0].State != wire.TakedownRemoved ||
			!c.Takedowns[0].RequestedAt.Equal(t0) || !c.Takedowns[0].RemovedAt.Equal(t0.Add(3*time.Hour)) {
			t.Fatalf("takedowns %+v", c.Takedowns)
		}
		if len(c.History) != 5 {
			t.Fatalf("history has %d entries", len(c.History))
		}
		bad := ev("", t0)
		if _, err := s.Apply(ctx, bad); err == nil {
			t.Fatal("invalid event applied")
		}
	})

	t.Run("list filters and pages newest first", func(t *testing.T) {
		s := open(t, 0)
		apps := []string{"wickr", "telegram", "kik"}
		for i := range 12 {
			app := apps[i%3]
			sev := wire.SeverityMedium
			if i%4 == 0 {
				sev = wire.SeverityHigh
			}
			if _, err := s.AddSighting(ctx, app, fmt.Sprintf("placeholder_%02d", i), Sighting(i, "forum", "u", sev)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Apply(ctx, Decision("d", "kik", "placeholder_02", wire.DecisionConfirm, t0)); err != nil {
			t.Fatal(err)
		}
		handles := func(p cases.Page) string {
			var hs []string
			for _, c := range p.Cases {
				hs = append(hs, c.Handle[len("placeholder_"):])
			}
			return fmt.Sprint(hs, p.More)
		}
		for _, tc := range []struct {
			q    cases.Query
			want string
		}{
			{cases.Query{Limit: 5}, "[11 10 09 08 07] true"},
			{cases.Query{Limit: 5, Offset: 10}, "[01 00] false"},
			{cases.Query{App: "wickr"}, "[09 06 03 00] false"},
			{cases.Query{App: "wickr", Limit: 2, Offset: 2}, "[03 00] false"},
			{cases.Query{Severity: wire.SeverityHigh}, "[08 04 00] false"},
			{cases.Query{Status: cases.StatusConfirmed}, "[02] false"},
			{cases.Query{Status: cases.StatusNew, App: "kik"}, "[11 08 05] false"},
			{cases.Query{SeenSince: t0.Add(10 * time.Minute)}, "[11 10] false"},
			{cases.Query{App: "signal"}, "[] false"},
		} {
			p, err := s.List(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := handles(p); got != tc.want {
				t.Errorf("List(%+v) = %s, want %s", tc.q, got, tc.want)
			}
			for _, c := range p.Cases {
				if len(c.Recent) != 1 {
					t.Errorf("listed case %s carries %d sightings, want the latest only", c.ID, len(c.Recent))
				}
			}
		}
	})
}

func id2() string { return wire.CaseKey("wickr", "placeholder_01") }
