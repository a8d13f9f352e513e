package detector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/internal/badinput"
	"github.com/handlewatch/handlewatch/internal/dump/dumptest"
)

// scanBadLines is how many lines go in each dump file of the bad-input
// scan, before the next file starts.
const scanBadLines = 1000

// scanValidEvery puts a line that must give a finding after every
// scanValidEvery-1 bad lines.
const scanValidEvery = 5

// scanBadHeapBound is what the bad-input scan may add to the heap: one
// long line at a time (the reader waits for the batches before it to be
// written), its buffer grown to scanMaxLine from the half it was copied
// from, the decoders of each file, and as much again that the collector
// has not yet reclaimed (the heap read counts garbage too, and the
// collector lets the heap grow to twice what was live). Measured: 260 to
// 300 MiB on 2 busy cores, whatever the number of payloads; before the
// read-ahead was bounded in bytes, over 350.
const scanBadHeapBound = 384 << 20

// lineAt is a line of the dumps: file, line number.
type lineAt struct {
	file string
	line int64
}

// TestScanBadInput scans 10,000 malformed payloads: bad lines in plain,
// .gz and .zst dumps among lines that must give findings, and bad dump
// files (corrupt, truncated, not compressed, bombs) each on its own. The
// scan finishes; every good line's finding comes out; each bad line is
// one warning with its file, line and exact uncompressed offset; each bad
// file is listed once among the failed files and every file after it is
// scanned; the heap stays bounded.
func TestScanBadInput(t *testing.T) {
	corpus := badinput.Corpus(badinput.Options{Seed: 20261207, N: 10_000, Huge: scanBadHuge,
		Kinds: []string{badinput.Line, badinput.Line, badinput.Line, badinput.Dump}})
	dir := t.TempDir()
	var files []string
	bad := map[lineAt]badinput.Payload{}
	offsets := map[lineAt]int64{}
	badFiles := map[string]badinput.Payload{}
	var valid []string

	type dumpFile struct {
		f      *os.File
		w      io.Writer
		done   func() error
		name   string
		line   int64
		offset int64
		lines  int
	}
	exts := []string{".ndjson", ".ndjson.gz", ".ndjson.zst"}
	var cur *dumpFile
	closeCur := func() {
		if err := cur.done(); err != nil {
			t.Fatal(err)
		}
		if err := cur.f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	openNext := func() {
		name := filepath.Join(dir, fmt.Sprintf("%04d-lines%s", len(files), exts[len(files)%len(exts)]))
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		cur = &dumpFile{f: f, w: f, done: func() error { return nil }, name: name}
		switch {
		case strings.HasSuffix(name, ".gz"):
			zw := gzip.NewWriter(f)
			cur.w, cur.done = zw, zw.Close
		case strings.HasSuffix(name, ".zst"):
			zw, _ := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1))
			cur.w, cur.done = zw, zw.Close
		}
		files = append(files, name)
	}
	writeLine := func(write func(io.Writer) (int64, error)) lineAt {
		n, err := write(cur.w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cur.w.Write([]byte("\n")); err != nil {
			t.Fatal(err)
		}
		cur.line++
		at := lineAt{cur.name, cur.line}
		offsets[at] = cur.offset
		cur.offset += n + 1
		return at
	}
	openNext()
	for _, p := range corpus {
		switch p.Kind {
		case badinput.Line:
			if cur.lines == scanBadLines {
				closeCur()
				openNext()
			}
			cur.lines++
			bad[writeLine(p.WriteTo)] = p
			if cur.lines%scanValidEvery == scanValidEvery-1 {
				id := fmt.Sprintf("v%d", badinput.ValidAfter(p))
				writeLine(func(w io.Writer) (int64, error) {
					n, err := fmt.Fprintf(w, `{"id":%q,"text":"trading young collection, wickr: placeholder_01"}`, id)
					return int64(n), err
				})
				valid = append(valid, id)
			}
		case badinput.Dump:
			name := filepath.Join(dir, fmt.Sprintf("%04d-dump-%05d%s", len(files), p.N, p.Ext()))
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.WriteTo(f); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
			badFiles[name] = p
		}
	}
	closeCur()

	e := repoEngine(t)
	core, logs := observer.New(zapcore.WarnLevel)
	var out strings.Builder
	var sum *ScanSummary
	var err error
	start := time.Now()
	peak := dumptest.Measure(func() {
		sum, err = ScanFiles(context.Background(), e, files, &out, ScanOptions{Workers: 2, Log: zap.New(core)})
	})
	t.Logf("%d files (%d bad), %d bad lines, %d good: %d posts, %d findings, %d malformed in %v; %v",
		len(files), len(badFiles), len(bad), len(valid), sum.Posts, sum.Findings, sum.Malformed, time.Since(start).Round(time.Millisecond), peak)

	// Every bad file failed once, by name, and every other file was read.
	if sum.Files+len(sum.Failed) != len(files) || len(sum.Failed) != len(badFiles) {
		t.Errorf("%d files read and %d failed of %d, want %d failed", sum.Files, len(sum.Failed), len(files), len(badFiles))
	}
	for _, f := range sum.Failed {
		name, _, _ := strings.Cut(f, ": ")
		name = strings.TrimPrefix(strings.TrimPrefix(name, "opening "), "reading ")
		if _, ok := badFiles[name]; !ok {
			t.Errorf("failed: %s, which is not a bad file", f)
		}
	}
	if err == nil {
		t.Error("a scan with failed files returned no error")
	}

	// One warning per bad line, at its file, line and offset.
	warned := map[lineAt]int{}
	for _, le := range logs.All() {
		f := le.ContextMap()
		at := lineAt{fmt.Sprint(f["file"]), f["line"].(int64)}
		if _, ok := badFiles[at.file]; ok {
			continue // garbage out of a corrupt stream: its lines are malformed too
		}
		warned[at]++
		if want, ok := offsets[at]; ok && f["offset"] != want {
			t.Errorf("%s:%d: offset %v, want %d", at.file, at.line, f["offset"], want)
		}
	}
	table := map[string]map[int]int{}
	for at, p := range bad {
		n := warned[at]
		delete(warned, at)
		if table[p.Class] == nil {
			table[p.Class] = map[int]int{}
		}
		table[p.Class][n]++
		if n > 1 || (n == 0 && mustBeMalformed(p.Class)) {
			t.Errorf("%s:%d: %v: %d warnings", at.file, at.line, p, n)
		}
	}
	for at, n := range warned {
		t.Errorf("%s:%d: %d warnings for a good line", at.file, at.line, n)
	}
	if os.Getenv("HW_BADINPUT_TABLE") != "" {
		t.Logf("warnings→lines by class: %v", table)
	}
	if int64(logs.Len()) != sum.Malformed {
		t.Errorf("%d warnings for %d malformed lines", logs.Len(), sum.Malformed)
	}

	// Every good line's finding, in order.
	found := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if i := strings.Index(l, `"id":"v`); i >= 0 {
			id, _, _ := strings.Cut(l[i+len(`"id":"`):], `"`)
			found[id] = true
		}
	}
	missing := 0
	for _, id := range valid {
		if !found[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d good lines gave no finding", missing, len(valid))
	}
	if peak.Heap > scanBadHeapBound {
		t.Errorf("%v: over %d MiB", peak, scanBadHeapBound>>20)
	}
}

