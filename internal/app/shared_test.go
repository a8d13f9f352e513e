package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/config"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestStatsBesideRun: `stats` and `export` read the streams while `run`
// holds the embedded store, through the running server's client file,
// and still work on their own when nothing runs.
func TestStatsBesideRun(t *testing.T) {
	dataDir := t.TempDir()
	path := filepath.Join(t.TempDir(), "hw.yaml")
	yaml := fmt.Sprintf(`
nats: { url: "", data_dir: %q }
sink: { listen: "127.0.0.1:0", research: { study_key_env: HW_TEST_STUDY_KEY } }
`, dataDir)
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HW_TEST_STUDY_KEY", "study-key-for-tests-0123456789")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := Start(ctx, cfg, zaptest.NewLogger(t), stages{sink: true})
	if err != nil {
		t.Fatal(err)
	}
	f := &wire.Finding{Schema: wire.SchemaVersion, ID: "f-shared-1",
		Post:    wire.PostRef{Source: "forum-a", SourceKind: "rss", ID: "p1", CreatedAt: time.Now().UTC()},
		Excerpt: wire.Excerpt{Text: "trading young collection, wickr: placeholder_01"},
		Handles: []wire.Handle{{App: "wickr", Handle: "placeholder_01", Raw: "wickr: placeholder_01", Kind: wire.HandleMention,
			Span: wire.Span{Start: 26, End: 47}}},
		Signals: []wire.Signal{{Rule: "offer.trading", Category: "offer", Weight: 0.5, Span: wire.Span{Start: 0, End: 7}}},
		Score:   0.8, Severity: wire.SeverityHigh, RulesVersion: "t1", Mode: wire.ModeAlert, DetectedAt: time.Now().UTC()}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.bus.Publish(ctx, f.Subject(), f.ID, f); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "client.json")); err != nil {
		t.Fatalf("the running server wrote no client file: %v", err)
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errb strings.Builder
		if code := Main(ctx, append(args, "--config", path), &out, &errb); code != 0 {
			t.Fatalf("%s beside run: exit %d: %s", args[0], code, errb.String())
		}
		return out.String()
	}
	if out := run("export", "--format", "ndjson"); strings.Count(out, "\n") != 1 || strings.Contains(out, "placeholder_01") {
		t.Fatalf("export beside run = %q, want one pseudonymised row", out)
	}
	if out := run("stats", "--json"); !strings.Contains(out, "forum-a") && !strings.Contains(out, "findings") {
		t.Fatalf("stats beside run = %q", out)
	}
	p.close()
	if _, err := os.Stat(filepath.Join(dataDir, "client.json")); !os.IsNotExist(err) {
		t.Fatalf("client file left after the server stopped: %v", err)
	}
	if out := run("export", "--format", "ndjson"); strings.Count(out, "\n") != 1 {
		t.Fatalf("export on its own = %q, want one row", out)
	}
}
