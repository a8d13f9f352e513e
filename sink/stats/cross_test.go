package stats

import "testing"

func TestCountCrossSource(t *testing.T) {
	fx := theFixture()
	// w_1 is on reddit-a and masto-b in the fixture. Add tg_a on wickr
	// too (a handle value on two apps), and a finding outside the period.
	fx.findings = append(fx.findings,
		mkFinding("masto-b", "mastodon", 20, day1, "high", handle{"wickr", "tg_a"}),
		mkFinding("masto-b", "mastodon", 21, day2.AddDate(0, 0, 5), "high", handle{"kik", "w_3"}))
	got, err := CountCrossSource(ctx, fx.replay(), day1, day2)
	if err != nil {
		t.Fatal(err)
	}
	want := CrossSource{Handles: 9, OnSeveralSources: 1, Values: 8, OnSeveralApps: 1}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	got, _ = CountCrossSource(ctx, fx.replay(), day1, day2.AddDate(0, 0, 5))
	if got.OnSeveralApps != 2 {
		t.Fatalf("kik w_3 on day 7 not counted: %+v", got)
	}
}
