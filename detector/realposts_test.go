package detector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realPostGlobs are the real recorded posts: the crawler's golden files
// (JSON arrays of wire posts) and the Reddit dump samples (NDJSON).
var realPostGlobs = []string{
	"../crawler/*/testdata/*.golden.json",
	"testdata/R?_derived_sample.ndjson",
}

func TestReadPostsFormats(t *testing.T) {
	for _, tc := range []struct {
		name, plain, packed string
	}{
		{"comments", "testdata/RC_derived_sample.ndjson", "testdata/RC_derived_sample.ndjson.zst"},
		{"submissions", "testdata/RS_derived_sample.ndjson", "testdata/RS_derived_sample.ndjson.zst"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain, err := ReadPosts(tc.plain)
			if err != nil {
				t.Fatal(err)
			}
			packed, err := ReadPosts(tc.packed)
			if err != nil {
				t.Fatal(err)
			}
			if len(plain) == 0 {
				t.Fatalf("%s: no posts read", tc.plain)
			}
			if len(plain) != len(packed) {
				t.Fatalf("%s gives %d posts, its .zst %d", tc.plain, len(plain), len(packed))
			}
			for i := range plain {
				if plain[i].Text != packed[i].Text || plain[i].Label != LabelBenign {
					t.Fatalf("post %d differs between plain and .zst, or is not benign", i)
				}
			}
		})
	}
	t.Run("golden array", func(t *testing.T) {
		paths, _ := filepath.Glob("../crawler/mastodon/testdata/*.golden.json")
		if len(paths) == 0 {
			t.Fatal("no mastodon golden files")
		}
		exs, err := ReadPosts(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) == 0 {
			t.Fatalf("%s: no posts read from the JSON array", paths[0])
		}
	})
	t.Run("malformed line names its place", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "bad.ndjson")
		if err := os.WriteFile(p, []byte("{\"id\":\"a\",\"body\":\"hello\"}\n{not json\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadPosts(p); err == nil || !strings.Contains(err.Error(), "bad.ndjson:2") {
			t.Fatalf("want an error naming bad.ndjson:2, got %v", err)
		}
	})
}

// TestRealPostsFalsePositives is the bar on real posts: at most
// one false finding in a thousand (today there are none).
func TestRealPostsFalsePositives(t *testing.T) {
	var paths []string
	for _, g := range realPostGlobs {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	rep, err := EvaluateReal(shippedEngine(t), paths)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Posts < 300 {
		t.Fatalf("only %d real posts read from %d files", rep.Posts, rep.FileCount)
	}
	t.Logf("real posts: %d in %d files, %d with a handle candidate, %d findings", rep.Posts, rep.FileCount, rep.Scored, len(rep.Findings))
	for _, f := range rep.Findings {
		t.Logf("false finding %s score %.3f (%s)", f.ID, f.Score, f.Reason)
	}
	if rep.FPRate > 0.001 {
		t.Errorf("false-positive rate %.4f on real posts, want ≤ 0.001", rep.FPRate)
	}
}
