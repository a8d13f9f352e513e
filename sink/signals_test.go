package sink

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/signals"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

func importOf(app, handle, partner string, at time.Time) *wire.CaseEvent {
	return &wire.CaseEvent{Schema: wire.SchemaVersion, ID: "import-" + handle, CaseID: wire.CaseKey(app, handle), App: app, Handle: handle,
		Type: wire.EventImport, Actor: "partner:" + partner, Reason: "shared", At: at,
		Import: &wire.ImportRecord{Partner: partner, IndicatorID: "indicator--a1f1c0de-0001-4b6e-9c1d-000000000001", Confidence: 90,
			Modified: at, ValidFrom: at, ValidUntil: at.Add(30 * 24 * time.Hour)}}
}

// TestImportedNeverActsAlone: a partner's handle is watched in shadow
// mode; the shadow finding the detector makes of it raises neither an
// alert nor a takedown, though an auto takedown target and an alert
// receiver are ready (a control case in the same sink gets both). Only a
// moderator's confirm makes the handle known.
func TestImportedNeverActsAlone(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := hookOnly(rcv.config(t))
	cfg.Takedowns = takedown.Config{Enabled: true, Shadow: true, Contact: "https://example.org/abuse",
		Targets: []takedown.TargetConfig{{Name: "forum-abuse", Channel: takedown.ChannelEmail, AppliesTo: []string{"*"},
			Mode: takedown.ModeAuto, AutoMinSeverity: wire.SeverityLow, To: []string{"abuse@example.org"},
			SMTP: takedown.SMTPConfig{Host: "127.0.0.1", Port: 25, From: "hw@example.org", TLS: "none"}}}}
	st := state.NewMemory()
	s := startSink(t, cfg, b, st)
	ctx := context.Background()
	now := time.Now().UTC()
	imp := wire.CaseKey("wickr", "placeholder_imp1")
	ctrl := wire.CaseKey("wickr", "placeholder_ctrl")

	if err := signals.Publish(ctx, b, []*wire.CaseEvent{importOf("wickr", "placeholder_imp1", "platform", now)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the imported handle on the watchlist", 10*time.Second, func() bool {
		ok, _ := st.InSet(ctx, wire.WatchlistImported, "wickr:placeholder_imp1")
		return ok
	})
	// What the detector makes of a post with an imported handle alone.
	shadow := finding(1, "wickr", "placeholder_imp1", "forum-a", wire.SeverityLow, wire.ModeShadow)
	shadow.Handles[0].Watch = wire.WatchImported
	publish(t, b, shadow, finding(2, "wickr", "placeholder_ctrl", "forum-a", wire.SeverityHigh, wire.ModeAct))
	waitFor(t, "the control case's alert and takedown", 10*time.Second, func() bool {
		c, err := s.cases.Get(ctx, ctrl)
		return err == nil && len(c.Alerts) > 0 && len(c.Takedowns) > 0
	})
	waitFor(t, "the imported case's sighting", 10*time.Second, func() bool {
		c, err := s.cases.Get(ctx, imp)
		return err == nil && c.Sightings == 1
	})
	c := s.getCase(t, "wickr", "placeholder_imp1")
	if len(c.Alerts) != 0 || len(c.Takedowns) != 0 || c.Status != "new" || len(c.Imports) != 1 || c.Imports[0].Partner != "platform" {
		t.Fatalf("the import acted: alerts %+v takedowns %+v status %s imports %+v", c.Alerts, c.Takedowns, c.Status, c.Imports)
	}
	for _, e := range caseEvents(t, b, "") {
		if e.CaseID == imp && (e.Type == wire.EventAlert || e.Type == wire.EventTakedown) {
			t.Fatalf("the import set off %s: %+v", e.Type, e)
		}
	}
	if n := levelCounts(rcv.hook)[imp]; len(n) != 0 {
		t.Fatalf("alerts sent for the import: %v", n)
	}
	if n := levelCounts(rcv.hook)[ctrl]; len(n) == 0 {
		t.Fatal("the control case got no alert: the test proves nothing")
	}
	if known, _ := st.InSet(ctx, wire.WatchlistKnown, "wickr:placeholder_imp1"); known {
		t.Fatal("an import made a handle known")
	}
	// The moderator accepts it: known, and no longer only imported.
	resp, body := s.call(t, "POST", "/api/cases/"+imp+"/decision", testToken, `{"decision":"confirm","actor":"mod_a","reason":"accepted the partner's indicator"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	waitFor(t, "the accepted handle known and off the imported list", 10*time.Second, func() bool {
		known, _ := st.InSet(ctx, wire.WatchlistKnown, "wickr:placeholder_imp1")
		imported, _ := st.InSet(ctx, wire.WatchlistImported, "wickr:placeholder_imp1")
		return known && !imported
	})
}

// TestSignalRoutes: the TAXII API root and the links endpoints are mounted
// on the sink's listener.
func TestSignalRoutes(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	const partnerToken = "partner-token-for-tests-0123"
	t.Setenv("HW_TEST_PARTNER_TOKEN", partnerToken)
	cfg.Signals = signals.Config{Organisation: "Example T&S",
		Collections: []signals.CollectionConfig{{Name: "confirmed"}},
		Partners:    []signals.PartnerConfig{{Name: "hotline", TokenEnv: "HW_TEST_PARTNER_TOKEN", Collections: []string{"confirmed"}}}}
	s := startSink(t, cfg, b, state.NewMemory())
	// Findings 1 and 8 share an author on forum-a; 1 and 3 share a handle
	// value on two apps.
	publish(t, b,
		finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert),
		finding(8, "kik", "placeholder_kik8", "forum-a", wire.SeverityHigh, wire.ModeAlert),
		finding(3, "kik", "placeholder_01", "forum-b", wire.SeverityHigh, wire.ModeAlert),
		finding(4, "session", "placeholder_s4", "forum-b", wire.SeverityHigh, wire.ModeAlert),
	)
	waitFor(t, "4 cases", 10*time.Second, func() bool { return s.sightings(t) == 4 })
	wickr := wire.CaseKey("wickr", "placeholder_01")

	resp, body := s.call(t, "GET", "/api/cases/"+wickr+"/links", testToken, "")
	if resp.StatusCode != 200 {
		t.Fatalf("links: %d %s", resp.StatusCode, body)
	}
	var g struct {
		Links []struct {
			CaseID string `json:"case_id"`
			Via    []struct{ Kind, Value string }
		}
	}
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range g.Links {
		got[l.CaseID] = l.Via[0].Kind + "=" + l.Via[0].Value
	}
	want := map[string]string{wire.CaseKey("kik", "placeholder_kik8"): "author=forum-a/user_placeholder_1",
		wire.CaseKey("kik", "placeholder_01"): "handle=placeholder_01"}
	if len(got) != len(want) || got[wire.CaseKey("kik", "placeholder_kik8")] != want[wire.CaseKey("kik", "placeholder_kik8")] ||
		got[wire.CaseKey("kik", "placeholder_01")] != want[wire.CaseKey("kik", "placeholder_01")] {
		t.Fatalf("links %v, want %v", got, want)
	}
	resp, body = s.call(t, "GET", "/api/cases/"+wickr+"/links.svg", testToken, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(body), "<svg ") ||
		!strings.Contains(string(body), "kik:placeholder_kik8") {
		t.Fatalf("svg: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, _ := s.call(t, "GET", "/api/cases/"+wickr+"/links", "", ""); resp.StatusCode != 401 {
		t.Fatalf("links without the token: %d", resp.StatusCode)
	}
	if resp, _ := s.call(t, "POST", "/api/cases/"+wickr+"/links.svg", testToken, ""); resp.StatusCode != 405 {
		t.Fatalf("POST on links.svg: %d", resp.StatusCode)
	}
	if resp, _ := s.call(t, "GET", "/api/cases/wickr-0000000000000000/links", testToken, ""); resp.StatusCode != 404 {
		t.Fatalf("links of an unknown case: %d", resp.StatusCode)
	}

	// TAXII: nothing confirmed yet, then the confirmed case.
	col := "/taxii2/root/collections/" + s.signals.Exporter().CollectionID("confirmed") + "/objects/"
	if resp, body := s.call(t, "GET", col, partnerToken, ""); resp.StatusCode != 200 || strings.Contains(string(body), "indicator") {
		t.Fatalf("objects before any confirm: %d %s", resp.StatusCode, body)
	}
	if resp, _ := s.call(t, "GET", col, testToken, ""); resp.StatusCode != 401 {
		t.Fatalf("the API token is no partner token: %d", resp.StatusCode)
	}
	if resp, body := s.call(t, "POST", "/api/cases/"+wickr+"/decision", testToken, `{"decision":"confirm","actor":"mod_a"}`); resp.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	waitFor(t, "the indicator over TAXII", 20*time.Second, func() bool {
		resp, body := s.call(t, "GET", col, partnerToken, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/taxii+json;version=2.1" {
			t.Fatalf("objects: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		return strings.Contains(string(body), `account_login = 'placeholder_01'`)
	})
}

// TestTwoSinksExchange: the round trip between two whole handlewatch
// sinks on buses of their own. A confirms a case; B polls A's TAXII
// collection as a partner and watches the handle in shadow mode with A's
// provenance; A's moderator dismisses it, B polls again (its cursor kept
// in its state store) and the handle leaves B's watchlist.
func TestTwoSinksExchange(t *testing.T) {
	ctx := context.Background()
	rcv := startReceivers(t)
	const partnerToken = "partner-token-for-tests-0123"
	t.Setenv("HW_TEST_PARTNER_TOKEN", partnerToken)

	busA := bustest.Embedded(t, "")
	cfgA := rcv.config(t)
	cfgA.Webhooks, cfgA.Slack, cfgA.Email = nil, nil, nil
	cfgA.Signals = signals.Config{Organisation: "Platform A",
		Collections: []signals.CollectionConfig{{Name: "confirmed"}},
		Partners:    []signals.PartnerConfig{{Name: "platform-b", TokenEnv: "HW_TEST_PARTNER_TOKEN", Collections: []string{"confirmed"}}}}
	a := startSink(t, cfgA, busA, state.NewMemory())
	publish(t, busA, finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert))
	waitFor(t, "A's case", 10*time.Second, func() bool { return a.sightings(t) == 1 })
	id := wire.CaseKey("wickr", "placeholder_01")
	if resp, body := a.call(t, "POST", "/api/cases/"+id+"/decision", testToken, `{"decision":"confirm","actor":"mod_a"}`); resp.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	col := a.api.URL + "/taxii2/root/collections/" + a.signals.Exporter().CollectionID("confirmed") + "/"
	waitFor(t, "A serving the indicator", 20*time.Second, func() bool {
		_, body := a.call(t, "GET", strings.TrimPrefix(col, a.api.URL)+"objects/", partnerToken, "")
		return strings.Contains(string(body), "placeholder_01")
	})

	busB := bustest.Embedded(t, "")
	stB := state.NewMemory()
	cfgB := rcv.config(t)
	cfgB.Webhooks, cfgB.Slack, cfgB.Email = nil, nil, nil
	cfgB.Signals = signals.Config{Feeds: []signals.FeedConfig{{Partner: "platform-a", CollectionURL: col, TokenEnv: "HW_TEST_PARTNER_TOKEN"}}}
	b := startSink(t, cfgB, busB, stB)
	waitFor(t, "B watching the handle in shadow mode", 20*time.Second, func() bool {
		ok, _ := stB.InSet(ctx, wire.WatchlistImported, "wickr:placeholder_01")
		return ok
	})
	c := b.getCase(t, "wickr", "placeholder_01")
	if len(c.Imports) != 1 || c.Imports[0].Partner != "platform-a" || c.Status != "new" || c.Sightings != 0 || len(c.Alerts) != 0 {
		t.Fatalf("B's case: %+v", c)
	}
	if known, _ := stB.InSet(ctx, wire.WatchlistKnown, "wickr:placeholder_01"); known {
		t.Fatal("B made A's handle known without a moderator")
	}

	if resp, body := a.call(t, "POST", "/api/cases/"+id+"/decision", testToken,
		`{"decision":"dismiss","actor":"mod_a","reason":"a parody account"}`); resp.StatusCode != 200 {
		t.Fatalf("dismiss: %d %s", resp.StatusCode, body)
	}
	waitFor(t, "A serving the revocation", 30*time.Second, func() bool {
		_, body := a.call(t, "GET", strings.TrimPrefix(col, a.api.URL)+"objects/", partnerToken, "")
		return strings.Contains(string(body), `"revoked":true`)
	})
	if _, err := b.signals.Feeds()[0].Poll(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the handle leaving B's watchlist", 20*time.Second, func() bool {
		ok, _ := stB.InSet(ctx, wire.WatchlistImported, "wickr:placeholder_01")
		return !ok
	})
	if cur, ok, _ := stB.Cursor(ctx, "signals:feed:platform-a:"+col); !ok || cur == "" {
		t.Fatal("B keeps no cursor")
	}
}
