package detector

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/dump/dumptest"
)

// scanHeapBound is what scanning a hostile file may add to the heap: the
// batch of a line growing to scanMaxLine (64 MiB, doubling) plus the
// decoders, whatever the file expands to.
const scanHeapBound = 256 << 20

// bombSize is what the bombs expand to: far past the 64 MiB from which
// the 200:1 ratio is enforced, and small enough that the whole file can
// be read under the race detector in CI.
const bombSize = 256 << 20

// TestScanDecompressionBombs: a small file that expands to gigabytes, or
// a zstd frame claiming a window over the limit, ends the scan with an
// error naming the file, the line and the offsets; the 100 good lines
// before the bomb are scanned, and the heap stays bounded.
func TestScanDecompressionBombs(t *testing.T) {
	if raceEnabled {
		// internal/dump's and crawler/file's bomb tests hold the limits
		// under the race detector; this one reads the whole expansion.
		t.Skip("reading 256 MiB through scan takes minutes under the race detector; run without -race")
	}
	e := repoEngine(t)
	const good = 100
	lines := dumptest.GoodLines(good)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"zeros.ndjson.gz", dumptest.GzipBomb(lines, bombSize)},
		{"zeros.ndjson.zst", dumptest.ZstdBomb(lines, bombSize)},
		{"window.ndjson.zst", dumptest.ZstdWindowBomb(lines, 32, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			var sum *ScanSummary
			var err error
			peak := dumptest.Measure(func() {
				sum, err = ScanFiles(context.Background(), e, []string{path}, io.Discard, ScanOptions{Workers: 2})
			})
			t.Logf("%d bytes on disk, expands to %d MiB: %v; %v", len(tc.data), bombSize>>20, peak, err)
			if !errors.Is(err, dump.ErrDecompressionBomb) {
				t.Fatalf("err = %v, want a decompression bomb", err)
			}
			for _, want := range []string{path, "line 101", "decompressed byte", "compressed byte"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not give %q", err, want)
				}
			}
			if sum.Posts != good {
				t.Errorf("%d posts scanned before the bomb, want %d", sum.Posts, good)
			}
			if peak.Heap > scanHeapBound {
				t.Errorf("%v: over %d MiB", peak, scanHeapBound>>20)
			}
		})
	}
}

// TestScanLineFarOverCap: a line 16 times the cap, in a plain and a
// compressed file, is counted malformed by file and line and skipped; the
// lines before and after it are scanned, and the heap holds a few caps.
func TestScanLineFarOverCap(t *testing.T) {
	e := repoEngine(t)
	const good, maxLine = 100, 1 << 20
	plain := dumptest.LongLine(dumptest.GoodLines(good), 16*maxLine, 11, []byte(`{"id":"after","text":"after the long line"}`+"\n"))
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"long.ndjson", plain},
		{"long.ndjson.gz", dumptest.Gzip(plain)},
		{"long.ndjson.zst", dumptest.Zstd(plain)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s := newScanner(e, io.Discard, ScanOptions{Workers: 2})
			s.maxLine = maxLine
			var sum *ScanSummary
			var err error
			peak := dumptest.Measure(func() { sum, err = s.run(context.Background(), []string{path}) })
			t.Logf("%d bytes on disk, a %d MiB line: %v", len(tc.data), 16*maxLine>>20, peak)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Posts != good+1 || sum.Malformed != 1 {
				t.Fatalf("%d posts, %d malformed; want %d and 1", sum.Posts, sum.Malformed, good+1)
			}
			if want := path + ":101: line longer than 1 MiB"; len(sum.Examples) != 1 || sum.Examples[0] != want {
				t.Errorf("examples %q, want [%q]", sum.Examples, want)
			}
			if peak.Heap > 16*maxLine {
				t.Errorf("%v: over 16 MiB", peak)
			}
		})
	}
}
