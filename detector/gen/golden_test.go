package gen

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_seed1.jsonl")

// TestGolden pins the first examples of seed 1, so that a trained model can
// be rebuilt from its seed on any machine and Go version: a change to a
// lexicon or to the random stream shows here and is committed on purpose
// (go test ./detector/gen -run Golden -update).
func TestGolden(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range Generate(1, 60) {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join("testdata", "golden_seed1.jsonl")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		got := bytes.Split(buf.Bytes(), []byte("\n"))
		for i, w := range bytes.Split(want, []byte("\n")) {
			if i >= len(got) || !bytes.Equal(got[i], w) {
				g := []byte(nil)
				if i < len(got) {
					g = got[i]
				}
				t.Fatalf("line %d differs from %s (rerun with -update if the change is intended):\n got %s\nwant %s", i+1, path, g, w)
			}
		}
		t.Fatalf("output differs from %s", path)
	}
}
