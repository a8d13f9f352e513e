package sink

import (
	"fmt"
	"testing"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

func TestAlertPolicyLevels(t *testing.T) {
	p := alertPolicy{minSeverity: wire.SeverityMedium, sightings: []int64{10, 100, 1000}, sources: []int64{3}}
	mk := func(status cases.Status, sightings, sources int64, sev wire.Severity, mode wire.Mode) *cases.Case {
		return &cases.Case{Status: status, Sightings: sightings, Sources: sources, Severity: sev, Mode: mode}
	}
	for _, tc := range []struct {
		name string
		c    *cases.Case
		want string
	}{
		{"new case", mk(cases.StatusNew, 1, 1, wire.SeverityMedium, wire.ModeAlert), "[new]"},
		{"act mode alerts too", mk(cases.StatusNew, 1, 1, wire.SeverityMedium, wire.ModeAct), "[new]"},
		{"shadow never", mk(cases.StatusNew, 5000, 9, wire.SeverityCritical, wire.ModeShadow), "[]"},
		{"below min severity", mk(cases.StatusNew, 50, 1, wire.SeverityLow, wire.ModeAlert), "[]"},
		{"nine sightings", mk(cases.StatusNew, 9, 1, wire.SeverityMedium, wire.ModeAlert), "[new]"},
		{"ten sightings", mk(cases.StatusNew, 10, 1, wire.SeverityMedium, wire.ModeAlert), "[new escalation:sightings-10]"},
		{"all thresholds", mk(cases.StatusNew, 1000, 3, wire.SeverityMedium, wire.ModeAlert),
			"[new escalation:sightings-10 escalation:sightings-100 escalation:sightings-1000 escalation:sources-3]"},
		{"high", mk(cases.StatusNew, 1, 1, wire.SeverityHigh, wire.ModeAlert), "[new escalation:severity-high]"},
		{"critical", mk(cases.StatusNew, 1, 1, wire.SeverityCritical, wire.ModeAlert), "[new escalation:severity-high escalation:severity-critical]"},
		{"confirmed still escalates", mk(cases.StatusConfirmed, 100, 1, wire.SeverityMedium, wire.ModeAlert),
			"[escalation:sightings-10 escalation:sightings-100]"},
		{"escalated still escalates", mk(cases.StatusEscalated, 1, 4, wire.SeverityMedium, wire.ModeAlert), "[escalation:sources-3]"},
		{"dismissed never", mk(cases.StatusDismissed, 5000, 9, wire.SeverityCritical, wire.ModeAct), "[]"},
		{"cleared never", mk(cases.StatusCleared, 5000, 9, wire.SeverityCritical, wire.ModeAct), "[]"},
		{"stub without sightings", mk(cases.StatusNew, 0, 0, "", ""), "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			for _, l := range p.levels(tc.c) {
				names = append(names, l.name)
			}
			if got := fmt.Sprint(names); got != tc.want {
				t.Fatalf("levels = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestEscalationSequence walks a case through a burst: each threshold is
// due exactly once, at the sighting that crosses it.
func TestEscalationSequence(t *testing.T) {
	p := alertPolicy{minSeverity: wire.SeverityLow, sightings: []int64{10, 100, 1000}, sources: []int64{3}}
	c := &cases.Case{ID: "wickr-x", Status: cases.StatusNew, Severity: wire.SeverityMedium, Mode: wire.ModeAlert}
	var sent []string
	for n := int64(1); n <= 1500; n++ {
		c.Sightings = n
		c.Sources = min(n/400+1, 4) // a third source at sighting 800
		for _, l := range due(c, "hook", p.levels(c)) {
			sent = append(sent, fmt.Sprintf("%d:%s", n, l.name))
			c.Alerts = append(c.Alerts, cases.AlertEntry{Notifier: "hook", Level: l.name, Delivered: true})
		}
	}
	want := "[1:new 10:escalation:sightings-10 100:escalation:sightings-100 800:escalation:sources-3 1000:escalation:sightings-1000]"
	if got := fmt.Sprint(sent); got != want {
		t.Fatalf("sent %s\nwant %s", got, want)
	}
	// Another notifier has had nothing: everything is due at once, in one
	// message.
	if got := len(due(c, "slack", p.levels(c))); got != 5 {
		t.Fatalf("due for a fresh notifier: %d levels, want 5", got)
	}
}

func TestValidCaseID(t *testing.T) {
	for id, want := range map[string]bool{
		wire.CaseKey("wickr", "placeholder_01"): true,
		"wickr-0123456789abcdef":                true,
		"wickr-0123456789ABCDEF":                false,
		"nope-0123456789abcdef":                 false,
		"wickr-0123":                            false,
		"wickr":                                 false,
		"../etc/passwd":                         false,
	} {
		if got := validCaseID(id); got != want {
			t.Errorf("validCaseID(%q) = %v, want %v", id, got, want)
		}
	}
}
