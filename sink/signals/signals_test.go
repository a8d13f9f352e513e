package signals_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/stix/stixtest"
	"github.com/handlewatch/handlewatch/internal/taxii"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/signals"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
)

const (
	excerpt    = "trading young collection, wickr: placeholder_01"
	authorName = "author_placeholder_a"
	permalink  = "http://127.0.0.1:8099/posts/secret-permalink-1"
	moderator  = "mod_placeholder_z"
)

func sighting(n int, src, kind string, at time.Time) cases.Sighting {
	return cases.Sighting{FindingID: "f" + src + string(rune('a'+n)), Source: src, SourceKind: kind, PostID: "p" + string(rune('a'+n)),
		Permalink: permalink, Author: authorName, Raw: "wickr: placeholder_01",
		Excerpt: wire.Excerpt{Text: excerpt}, Score: 0.87, Severity: wire.SeverityHigh, Mode: wire.ModeAlert,
		Categories: []string{"minor", "offer"}, SeenAt: at}
}

func decision(app, handle string, d wire.Decision, id string, at time.Time) *wire.CaseEvent {
	return &wire.CaseEvent{Schema: wire.SchemaVersion, ID: id, CaseID: wire.CaseKey(app, handle), App: app, Handle: handle,
		Type: wire.EventDecision, Decision: d, Actor: moderator, Reason: "reporter note: seen by placeholder reporter", At: at}
}

// store is a case store with: a confirmed case seen on two sources, a new
// case, a case confirmed then dismissed, a case dismissed only, and an
// accepted import we never saw.
func store(t *testing.T) *cases.Memory {
	t.Helper()
	m := cases.NewMemory(0)
	must := func(_ cases.Update, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.AddSighting(ctx, "wickr", "placeholder_01", sighting(0, "forum", "html", t0)))
	must(m.AddSighting(ctx, "wickr", "placeholder_01", sighting(1, "mastodon.example", "mastodon", t0.Add(time.Hour))))
	must(m.Apply(ctx, decision("wickr", "placeholder_01", wire.DecisionConfirm, "d1", t0.Add(2*time.Hour))))

	must(m.AddSighting(ctx, "kik", "placeholder_new", sighting(2, "forum", "html", t0)))

	must(m.AddSighting(ctx, "kik", "placeholder_revoke", sighting(3, "forum", "html", t0)))
	must(m.Apply(ctx, decision("kik", "placeholder_revoke", wire.DecisionConfirm, "d2", t0.Add(time.Hour))))
	must(m.Apply(ctx, decision("kik", "placeholder_revoke", wire.DecisionDismiss, "d3", t0.Add(3*time.Hour))))

	must(m.AddSighting(ctx, "kik", "placeholder_dismissed", sighting(4, "forum", "html", t0)))
	must(m.Apply(ctx, decision("kik", "placeholder_dismissed", wire.DecisionDismiss, "d4", t0.Add(time.Hour))))

	must(m.Apply(ctx, importEvent("session", "placeholder_imp", "i1", false)))
	must(m.Apply(ctx, decision("session", "placeholder_imp", wire.DecisionConfirm, "d5", t0.Add(time.Hour))))
	return m
}

func importEvent(app, handle, id string, revoked bool) *wire.CaseEvent {
	return &wire.CaseEvent{Schema: wire.SchemaVersion, ID: id, CaseID: wire.CaseKey(app, handle), App: app, Handle: handle,
		Type: wire.EventImport, Actor: "partner:p", Reason: "shared", At: t0,
		Import: &wire.ImportRecord{Partner: "p", IndicatorID: "indicator--a1f1c0de-0001-4b6e-9c1d-000000000001", Confidence: 70,
			Modified: t0, ValidFrom: t0, ValidUntil: t0.Add(24 * time.Hour), Revoked: revoked}}
}

func config() signals.Config {
	return signals.Config{Organisation: "Example T&S", Contact: "trust@example.org",
		Collections: []signals.CollectionConfig{{Name: "confirmed"}, {Name: "kik-only", Apps: []string{"kik"}}},
		Partners: []signals.PartnerConfig{
			{Name: "hotline", TokenEnv: "HW_TEST_TAXII_HOTLINE", Collections: []string{"confirmed"}},
			{Name: "platform", TokenEnv: "HW_TEST_TAXII_PLATFORM", Collections: []string{"kik-only"}, IncludeText: true},
		}}.WithDefaults()
}

