package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/detector"
)

// TestTrainAddsModeratorLabels trains with moderators' labels added, and
// the model it writes loads and scores: the loop from decisions back into
// the scorer.
func TestTrainAddsModeratorLabels(t *testing.T) {
	dir := t.TempDir()
	add := filepath.Join(dir, "labels.jsonl")
	labels := `{"id":"mod-1","text":"fresh folders swap, wickr: demo_mod01","label":"solicitation","handles":[{"app":"wickr","handle":"demo_mod01"}],"tags":["moderator","confirm"]}
{"id":"mod-2","text":"selling my old bike, telegram @demo_bike02","label":"benign","handles":[{"app":"telegram","handle":"demo_bike02"}],"tags":["moderator","dismiss"]}
`
	if err := os.WriteFile(add, []byte(labels), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model.json.gz")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"train", "--corpus", "../../detector/testdata/corpus.jsonl",
		"--add", add, "--out", out, "--version", "test-add"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("train exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), add) || !strings.Contains(stdout.String(), "2 used") {
		t.Fatalf("the labels were not used:\n%s", stdout.String())
	}
	e, err := detector.Load("", out)
	if err != nil {
		t.Fatal(err)
	}
	if e.Model().Version != "test-add" {
		t.Fatalf("model version %q", e.Model().Version)
	}
	stdout.Reset()
	if code := Main(context.Background(), []string{"eval", "--model", out, "--corpus", add}, &stdout, &stderr); code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "model test-add") {
		t.Fatalf("eval did not use the model:\n%s", stdout.String())
	}
}

func TestScanAndEvalNeedNoFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "posts.ndjson")
	if err := os.WriteFile(in, []byte(`{"id":"1","text":"trading young collection, wickr: placeholder_01"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // no configs/ here: the built-in rules and model must do
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"scan", in}, &stdout, &stderr); code != 0 {
		t.Fatalf("scan exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "placeholder_01") {
		t.Fatalf("scan found nothing: %q", stdout.String())
	}
}
