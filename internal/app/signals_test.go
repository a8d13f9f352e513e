package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/stix/stixtest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// signalsConfig writes a config on the real NATS server in a namespace of
// its own and returns its path and the bus of that namespace.
func signalsConfig(t *testing.T) (string, *bus.Bus) {
	t.Helper()
	ns := bustest.Namespace()
	b := bustest.ExternalIn(t, ns)
	path := filepath.Join(t.TempDir(), "hw.yaml")
	yaml := "nats:\n  url: " + bustest.URL() + "\n  namespace: " + ns + "\n" +
		"sink:\n  signals:\n    organisation: Example T&S\n    import_min_confidence: 50\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b
}

func imports(t *testing.T, b *bus.Bus) map[string]*wire.CaseEvent {
	t.Helper()
	out := map[string]*wire.CaseEvent{}
	if err := b.Replay(context.Background(), bus.StreamCases, "", func(m bus.Msg) error {
		var e wire.CaseEvent
		if err := json.Unmarshal(m.Data, &e); err != nil {
			return err
		}
		if e.Type == wire.EventImport {
			out[e.App+":"+e.Handle] = &e
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSignalsImportCommand(t *testing.T) {
	path, b := signalsConfig(t)
	bundle := "../../sink/signals/testdata/partner_bundle.json"
	var stdout, stderr strings.Builder
	code := Main(context.Background(), []string{"signals", "import", "--config", path, "--partner", "platform", bundle}, &stdout, &stderr)
	// Bad objects make a failure that names them; the rest is imported.
	if code != 1 || !strings.Contains(stderr.String(), "indicator--a1f1c0de-0004") || !strings.Contains(stderr.String(), "4 objects") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "4 indicators imported from platform") {
		t.Fatalf("stdout %s", stdout.String())
	}
	got := imports(t, b)
	if len(got) != 4 || got["wickr:placeholder_p1"] == nil || got["wickr:placeholder_p1"].Import.Partner != "platform" {
		t.Fatalf("imports on the bus: %v", got)
	}

	// From a URL with a bearer token.
	const token = "partner-feed-token-0123456789"
	t.Setenv("HW_TEST_BUNDLE_TOKEN", token)
	one := `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"indicator","spec_version":"2.1",
"id":"indicator--a1f1c0de-0009-4b6e-9c1d-000000000009","created":"2026-11-01T08:00:00.000Z","modified":"2026-11-01T08:00:00.000Z",
"confidence":75,"pattern":"[user-account:account_type = 'kik' AND user-account:account_login = 'placeholder_url9']",
"pattern_type":"stix","valid_from":"2026-11-01T08:00:00.000Z","valid_until":"2036-11-01T08:00:00.000Z"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", stix.MediaType)
		_, _ = w.Write([]byte(one))
	}))
	defer srv.Close()
	stdout.Reset()
	stderr.Reset()
	if code := Main(context.Background(), []string{"signals", "import", "--config", path, "--partner", "hotline",
		"--token-env", "HW_TEST_BUNDLE_TOKEN", srv.URL + "/bundle.json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if e := imports(t, b)["kik:placeholder_url9"]; e == nil || e.Import.Partner != "hotline" || e.Import.Confidence != 75 {
		t.Fatalf("URL import %+v", e)
	}
	// Usage errors.
	for _, args := range [][]string{{"signals"}, {"signals", "frob"}, {"signals", "import", "--config", path, bundle}} {
		if code := Main(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

func TestSignalsExportCommand(t *testing.T) {
	path, b := signalsConfig(t)
	ctx := context.Background()
	now := time.Now().UTC()
	text := "trading young collection, wickr: placeholder_01"
	f := &wire.Finding{Schema: wire.SchemaVersion,
		Post:    wire.PostRef{Source: "forum-a", SourceKind: "rss", ID: "post-1", Permalink: "http://127.0.0.1:8099/p/1", Author: "user_placeholder_1", CreatedAt: now},
		Excerpt: wire.Excerpt{Text: text},
		Handles: []wire.Handle{{App: "wickr", Handle: "placeholder_01", Raw: "wickr: placeholder_01", Kind: wire.HandleMention, Span: wire.Span{Start: 26, End: len(text)}}},
		Signals: []wire.Signal{{Rule: "offer.trading", Category: "offer", Weight: 0.4, Span: wire.Span{Start: 0, End: 7}}},
		Score:   0.8, Severity: wire.SeverityHigh, RulesVersion: "test-1", Mode: wire.ModeAlert, DetectedAt: now}
	f.ID = wire.FindingID("forum-a", "post-1", "test-1")
	if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
		t.Fatal(err)
	}
	d := &wire.CaseEvent{Schema: wire.SchemaVersion, ID: "dec-1", CaseID: wire.CaseKey("wickr", "placeholder_01"), App: "wickr",
		Handle: "placeholder_01", Type: wire.EventDecision, Decision: wire.DecisionConfirm, Actor: "mod_a", At: now.Add(time.Second)}
	if _, err := b.Publish(ctx, d.Subject(), d.ID, d); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bundle.json")
	var stdout, stderr strings.Builder
	if code := Main(ctx, []string{"signals", "export", "--config", path, "--since", "24h", "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := stixtest.ValidateBundle(data); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{stix.AccountPattern("wickr", "placeholder_01"), `"type": "sighting"`, `"TLP:AMBER"`, `"Example T\u0026S"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("bundle lacks %s:\n%s", want, data)
		}
	}
	for _, never := range []string{text, "user_placeholder_1", "127.0.0.1:8099", "mod_a", "forum-a"} {
		if strings.Contains(string(data), never) {
			t.Errorf("bundle shares %q", never)
		}
	}
	// Days are read too.
	stdout.Reset()
	if code := Main(ctx, []string{"signals", "export", "--config", path, "--since", "7d"}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "placeholder_01") {
		t.Fatalf("exit %d: %s", code, stdout.String())
	}
	if code := Main(ctx, []string{"signals", "export", "--config", path, "--since", "soon"}, &stdout, &stderr); code != 2 {
		t.Fatalf("bad --since: exit %d", code)
	}
}
