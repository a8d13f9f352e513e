package file

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/dump/dumptest"
)

// TestDecompressionBombsSkipped: a small dump that expands to gigabytes,
// or a zstd frame claiming a window over the limit, gives the posts before
// the bomb, one error naming the file, line and offsets, and a cursor
// marking the file done, so that a restart does not meet it again; the
// next file of the target is read; the heap stays bounded.
func TestDecompressionBombsSkipped(t *testing.T) {
	const good = 100
	lines := dumptest.GoodLines(good)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"a-zeros.ndjson.gz", dumptest.GzipBomb(lines, 4<<30)},
		{"a-zeros.ndjson.zst", dumptest.ZstdBomb(lines, 4<<30)},
		{"a-window.ndjson.zst", dumptest.ZstdWindowBomb(lines, 32, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, tc.name, tc.data)
			writeFile(t, dir, "b-next.ndjson", []byte(`{"id":"next","text":"the next file"}`+"\n"))
			core, logs := observer.New(zapcore.InfoLevel)
			s, err := New(source.Config{Name: "dumps", Kind: "file", Targets: []string{"x"}}, source.Deps{Log: zap.New(core)})
			if err != nil {
				t.Fatal(err)
			}
			c := &collected{}
			peak := dumptest.Measure(func() {
				err = s.Stream(context.Background(), source.Target{Name: filepath.Join(dir, "*")}, "", c.emit)
			})
			t.Logf("%d bytes on disk, expands to 4 GiB: %v", len(tc.data), peak)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.posts) != good+1 || c.posts[good].ID != "next" {
				t.Fatalf("%d posts, want the %d before the bomb and the next file's", len(c.posts), good)
			}
			entries := logs.FilterMessage("skipping the rest of a compressed file").All()
			if len(entries) != 1 || logs.Len() != 1 {
				t.Fatalf("%d log entries (%d about the bomb), want one", logs.Len(), len(entries))
			}
			f := entries[0].ContextMap()
			if f["file"] != path || f["line"] != int64(good+1) || f["offset"] != int64(len(lines)) ||
				!strings.Contains(f["error"].(string), "decompressed byte") {
				t.Errorf("logged %v", f)
			}
			// A restart from the bomb's cursor reads only the next file.
			var bombCursor string
			for _, cur := range c.cursors {
				var k Cursor
				if err := json.Unmarshal([]byte(cur), &k); err != nil {
					t.Fatal(err)
				}
				if k.File == path {
					bombCursor = cur
				}
			}
			again := &collected{}
			if err := s.Stream(context.Background(), source.Target{Name: filepath.Join(dir, "*")}, bombCursor, again.emit); err != nil {
				t.Fatal(err)
			}
			if len(again.posts) != 1 || logs.Len() != 1 {
				t.Errorf("restart from %s: %d posts, %d log entries; want the next file's post and no new entry", bombCursor, len(again.posts), logs.Len())
			}
			if peak.Heap > 128<<20 {
				t.Errorf("%v: over 128 MiB", peak)
			}
		})
	}
}

// TestLineFarOverCapSkipped: a line 64 times max_line_bytes in a .gz is
// skipped with one warning giving file, line and offset; the lines before
// and after it are read, and the heap holds a few caps.
func TestLineFarOverCapSkipped(t *testing.T) {
	const good, maxLine = 100, 64 << 10
	lines := dumptest.GoodLines(good)
	plain := dumptest.LongLine(lines, 64*maxLine, 7, []byte(`{"id":"after","text":"after the long line"}`+"\n"))
	path := writeFile(t, t.TempDir(), "long.ndjson.gz", dumptest.Gzip(plain))
	core, logs := observer.New(zapcore.InfoLevel)
	s, err := New(source.Config{Name: "dumps", Kind: "file", Targets: []string{"x"}, Options: map[string]string{"max_line_bytes": "65536"}},
		source.Deps{Log: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	c := &collected{}
	peak := dumptest.Measure(func() { err = s.Stream(context.Background(), source.Target{Name: path}, "", c.emit) })
	t.Logf("a %d MiB line under a 64 KiB cap: %v", 64*maxLine>>20, peak)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.posts) != good+1 || c.posts[good].ID != "after" {
		t.Fatalf("%d posts", len(c.posts))
	}
	if logs.Len() != 1 {
		t.Fatalf("%d log entries, want one", logs.Len())
	}
	f := logs.All()[0].ContextMap()
	if f["file"] != path || f["line"] != int64(good+1) || f["offset"] != int64(len(lines)) {
		t.Errorf("logged %v", f)
	}
	if peak.Heap > 8<<20 {
		t.Errorf("%v: over 8 MiB", peak)
	}
	_ = os.Remove(path)
}
