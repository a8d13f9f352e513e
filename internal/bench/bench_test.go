package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkRows is the shape every consumer of `handlewatch bench` relies on:
// one object per line with exactly the six keys, a positive value, and
// ratio null only when baseline_value is.
func checkRows(t *testing.T, out []byte) map[string]Row {
	t.Helper()
	rows := map[string]Row{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &keys); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"name", "value", "unit", "baseline", "baseline_value", "ratio"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("line %s lacks %q", sc.Text(), k)
			}
		}
		if len(keys) != 6 {
			t.Errorf("line %s has %d keys, want 6", sc.Text(), len(keys))
		}
		var r Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Value <= 0 || r.Unit == "" || r.Baseline == "" {
			t.Errorf("row %s: empty value, unit or baseline", sc.Text())
		}
		if (r.Ratio == nil) != (r.BaselineValue == nil) || (r.Ratio != nil && *r.Ratio <= 0) {
			t.Errorf("row %s: ratio and baseline_value must be both set (positive) or both null", sc.Text())
		}
		if _, dup := rows[r.Name]; dup {
			t.Errorf("row %s twice", r.Name)
		}
		rows[r.Name] = r
	}
	return rows
}

// TestRunNoRipgrep runs the bench small, without ripgrep and without the
// pipeline hook: the scan rows say so, and every other row is there.
func TestRunNoRipgrep(t *testing.T) {
	var out, note bytes.Buffer
	err := Run(context.Background(), Options{Posts: 3000, DetectorPosts: 500, Rules: filepath.Join("..", "..", "configs", "rules.yaml"),
		RG: "-", Note: &note, Dir: t.TempDir()}, &out)
	if err != nil {
		t.Fatal(err)
	}
	rows := checkRows(t, out.Bytes())
	for _, name := range []string{"scan", "scan_posts", "scan_cpu", "scan_zst", "detector", "detector_posts", "rss_peak", "rss_final"} {
		if _, ok := rows[name]; !ok {
			t.Errorf("no %s row in\n%s", name, out.String())
		}
	}
	if rows["scan"].Ratio != nil || !strings.Contains(rows["scan"].Baseline, "not installed") {
		t.Errorf("scan row without rg: %+v", rows["scan"])
	}
	if rows["scan_zst"].Ratio == nil || rows["detector"].Ratio == nil {
		t.Error("rows with a baseline measured in the run have no ratio")
	}
	if !strings.Contains(note.String(), "rg (ripgrep) is not installed") {
		t.Errorf("note = %q", note.String())
	}
}

func TestRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	peak, cur := RSS()
	if cur <= 0 || peak < cur {
		t.Fatalf("peak %v, current %v", peak, cur)
	}
}
