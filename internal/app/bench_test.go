package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCommand runs `handlewatch bench` with tiny sizes, the pipeline
// included (embedded NATS, memory state, a loopback webhook), and without
// ripgrep: every row is one JSON object of the six keys, and every name
// the issue asks for is there.
func TestBenchCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"bench", "--rules", filepath.Join("..", "..", "configs", "rules.yaml"),
		"--posts", "2000", "--detector-posts", "500", "--e2e-posts", "300", "--latency-seconds", "1",
		"--dir", t.TempDir(), "--rg", "rg-is-not-installed-here"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var row map[string]any
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if len(row) != 6 {
			t.Errorf("row %s: want the six keys name, value, unit, baseline, baseline_value, ratio", sc.Text())
		}
		name, _ := row["name"].(string)
		if v, ok := row["value"].(float64); !ok || v <= 0 {
			t.Errorf("row %s: value", sc.Text())
		}
		seen[name] = true
	}
	for _, name := range []string{"e2e", "e2e_cpu", "e2e_pages", "e2e_pages_cpu", "e2e_p50", "e2e_p99", "rss_peak", "rss_final", "scan", "scan_posts", "scan_cpu", "scan_zst", "detector", "detector_posts"} {
		if !seen[name] {
			t.Errorf("no %s row", name)
		}
	}
	if !strings.Contains(stderr.String(), "not installed") {
		t.Errorf("stderr lacks the note on ripgrep: %q", stderr.String())
	}
	if code := Main(context.Background(), []string{"bench", "--posts", "0"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("--posts 0: exit %d, want %d", code, exitUsage)
	}
}