func decode(t *testing.T, objs []taxii.Object) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range objs {
		var m map[string]any
		if err := json.Unmarshal(o.Raw, &m); err != nil {
			t.Fatal(err)
		}
		out[o.ID] = m
	}
	return out
}

func TestExport(t *testing.T) {
	cfg := config()
	x := signals.NewExporter(cfg, store(t))
	objs, err := x.Objects(ctx, signals.View{})
	if err != nil {
		t.Fatal(err)
	}
	// Two cases shared (one revoked), two objects each, identity and TLP.
	if len(objs) != 6 {
		t.Fatalf("%d objects", len(objs))
	}
	for _, o := range objs {
		if err := stixtest.Validate(o.Raw); err != nil {
			t.Error(err)
		}
		if o.DateAdded.IsZero() || o.Version.IsZero() {
			t.Errorf("%s without date_added or version", o.ID)
		}
	}
	all := decode(t, objs)
	var ind, revoked map[string]any
	for _, m := range all {
		if m["type"] != "indicator" {
			continue
		}
		switch m["pattern"] {
		case stix.AccountPattern("wickr", "placeholder_01"):
			ind = m
		case stix.AccountPattern("kik", "placeholder_revoke"):
			revoked = m
		default:
			t.Errorf("indicator that should not be shared: %v", m["pattern"])
		}
	}
	if ind == nil || revoked == nil {
		t.Fatalf("indicators missing: %v", all)
	}
	if ind["revoked"] != nil || revoked["revoked"] != true {
		t.Errorf("revoked: %v / %v", ind["revoked"], revoked["revoked"])
	}
	if ind["confidence"] != 87.0 || ind["valid_from"] != "2026-11-28T12:00:00.000Z" || ind["valid_until"] != "2027-02-26T12:00:00.000Z" {
		t.Errorf("indicator %v", ind)
	}
	tlp, _ := stix.TLP("amber")
	if refs, _ := ind["object_marking_refs"].([]any); len(refs) != 1 || refs[0] != tlp.ID {
		t.Errorf("marking %v", ind["object_marking_refs"])
	}
	if labels, _ := json.Marshal(ind["labels"]); string(labels) != `["csam-solicitation","minor","offer","severity-high"]` {
		t.Errorf("labels %s", labels)
	}
	sg := all[stix.ID("sighting", "Example T&S|"+wire.CaseKey("wickr", "placeholder_01"))]
	if sg == nil || sg["count"] != 2.0 || sg["sighting_of_ref"] != ind["id"] || sg["x_handlewatch_source_count"] != 2.0 {
		t.Fatalf("sighting %v", sg)
	}
	if kinds, _ := json.Marshal(sg["x_handlewatch_source_kinds"]); string(kinds) != `["html","mastodon"]` {
		t.Errorf("kinds %s", kinds)
	}
	// What is never shared.
	for _, o := range objs {
		for _, never := range []string{excerpt, authorName, permalink, moderator, "reporter", "forum", "mastodon.example"} {
			if strings.Contains(string(o.Raw), never) {
				t.Errorf("%s shares %q: %s", o.ID, never, o.Raw)
			}
		}
	}
	// Exporting again gives the same bytes.
	again, _ := x.Objects(ctx, signals.View{})
	for i := range objs {
		if string(again[i].Raw) != string(objs[i].Raw) {
			t.Fatalf("export not stable: %s / %s", again[i].Raw, objs[i].Raw)
		}
	}
}

