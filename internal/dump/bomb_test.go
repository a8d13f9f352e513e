package dump_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/dump/dumptest"
)

// readAllLines reads r to its end or its first error with ReadLine under a
// 1 MiB cap, counting the lines it returned whole.
func readAllLines(t *testing.T, data []byte, name string) (lines int, err error) {
	t.Helper()
	r, closeR, err := dump.NewReader(bytes.NewReader(data), name)
	if err != nil {
		return 0, err
	}
	defer closeR()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		_, n, err := dump.ReadLine(br, 1<<20)
		switch {
		case n == 0 && errors.Is(err, io.EOF):
			return lines, nil
		case errors.Is(err, dump.ErrLineTooLong):
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return lines, err
		}
		lines++
	}
}

// TestBombsRefused: each bomb reads to a decompression-bomb error with its
// offsets, after the good lines before it, within a bounded heap.
func TestBombsRefused(t *testing.T) {
	const good = 100
	lines := dumptest.GoodLines(good)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"zeros.ndjson.gz", dumptest.GzipBomb(lines, 4<<30), "over 200:1"},
		{"zeros.ndjson.zst", dumptest.ZstdBomb(lines, 4<<30), "over 200:1"},
		{"window-4g.ndjson.zst", dumptest.ZstdWindowBomb(lines, 32, 0), "window"},
		{"window-2.25g.ndjson.zst", dumptest.ZstdWindowBomb(lines, 31, 1), "window"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			var err error
			peak := dumptest.Measure(func() { n, err = readAllLines(t, tc.data, tc.name) })
			t.Logf("%d bytes on disk: %v; %v", len(tc.data), peak, err)
			if !errors.Is(err, dump.ErrDecompressionBomb) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "decompressed byte") || !strings.Contains(err.Error(), "compressed byte") {
				t.Fatalf("got %v, want a decompression bomb error (%q) with offsets", err, tc.want)
			}
			if n != good {
				t.Errorf("%d good lines read before the bomb, want %d", n, good)
			}
			if peak.Heap > 128<<20 {
				t.Errorf("%v: over 128 MiB", peak)
			}
		})
	}
}

// TestZstdLargestWindow: a tiny frame claiming the largest window accepted
// (2 GiB, the Reddit dumps' --long=31, which small per-subreddit dumps
// claim too) decodes. The decoder allocates the claimed window up front
// (measured: +2 GiB heap, and up to +2 GiB resident on a process's first
// such frame), so ZstdMaxWindow is the memory bound of a zstd file; this
// holds it to that bound.
func TestZstdLargestWindow(t *testing.T) {
	data := dumptest.ZstdWindowBomb(dumptest.GoodLines(10), 31, 0)
	var n int
	var err error
	peak := dumptest.Measure(func() { n, err = readAllLines(t, data, "window-2g.ndjson.zst") })
	t.Logf("%d bytes on disk: %v", len(data), peak)
	if err != nil || n != 11 {
		t.Fatalf("%d lines, %v; want 11 lines", n, err)
	}
	if peak.Heap > dump.ZstdMaxWindow+64<<20 {
		t.Errorf("%v: over the 2 GiB window and 64 MiB", peak)
	}
}
