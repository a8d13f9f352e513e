package detector

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/handlewatch/handlewatch/internal/wire"
)

func repoEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := LoadEngine(filepath.Join("..", "configs", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return e.withClock(testClock)
}

// scanFixture writes a dump with findings, benign lines, malformed lines,
// a line over 64 KiB and every created_utc form.
func scanFixture(t *testing.T) (path string, wantIDs []string) {
	t.Helper()
	var b strings.Builder
	line := func(v map[string]any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	for i := 0; i < 300; i++ {
		switch i % 10 {
		case 3:
			line(map[string]any{"id": fmt.Sprintf("ad%d", i), "text": fmt.Sprintf("trading young collection, wickr: placeholder_%02d", i%100), "created_utc": 1764300000})
			wantIDs = append(wantIDs, fmt.Sprintf("ad%d", i))
		case 5:
			line(map[string]any{"id": fmt.Sprintf("rd%d", i), "title": "selling 13yo vids", "selftext": "kik: example_seller", "subreddit": "x",
				"author": "someone", "permalink": fmt.Sprintf("/r/x/comments/rd%d/", i), "created_utc": "1764300000"})
			wantIDs = append(wantIDs, fmt.Sprintf("rd%d", i))
		case 7:
			line(map[string]any{"id": i, "body": "lovely day at the park, see you there", "created_utc": 1764300000.5})
		default:
			line(map[string]any{"id": fmt.Sprintf("b%d", i), "text": "nothing to see here #weekend @friend https://example.org"})
		}
	}
	b.WriteString("{this is not json\n")
	b.WriteString("\n") // blank lines are skipped, not malformed
	b.WriteString(`{"id":"notext","author":"x"}` + "\n")
	long := strings.Repeat("lorem ipsum dolor ", 5000) // 90 KB: over bufio.Scanner's limit
	line(map[string]any{"id": "long", "text": long + " trading young collection, wickr: placeholder_99"})
	wantIDs = append(wantIDs, "long")
	b.WriteString(`{"id":"last","text":"pthc new, kik: last_one"}`) // no final newline
	wantIDs = append(wantIDs, "last")
	path = filepath.Join(t.TempDir(), "dump.ndjson")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, wantIDs
}

func readFindings(t *testing.T, out []byte) []wire.Finding {
	t.Helper()
	var fs []wire.Finding
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var f wire.Finding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

func TestScan(t *testing.T) {
	e := repoEngine(t)
	plain, wantIDs := scanFixture(t)
	data, _ := os.ReadFile(plain)
	gz := plain + ".gz"
	zst := plain + ".zst"
	writeCompressed(t, gz, data, "gz")
	writeCompressed(t, zst, data, "zst")

	var outputs []string
	for _, tc := range []struct {
		file    string
		workers int
	}{{plain, 1}, {plain, 4}, {gz, 2}, {zst, 3}} {
		t.Run(fmt.Sprintf("%s/%d", filepath.Ext(tc.file), tc.workers), func(t *testing.T) {
			var out, summary bytes.Buffer
			err := Scan(context.Background(), e, []string{tc.file}, &out, &summary, ScanOptions{Workers: tc.workers})
			if err != nil {
				t.Fatal(err)
			}
			fs := readFindings(t, out.Bytes())
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.Post.ID)
			}
			if strings.Join(ids, ",") != strings.Join(wantIDs, ",") {
				t.Fatalf("findings for %v\nwant (input order) %v", ids, wantIDs)
			}
			s := summary.String()
			for _, want := range []string{"302 posts", fmt.Sprintf("%d findings", len(wantIDs)), "2 malformed lines",
				"findings by app: kik 31, wickr 31", filepath.Base(tc.file) + ":301: invalid JSON",
				filepath.Base(tc.file) + ":303: no text, title, selftext or body", "MB/s"} {
				if !strings.Contains(s, want) {
					t.Errorf("summary lacks %q:\n%s", want, s)
				}
			}
			outputs = append(outputs, out.String())
		})
	}
	for i := 1; i < len(outputs); i++ {
		if outputs[i] != outputs[0] {
			t.Fatalf("scan output %d differs from the first: order or content depends on workers or compression", i)
		}
	}
}

func writeCompressed(t *testing.T, path string, data []byte, kind string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch kind {
	case "gz":
		w := gzip.NewWriter(f)
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "zst":
		w, err := zstd.NewWriter(f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScanRedditDumps reads the real-format dumps, whose zstd frames ask
// for a 2 GiB window, and maps their fields onto posts.
func TestScanRedditDumps(t *testing.T) {
	e := repoEngine(t)
	var out, summary bytes.Buffer
	files := []string{"testdata/RS_derived_sample.ndjson.zst", "testdata/RC_derived_sample.ndjson.zst", "testdata/RS_derived_sample.ndjson"}
	if err := Scan(context.Background(), e, files, &out, &summary, ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary.String(), "scanned 3 file(s): 24 posts, 0 findings, 0 malformed lines") {
		t.Fatalf("summary:\n%s", summary.String())
	}
	if out.Len() != 0 {
		t.Fatalf("findings on ordinary Reddit posts:\n%s", out.String())
	}
	line, err := os.ReadFile("testdata/RS_derived_sample.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(line, []byte("\n"))
	p, err := DecodeScanLine(first, "RS_derived_sample.ndjson", 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != "reddit" || p.ID != "1skfwzg" || !strings.HasPrefix(p.Permalink, "https://www.reddit.com/r/comics/") ||
		p.Author == "" || p.CreatedAt.IsZero() || p.Text == "" || p.Validate() != nil {
		t.Fatalf("decoded %+v", p)
	}
}

func TestScanUnreadableFile(t *testing.T) {
	var out, summary bytes.Buffer
	err := Scan(context.Background(), repoEngine(t), []string{"testdata/does-not-exist.ndjson"}, &out, &summary, ScanOptions{})
	if err == nil || !strings.Contains(err.Error(), "does-not-exist.ndjson") {
		t.Fatalf("err = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.ndjson.zst")
	if err := os.WriteFile(bad, []byte("not zstd at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Scan(context.Background(), repoEngine(t), []string{bad}, &out, &summary, ScanOptions{}); err == nil {
		t.Fatal("a corrupt .zst scanned without error")
	}
}

func TestDecodeScanLine(t *testing.T) {
	cases := []struct {
		line    string
		id      string
		text    string
		created string
		err     string
	}{
		{`{"id":"a","text":"hi"}`, "a", "hi", "", ""},
		{`{"id":7,"body":"hi","created_utc":1764300000}`, "7", "hi", "2025-11-28T03:20:00Z", ""},
		{`{"id":"b","title":"t","selftext":"s","created_utc":"1764300000"}`, "b", "t\n\ns", "2025-11-28T03:20:00Z", ""},
		{`{"id":"c","text":"x","created_utc":1764300000.25}`, "c", "x", "2025-11-28T03:20:00.25Z", ""},
		{`{"id":"d","text":"x","created_at":"2026-11-28T10:00:00Z"}`, "d", "x", "2026-11-28T10:00:00Z", ""},
		{`{"text":"no id"}`, "f.ndjson:3", "no id", "", ""},
		{`{"id":"e","text":"x","created_utc":"yesterday"}`, "", "", "", "invalid JSON"},
		{`{"id":"e"}`, "", "", "", "no text"},
		{`[1,2]`, "", "", "", "invalid JSON"},
		{`{"id":{"x":1},"text":"x"}`, "", "", "", "invalid JSON"},
	}
	for _, tc := range cases {
		p, err := DecodeScanLine([]byte(tc.line), "f.ndjson", 3)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		created := ""
		if !p.CreatedAt.IsZero() {
			created = p.CreatedAt.Format(time.RFC3339Nano)
		}
		if p.ID != tc.id || p.Text != tc.text || created != tc.created || p.Validate() != nil {
			t.Errorf("%s: got id %q text %q created %q", tc.line, p.ID, p.Text, created)
		}
	}
}

func FuzzDecodeScanLine(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"hi"}`))
	f.Add([]byte(`{"id":7,"title":"t","selftext":"s","created_utc":"1764300000.5","subreddit":"x","permalink":"/r/x/"}`))
	f.Add([]byte(`{"id":"d","text":"x","created_at":"2026-11-28T10:00:00Z","links":["t.me/x"]}`))
	f.Add([]byte(`{"text":"\u0000\ud800"}`))
	e, err := LoadEngine("testdata/rules_small.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p, err := DecodeScanLine(line, "fuzz.ndjson", 1)
		if err != nil {
			return
		}
		if p.ID == "" || p.Source == "" || p.Text == "" {
			t.Fatalf("decoded a post without id, source or text: %+v", p)
		}
		if fd := e.Detect(p); fd != nil {
			if err := fd.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
