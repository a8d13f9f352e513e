package detector

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/handlewatch/handlewatch/internal/dump"
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
	upperGz := filepath.Join(t.TempDir(), "dump.NDJSON.GZ") // the same source name: dump
	zstd := plain + ".zstd"
	writeCompressed(t, upperGz, data, "gz")
	writeCompressed(t, zstd, data, "zst")

	var outputs []string
	for _, tc := range []struct {
		file    string
		workers int
	}{{plain, 1}, {plain, 4}, {gz, 2}, {zst, 3}, {upperGz, 2}, {zstd, 2}} {
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
	p, err := scanPost(string(first), &dump.Line{}, "RS_derived_sample.ndjson", 1)
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

func TestScanPost(t *testing.T) {
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
		p, err := scanPost(tc.line, &dump.Line{}, "f.ndjson", 3)
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

func FuzzScanPost(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"hi"}`))
	f.Add([]byte(`{"id":7,"title":"t","selftext":"s","created_utc":"1764300000.5","subreddit":"x","permalink":"/r/x/"}`))
	f.Add([]byte(`{"id":"d","text":"x","created_at":"2026-11-28T10:00:00Z","links":["t.me/x"]}`))
	f.Add([]byte(`{"text":"\u0000\ud800"}`))
	e, err := LoadEngine("testdata/rules_small.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p, err := scanPost(string(line), &dump.Line{}, "fuzz.ndjson", 1)
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

// TestScanOrderAcrossBatches cuts a dump into batches of a few lines so
// that workers finish out of order, and expects the output of one worker.
func TestScanOrderAcrossBatches(t *testing.T) {
	e := repoEngine(t)
	plain, wantIDs := scanFixture(t)
	var outputs []string
	for _, workers := range []int{1, 2, 8} {
		for _, batchBytes := range []int{512, 4096, 1 << 20} {
			s := newScanner(e, io.Discard, ScanOptions{Workers: workers})
			var out bytes.Buffer
			s.out = bufio.NewWriter(&out)
			s.batchBytes, s.maxLine = batchBytes, 1<<20
			sum, err := s.run(context.Background(), []string{plain})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range readFindings(t, out.Bytes()) {
				ids = append(ids, f.Post.ID)
			}
			if strings.Join(ids, ",") != strings.Join(wantIDs, ",") || sum.Posts != 302 || sum.Malformed != 2 {
				t.Fatalf("workers %d, batches of %d: findings %v (want %v), %d posts, %d malformed",
					workers, batchBytes, ids, wantIDs, sum.Posts, sum.Malformed)
			}
			outputs = append(outputs, stripDetectedAt(out.String()))
		}
	}
	for i := range outputs {
		if outputs[i] != outputs[0] {
			t.Fatalf("output %d differs from the first", i)
		}
	}
}

func stripDetectedAt(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, `"detected_at":`); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// TestScanMalformed: every bad line is reported once, by file and line
// number, in order, and nothing around it is lost: lines over the bound
// (ending mid-batch, spanning batches, last in the file), binary junk,
// HTML, invalid UTF-8 and JSON that is not an object.
func TestScanMalformed(t *testing.T) {
	e := repoEngine(t)
	ad := `{"id":"ad%d","text":"trading young collection, wickr: placeholder_%02d"}`
	var b strings.Builder
	lines := []string{
		fmt.Sprintf(ad, 1, 1),
		`{"id":"long1","text":"` + strings.Repeat("a", 3000) + `"}`, // over the bound
		fmt.Sprintf(ad, 2, 2),
		"\x00\x01\x02 binary",
		"<html><body>not json</body></html>",
		"{\"id\":\"bad-utf8\",\"text\":\"trading young collection, wickr: placeholder_03 \xff\xfe\"}", // decoded with U+FFFD
		`[{"id":"array"}]`,
		`{"id":"deep","text":"x","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		`{"id":"long2","text":"` + strings.Repeat("b", 9000) + `"}`, // spans several batches
		fmt.Sprintf(ad, 4, 4),
		`{"id":"long3","text":"` + strings.Repeat("c", 5000) + `"`, // last, no newline
	}
	b.WriteString(strings.Join(lines, "\n"))
	path := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newScanner(e, io.Discard, ScanOptions{Workers: 2})
	var out bytes.Buffer
	s.out = bufio.NewWriter(&out)
	s.batchBytes, s.maxLine = 1024, 2048
	sum, err := s.run(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range readFindings(t, out.Bytes()) {
		ids = append(ids, f.Post.ID)
	}
	if got := strings.Join(ids, ","); got != "ad1,ad2,bad-utf8,ad4" {
		t.Fatalf("findings %s; malformed %q", got, sum.Examples)
	}
	want := []string{"bad.ndjson:2: line longer than 2048 bytes", "bad.ndjson:4: invalid JSON", "bad.ndjson:5: invalid JSON",
		"bad.ndjson:7: invalid JSON", "bad.ndjson:9: line longer than 2048 bytes", "bad.ndjson:11: line longer than 2048 bytes"}
	if len(sum.Examples) != len(want) || sum.Malformed != int64(len(want)) {
		t.Fatalf("malformed %d: %q", sum.Malformed, sum.Examples)
	}
	for i, w := range want {
		if !strings.Contains(sum.Examples[i], "/"+w) {
			t.Errorf("malformed[%d] = %q, want %q…", i, sum.Examples[i], w)
		}
	}
	if sum.Posts != 5 {
		t.Errorf("posts = %d, want 5", sum.Posts)
	}
}

// TestScanProgress: silent when stderr is a pipe (as under a script);
// on a terminal the bar shows bytes, throughput, posts/s and the ETA.
func TestScanProgress(t *testing.T) {
	plain, _ := scanFixture(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := ScanFiles(context.Background(), repoEngine(t), []string{plain}, io.Discard, ScanOptions{Progress: w}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got, _ := io.ReadAll(r); len(got) != 0 {
		t.Fatalf("progress written to a pipe: %q", got)
	}

	var bar bytes.Buffer
	s := newScanner(repoEngine(t), io.Discard, ScanOptions{})
	s.progress, s.start = &bar, time.Now().Add(-2*time.Second)
	s.sum.Posts = 5000
	s.draw("dump.ndjson.zst", 250, 1000, 3_000_000, time.Now().Add(-time.Second))
	for _, want := range []string{"dump.ndjson.zst", "25%", "3.0 MB", "MB/s", "5000 posts", "posts/s", "ETA 3s"} {
		if !strings.Contains(bar.String(), want) {
			t.Errorf("bar %q lacks %q", bar.String(), want)
		}
	}
}
