package handles

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

type goldenCase struct {
	Text    string  `json:"text"`
	Matches []Match `json:"matches"`
}

// TestGolden extracts a realistic batch of texts (benign posts, hard
// negatives, contacts in many forms) and compares with
// testdata/extract.golden; run with -update to rewrite it after a reviewed
// change.
func TestGolden(t *testing.T) {
	f, err := os.Open("testdata/extract_input.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x := NewExtractor()
	var got []goldenCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var in struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			t.Fatalf("testdata/extract_input.jsonl: %v", err)
		}
		ms := x.Extract(normalize.Normalize(in.Text))
		checkMatches(t, in.Text, ms)
		if ms == nil {
			ms = []Match{}
		}
		got = append(got, goldenCase{Text: in.Text, Matches: ms})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	const golden = "testdata/extract.golden"
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(out) != string(want) {
		var w []goldenCase
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if i >= len(w) {
				t.Errorf("text %d %q: not in the golden file", i, got[i].Text)
				continue
			}
			g, _ := json.Marshal(got[i])
			ww, _ := json.Marshal(w[i])
			if string(g) != string(ww) {
				t.Errorf("text %d:\n got %s\nwant %s", i, g, ww)
			}
		}
		t.Error("output differs from " + golden + " (go test -update rewrites it)")
	}
}