func TestExportViews(t *testing.T) {
	cfg := config()
	x := signals.NewExporter(cfg, store(t))
	kik := cfg.Collections[1]
	objs, err := x.Objects(ctx, signals.View{Collection: &kik, IncludeText: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 4 {
		t.Fatalf("kik-only: %d objects", len(objs))
	}
	found := false
	for _, o := range objs {
		if strings.Contains(string(o.Raw), "wickr") && strings.Contains(string(o.Raw), "pattern") {
			t.Errorf("kik-only shares a wickr case: %s", o.Raw)
		}
		if strings.Contains(string(o.Raw), `"x_handlewatch_excerpts":["`+excerpt) {
			found = true
		}
		if strings.Contains(string(o.Raw), authorName) || strings.Contains(string(o.Raw), permalink) {
			t.Errorf("text partner gets more than text: %s", o.Raw)
		}
	}
	if !found {
		t.Error("the text partner gets no excerpt")
	}
	// --since: only versions at or after it (and the identity and TLP).
	objs, _ = x.Objects(ctx, signals.View{Since: t0.Add(150 * time.Minute)})
	if len(objs) != 4 {
		t.Fatalf("since: %d objects", len(objs))
	}
	objs, _ = x.Objects(ctx, signals.View{Since: t0.Add(24 * time.Hour)})
	if len(objs) != 0 {
		t.Fatalf("since tomorrow: %d objects", len(objs))
	}
}

func TestBundleGolden(t *testing.T) {
	x := signals.NewExporter(config(), store(t))
	b, err := x.Bundle(ctx, signals.View{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(b, "", "  ")
	if err := stixtest.ValidateBundle(got); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "export.golden.json")
	if os.Getenv("HW_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (HW_UPDATE_GOLDEN=1 writes it)", err)
	}
	if strings.TrimSpace(string(want)) != string(got) {
		t.Fatalf("bundle differs from %s (HW_UPDATE_GOLDEN=1 rewrites it):\n%s", path, got)
	}
}

func TestImportBundle(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "partner_bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	evs, rep, err := signals.ReadBundle(data, signals.ImportOptions{Partner: "platform", Now: now, MinConfidence: 50, ValidFor: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Objects != 10 || rep.Other != 1 || rep.Skipped != 1 || rep.Indicators != 4 || rep.Revoked != 2 || len(rep.Errors) != 4 {
		t.Fatalf("report %+v", rep)
	}
	// Every bad object is named by its id (or its place).
	msg := rep.Err().Error()
	for _, want := range []string{"indicator--a1f1c0de-0004", "file:hashes", "indicator--a1f1c0de-0005", "myspace",
		"indicator--not-a-uuid", "object 9", "not a JSON object"} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors do not say %q:\n%s", want, msg)
		}
	}
	byHandle := map[string]*wire.CaseEvent{}
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			t.Fatal(err)
		}
		if e.Type != wire.EventImport || e.Import.Partner != "platform" || e.Actor != "partner:platform" {
			t.Fatalf("%+v", e)
		}
		byHandle[e.App+":"+e.Handle] = e
	}
	w := byHandle["wickr:placeholder_p1"] // canonical: lowercased
	if w == nil || w.Import.Confidence != 80 || !w.Import.ValidUntil.Equal(time.Date(2027, 2, 1, 8, 0, 0, 0, time.UTC)) ||
		w.Import.IndicatorID != "indicator--a1f1c0de-0001-4b6e-9c1d-000000000001" {
		t.Fatalf("wickr import %+v", w)
	}
	if tg := byHandle["telegram:placeholder_tg8"]; tg == nil || tg.Import.Confidence != -1 ||
		!tg.Import.ValidUntil.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("telegram import (no confidence, default validity) %+v", tg)
	}
	if r := byHandle["kik:placeholder_revoked"]; r == nil || !r.Import.Revoked {
		t.Fatalf("revocation %+v", r)
	}
	// Reading again gives the same event ids: a repeat is dropped.
	evs2, _, _ := signals.ReadBundle(data, signals.ImportOptions{Partner: "platform", Now: now.Add(time.Hour), MinConfidence: 50, ValidFor: 30 * 24 * time.Hour})
	for i := range evs {
		if evs[i].ID != evs2[i].ID {
			t.Fatalf("event ids differ: %s %s", evs[i].ID, evs2[i].ID)
		}
	}
	if _, _, err := signals.ReadBundle([]byte(`{"type":"report"}`), signals.ImportOptions{Partner: "p"}); err == nil {
		t.Fatal("a non-bundle was read")
	}
}

// applier is a Publisher that applies what it is given like a sink does:
// into the case store and the imported watchlist.
type applier struct {
	mu    sync.Mutex
	cases cases.Store
	sets  state.Sets
	now   time.Time
	n     int
}

func (a *applier) Publish(ctx context.Context, _, _ string, v any) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := v.(*wire.CaseEvent)
	if !ok {
		return false, errors.New("not a case event")
	}
	u, err := a.cases.Apply(ctx, e)
	if err != nil {
		return false, err
	}
	a.n++
	return u.Changed, signals.SyncWatch(ctx, a.sets, u.Case, a.now)
}

