package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// collected is what a stream emitted.
type collected struct {
	posts   []wire.Post
	cursors []string
	stopAt  int // emit fails after this many posts, when > 0
}

func (c *collected) emit(_ context.Context, p *wire.Post, cur string) error {
	if p != nil {
		if c.stopAt > 0 && len(c.posts) == c.stopAt {
			return errors.New("publisher down")
		}
		c.posts = append(c.posts, *p)
	}
	c.cursors = append(c.cursors, cur)
	return nil
}

func (c *collected) last() string { return c.cursors[len(c.cursors)-1] }

func newStreamer(t *testing.T, opts map[string]string) *Streamer {
	t.Helper()
	s, err := New(source.Config{Name: "dumps", Kind: "file", Targets: []string{"x"}, Options: opts}, source.Deps{Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func stream(t *testing.T, s *Streamer, glob, cursor string) (*collected, error) {
	t.Helper()
	c := &collected{}
	err := s.Stream(context.Background(), source.Target{Name: glob}, cursor, c.emit)
	return c, err
}

func TestGolden(t *testing.T) {
	s := newStreamer(t, nil)
	for _, name := range []string{"RS_derived_sample", "RC_derived_sample"} {
		t.Run(name, func(t *testing.T) {
			plain, err := stream(t, s, filepath.Join("testdata", name+".ndjson"), "")
			if err != nil {
				t.Fatal(err)
			}
			zst, err := stream(t, s, filepath.Join("testdata", name+".ndjson.zst"), "")
			if err != nil {
				t.Fatalf("zstd with a 2 GiB window: %v", err)
			}
			if len(plain.posts) != 8 {
				t.Fatalf("%d posts, want 8", len(plain.posts))
			}
			a, _ := json.MarshalIndent(plain.posts, "", "  ")
			b, _ := json.MarshalIndent(zst.posts, "", "  ")
			if !bytes.Equal(a, b) {
				t.Error("the .zst file gives other posts than the .ndjson")
			}
			for _, p := range plain.posts {
				if p.CreatedAt.IsZero() || !strings.HasPrefix(p.Permalink, "https://www.reddit.com/r/") || p.Author == "" {
					t.Errorf("post %s: %+v", p.ID, p)
				}
				for _, l := range p.Links {
					if source.IsMediaURL(l) {
						t.Errorf("%s: media link %s", p.ID, l)
					}
				}
			}
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, append(a, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(want)) {
				t.Errorf("posts differ from %s (run with -update after checking the change)", golden)
			}
		})
	}
}

func TestRedditIDs(t *testing.T) {
	s := newStreamer(t, nil)
	rs, _ := stream(t, s, "testdata/RS_derived_sample.ndjson", "")
	rc, _ := stream(t, s, "testdata/RC_derived_sample.ndjson", "")
	if !strings.HasPrefix(rs.posts[0].ID, "t3_") || !strings.HasPrefix(rc.posts[0].ID, "t1_") {
		t.Errorf("ids %s, %s: want t3_ and t1_ fullnames", rs.posts[0].ID, rc.posts[0].ID)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLinesOfEveryShape(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("long line text ", 10000) // 150 KB, beyond bufio.Scanner's 64 KiB
	lines := []string{
		`{"id":"g1","text":"generic line, wickr: placeholder_01","created_at":"2026-01-02T03:04:05Z"}`,
		`{"id":2,"text":"numeric id","url":"https://forum.example/t/2"}`,
		`{"id":"abc","subreddit":"x","title":"string time","selftext":"[removed]","created_utc":"1420070400","permalink":"/r/x/comments/abc/t/","url":"https://i.redd.it/pic.jpeg","is_self":false}`,
		`{"id":"def","subreddit":"x","body":"float time","link_id":"t3_abc","created_utc":1420070400.5,"permalink":"/r/x/comments/abc/t/def/"}`,
		`{"id":"ghi","subreddit":"x","title":"link post","created_utc":1420070400,"url":"https://news.example/story","is_self":false,"permalink":"/r/x/comments/ghi/t/"}`,
		`this is not json`,
		`{"text":"no id"}`,
		`{"id":"trunc","text":"cut off`,
		"",
		`{"id":"long","text":"` + long + `"}`,
		`{"id":"bad-utf8","text":"bad ` + "\xff\xfe" + ` bytes"}`,
		`{"id":"last","text":"no newline at the end"}`,
	}
	path := writeFile(t, dir, "mixed.jsonl", []byte(strings.Join(lines, "\n")))

	core, logs := observer.New(zap.WarnLevel)
	s, _ := New(source.Config{Name: "dumps", Targets: []string{path}}, source.Deps{Log: zap.New(core)})
	c := &collected{}
	if err := s.Stream(context.Background(), source.Target{Name: path}, "", c.emit); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.posts {
		got = append(got, p.ID)
	}
	if want := "g1,2,t3_abc,t1_def,t3_ghi,long,bad-utf8,last"; strings.Join(got, ",") != want {
		t.Fatalf("ids %s, want %s", strings.Join(got, ","), want)
	}
	byID := map[string]wire.Post{}
	for _, p := range c.posts {
		byID[p.ID] = p
	}
	if p := byID["t3_abc"]; !p.CreatedAt.Equal(time.Unix(1420070400, 0)) || p.Attachments != 1 || len(p.Links) != 0 || p.Text != "string time" {
		t.Errorf("string created_utc, media url: %+v", p)
	}
	if p := byID["t1_def"]; !p.CreatedAt.Equal(time.Unix(1420070400, 5e8)) || p.Permalink != "https://www.reddit.com/r/x/comments/abc/t/def/" {
		t.Errorf("float created_utc: %+v", p)
	}
	if p := byID["t3_ghi"]; len(p.Links) != 1 || p.Links[0] != "https://news.example/story" {
		t.Errorf("link post: %+v", p)
	}
	if p := byID["2"]; p.Permalink != "https://forum.example/t/2" {
		t.Errorf("generic url: %+v", p)
	}
	if p := byID["long"]; len(p.Text) != len(strings.TrimSpace(long)) {
		t.Errorf("long line text has %d bytes", len(p.Text))
	}
	if logs.Len() != 3 {
		t.Errorf("%d warnings, want 3 (not json, no id, cut off)", logs.Len())
	}
	for _, e := range logs.All() {
		f := e.ContextMap()
		if f["file"] != path || f["line"] == nil {
			t.Errorf("warning without file:line: %v", f)
		}
	}
	var end Cursor
	json.Unmarshal([]byte(c.last()), &end)
	info, _ := os.Stat(path)
	if end.File != path || end.Offset != info.Size() || end.Line != int64(len(lines)) || !end.Done {
		t.Errorf("final cursor %+v (size %d)", end, info.Size())
	}
}

func TestLineTooLongSkipped(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "big.ndjson", []byte(`{"id":"a","text":"x"}`+"\n"+`{"id":"b","text":"`+strings.Repeat("y", 100<<10)+`"}`+"\n"+`{"id":"c","text":"z"}`+"\n"))
	s := newStreamer(t, map[string]string{"max_line_bytes": "65536"})
	c, err := stream(t, s, path, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.posts) != 2 || c.posts[1].ID != "c" {
		t.Errorf("posts %+v", c.posts)
	}
}

func TestResumeFromCursor(t *testing.T) {
	dir := t.TempDir()
	var all []string
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := 0; i < 10; i++ {
		line := fmt.Sprintf(`{"id":"p%02d","text":"post %d"}`, i, i)
		all = append(all, line)
		fmt.Fprintln(zw, line)
	}
	zw.Close()
	writeFile(t, dir, "a.ndjson", []byte(strings.Join(all[:5], "\n")+"\n"))
	writeFile(t, dir, "b.ndjson.gz", gz.Bytes())
	glob := filepath.Join(dir, "*")
	s := newStreamer(t, nil)

	// The first session stops after 7 posts: the publisher went away.
	c := &collected{stopAt: 7}
	err := s.Stream(context.Background(), source.Target{Name: glob}, "", c.emit)
	if err == nil {
		t.Fatal("want the emit error")
	}
	if len(c.posts) != 7 {
		t.Fatalf("%d posts before the stop", len(c.posts))
	}
	// The cursor of the 7th post resumes after it: 5 from a, 2 from b.
	resumed, err := stream(t, s, glob, c.last())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range append(c.posts, resumed.posts...) {
		ids = append(ids, p.ID)
	}
	want := "p00,p01,p02,p03,p04,p00,p01,p02,p03,p04,p05,p06,p07,p08,p09"
	if strings.Join(ids, ",") != want {
		t.Errorf("ids %s\nwant %s (no repeat, nothing skipped)", strings.Join(ids, ","), want)
	}
	// A finished compressed file is not read again; a plain one is
	// re-read from its offset and yields only what was appended.
	again, err := stream(t, s, glob, resumed.last())
	if err != nil || len(again.posts) != 0 {
		t.Fatalf("a finished replay: %d posts, %v", len(again.posts), err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, "a.ndjson"), os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintln(f, `{"id":"p99","text":"appended"}`)
	f.Close()
	var c2 Cursor
	json.Unmarshal([]byte(resumed.last()), &c2)
	grown, err := stream(t, s, filepath.Join(dir, "a.ndjson"), Cursor{File: filepath.Join(dir, "a.ndjson"), Offset: int64(len(strings.Join(all[:5], "\n")) + 1), Line: 5, Done: true}.String())
	if err != nil || len(grown.posts) != 1 || grown.posts[0].ID != "p99" {
		t.Errorf("appended line: %+v, %v", grown.posts, err)
	}
}

// TestBrokenCompressedFiles: a truncated or corrupt compressed file is
// read up to the damage, logged once with its file, line and offset,
// marked done, and the next file is read: retrying would meet the same
// bytes.
func TestBrokenCompressedFiles(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(zw, `{"id":"p%d","text":"post %d"}`+"\n", i, i)
	}
	zw.Close()
	zst, _ := os.ReadFile("testdata/RS_derived_sample.ndjson.zst")
	for _, tc := range []struct {
		name string
		data []byte
		some bool // posts come before the damage
	}{
		{"a-cut.ndjson.gz", gz.Bytes()[:gz.Len()/2], true},
		{"a-cut.ndjson.zst", zst[:len(zst)/2], false}, // one block: nothing before the cut
		{"a-header.ndjson.gz", []byte("this is not gzip at all\n"), false},
		{"a-header.ndjson.zst", []byte("nor is this zstd\n"), false},
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
			c, err := stream(t, s, filepath.Join(dir, "*"), "")
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			if n := len(c.posts); n == 0 || c.posts[n-1].ID != "next" || (tc.some && n < 2) {
				t.Fatalf("%d posts, want those before the damage and the next file's", n)
			}
			entries := logs.FilterMessage("skipping the rest of a corrupt compressed file").All()
			if len(entries) != 1 || logs.Len() != 1 {
				t.Fatalf("%d log entries (%d about the damage), want one", logs.Len(), len(entries))
			}
			if f := entries[0].ContextMap(); f["file"] != path || f["line"] != int64(len(c.posts)) || f["offset"] == nil {
				t.Errorf("logged %v", f)
			}
		})
	}
	if _, err := stream(t, newStreamer(t, nil), filepath.Join(t.TempDir(), "nothing-*.ndjson"), ""); err == nil {
		t.Error("a glob matching nothing must be an error")
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		sc   source.Config
		want string
	}{
		{source.Config{Targets: []string{"a["}}, "targets[0]"},
		{source.Config{Targets: []string{"a"}, Options: map[string]string{"max_line_bytes": "10"}}, "options.max_line_bytes"},
		{source.Config{Targets: []string{"a"}, Options: map[string]string{"speed": "fast"}}, "options.speed: unknown option"},
	} {
		if _, err := New(tc.sc, source.Deps{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}

func FuzzDecodeLine(f *testing.F) {
	data, _ := os.ReadFile("testdata/RS_derived_sample.ndjson")
	for _, l := range bytes.Split(data, []byte("\n"))[:2] {
		f.Add(l)
	}
	f.Add([]byte(`{"id":1e400,"created_utc":"-1"}`))
	f.Add([]byte(`{"id":"x","text":null,"created_utc":[1]}`))
	f.Add([]byte(`{"name":"t3_x","media_metadata":{"a":{}},"url":"data:image/png;base64,AA"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		p, err := DecodeLine(line, DefaultPermalinkBase)
		if err != nil {
			return
		}
		if p.ID == "" {
			t.Fatal("post without id")
		}
		if p.Attachments < 0 {
			t.Fatal("negative attachments")
		}
		for _, l := range p.Links {
			if source.IsMediaURL(l) {
				t.Fatalf("media link %q", l)
			}
		}
	})
}

func BenchmarkStream(b *testing.B) {
	data, err := os.ReadFile("testdata/RS_derived_sample.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "rs.ndjson")
	os.WriteFile(path, bytes.Repeat(data, 50), 0o644)
	s, _ := New(source.Config{Name: "bench", Targets: []string{path}}, source.Deps{})
	emit := func(context.Context, *wire.Post, string) error { return nil }
	b.SetBytes(int64(len(data) * 50))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Stream(context.Background(), source.Target{Name: path}, "", emit); err != nil {
			b.Fatal(err)
		}
	}
}