// mustBeMalformed reports the classes of line no reading can take as a
// post; the others (invalid UTF-8, a field of the wrong type scan does
// not read) may be scanned.
func mustBeMalformed(class string) bool {
	switch class {
	case badinput.InvalidJSON, badinput.HTMLForJSON, badinput.DeepNesting, badinput.Truncated, badinput.NULBytes:
		return true
	}
	return false
}

// TestScanFailedFileOnce: a scan that meets a corrupt file goes on to the
// next; Scan's summary gives the file and why once, and its error names
// the file without repeating why, while still wrapping the file's error.
func TestScanFailedFileOnce(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "a-bad.ndjson.gz")
	good := filepath.Join(dir, "b-good.ndjson")
	if err := os.WriteFile(bad, []byte("not gzip\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(`{"id":"g1","text":"trading young collection, wickr: placeholder_01"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, summary strings.Builder
	err := Scan(context.Background(), repoEngine(t), []string{bad, good}, &out, &summary, ScanOptions{Workers: 1})
	if err == nil || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "gzip") {
		t.Errorf("err = %v, want the failed file named without the summary's reason again", err)
	}
	if strings.Count(summary.String(), bad) != 1 || !strings.Contains(summary.String(), "failed: ") {
		t.Errorf("summary does not name the failed file once:\n%s", summary.String())
	}
	if !strings.Contains(out.String(), `"g1"`) {
		t.Errorf("the file after the failed one was not scanned: %q", out.String())
	}
	_, err = ScanFiles(context.Background(), repoEngine(t), []string{bad, good}, io.Discard, ScanOptions{Workers: 1})
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("ScanFiles err = %v, want it to name %s", err, bad)
	}
}

// trickle reads at most n bytes at a time, as decompressors and pipes do.
type trickle struct {
	r io.Reader
	n int
}

func (t *trickle) Read(p []byte) (int, error) { return t.r.Read(p[:min(len(p), t.n)]) }

// TestScanLongLineInSmallReads: a 32 MiB line that arrives 256 bytes at a
// time is cut in time linear in its length. Searching the whole buffer for
// its last newline after each read was quadratic: some 2 TB of searching
// for this line, minutes where it now takes well under a second.
func TestScanLongLineInSmallReads(t *testing.T) {
	data := dumptest.LongLine(dumptest.GoodLines(3), 32<<20, 5, []byte(`{"id":"after","text":"after"}`+"\n"))
	s := newScanner(repoEngine(t), io.Discard, ScanOptions{Workers: 1})
	batches := make(chan *batch, 64)
	slots := make(chan struct{}, cap(batches))
	var n atomic.Int64
	var lines int64
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		defer close(batches)
		done <- s.readBatches(context.Background(), &trickle{r: bytes.NewReader(data), n: 256}, batches, slots, &n)
	}()
	for b := range batches {
		lines += int64(bytes.Count(b.data, []byte{'\n'}))
		for range b.slots {
			<-slots
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("%d MiB in 256-byte reads cut in %v", len(data)>>20, elapsed)
	if lines != 5 || n.Load() != int64(len(data)) {
		t.Errorf("%d lines, %d bytes read; want 5 lines, %d bytes", lines, n.Load(), len(data))
	}
	if elapsed > 20*time.Second {
		t.Errorf("%v to cut one long line: quadratic again?", elapsed)
	}
}