func TestImportedWatchlist(t *testing.T) {
	mem := state.NewMemory()
	cs := cases.NewMemory(0)
	a := &applier{cases: cs, sets: mem, now: t0}
	in := func(member string) bool {
		ok, err := mem.InSet(ctx, wire.WatchlistImported, member)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if err := signals.Publish(ctx, a, []*wire.CaseEvent{importEvent("kik", "placeholder_a", "i1", false),
		importEvent("kik", "placeholder_b", "i2", false), importEvent("kik", "placeholder_c", "i3", false)}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"kik:placeholder_a", "kik:placeholder_b", "kik:placeholder_c"} {
		if !in(h) {
			t.Fatalf("%s not on the imported watchlist", h)
		}
	}
	// Imported is not known: nothing but a moderator makes a handle known.
	if known, _ := mem.SetMembers(ctx, wire.WatchlistKnown); len(known) != 0 {
		t.Fatalf("known: %v", known)
	}
	// Revocation takes it off.
	if err := signals.Publish(ctx, a, []*wire.CaseEvent{func() *wire.CaseEvent {
		e := importEvent("kik", "placeholder_a", "i1r", true)
		e.Import.Modified = t0.Add(time.Minute)
		return e
	}()}); err != nil {
		t.Fatal(err)
	}
	if in("kik:placeholder_a") {
		t.Fatal("a revoked indicator's handle is still watched")
	}
	// A moderator's decision takes it off: confirmed is known, dismissed
	// is rejected.
	u, err := cs.Apply(ctx, decision("kik", "placeholder_b", wire.DecisionDismiss, "d1", t0.Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if err := signals.SyncWatch(ctx, mem, u.Case, t0); err != nil || in("kik:placeholder_b") {
		t.Fatalf("dismissed import still watched (%v)", err)
	}
	// Expiry: the sweep takes what is past valid_until off.
	if n, err := signals.Sweep(ctx, mem, cs, t0.Add(time.Hour)); err != nil || n != 0 || !in("kik:placeholder_c") {
		t.Fatalf("early sweep removed %d (%v)", n, err)
	}
	if n, err := signals.Sweep(ctx, mem, cs, t0.Add(25*time.Hour)); err != nil || n != 1 || in("kik:placeholder_c") {
		t.Fatalf("sweep after expiry removed %d (%v)", n, err)
	}
}

func TestConfig(t *testing.T) {
	good := config()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (signals.Config{}).WithDefaults().Validate(); err != nil {
		t.Fatalf("empty config: %v", err)
	}
	tests := map[string]struct {
		mutate func(*signals.Config)
		want   string
	}{
		"tlp":              {func(c *signals.Config) { c.TLP = "purple" }, "sink.signals.tlp"},
		"no organisation":  {func(c *signals.Config) { c.Organisation = "" }, "sink.signals.organisation"},
		"partner no token": {func(c *signals.Config) { c.Partners[0].TokenEnv = "" }, "partners[0].token_env"},
		"unknown collection": {func(c *signals.Config) { c.Partners[1].Collections = []string{"nope"} },
			`partners[1].collections[0]: no collection named "nope"`},
		"repeated partner": {func(c *signals.Config) { c.Partners[1].Name = "hotline" }, "partners[1].name"},
		"bad app":          {func(c *signals.Config) { c.Collections[1].Apps = []string{"myspace"} }, "collections[1].apps[0]"},
		"bad id":           {func(c *signals.Config) { c.Collections[0].ID = "x" }, "collections[0].id"},
		"feed url": {func(c *signals.Config) {
			c.Feeds = []signals.FeedConfig{{Partner: "p", CollectionURL: "ftp://x", TokenEnv: "T"}}
			*c = c.WithDefaults()
		}, "feeds[0].collection_url"},
		"feed url with password": {func(c *signals.Config) {
			c.Feeds = []signals.FeedConfig{{Partner: "p", CollectionURL: "https://u:pw@example.org/c/", TokenEnv: "T"}}
			*c = c.WithDefaults()
		}, "no credentials"},
		"min confidence": {func(c *signals.Config) { c.ImportMinConfidence = 101 }, "import_min_confidence"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c := config()
			c.Partners = append([]signals.PartnerConfig(nil), c.Partners...)
			c.Collections = append([]signals.CollectionConfig(nil), c.Collections...)
			tt.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
