package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/internal/badinput"
	"github.com/handlewatch/handlewatch/internal/dump/dumptest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// jetSite is a Jetstream server that sends its queue, one message per
// item, across however many connections the client needs, and records
// which item each message of each connection was.
type jetSite struct {
	t     *testing.T
	mu    sync.Mutex
	queue []badItem
	next  int
	conns [][]badItem // conns[c][m-1]: the item sent as message m of connection c
}

func (s *jetSite) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.t.Errorf("accept: %v", err)
		return
	}
	defer conn.CloseNow()
	s.mu.Lock()
	c := len(s.conns)
	s.conns = append(s.conns, nil)
	s.mu.Unlock()
	ctx := r.Context()
	for {
		s.mu.Lock()
		if s.next == len(s.queue) {
			s.mu.Unlock()
			<-ctx.Done() // all sent: idle until the client goes
			return
		}
		it := s.queue[s.next]
		s.next++
		s.conns[c] = append(s.conns[c], it)
		s.mu.Unlock()
		wr, err := conn.Writer(ctx, websocket.MessageText)
		if err != nil {
			return
		}
		if it.bad != nil {
			it.bad.WriteTo(wr)
		} else {
			badinput.Valid(wr, badinput.Jetstream, it.valid)
		}
		if err := wr.Close(); err != nil {
			return // the client closed on a message over its read limit
		}
	}
}

// TestBadInputJetstream streams the Jetstream share of the corpus to the
// Bluesky adapter over a loopback websocket, valid posts among them: every
// valid post arrives, and each bad message is one warning naming the
// source, the connection's url and the message's number (a message over
// the read limit ends the connection, and the reconnect warning names it).
func TestBadInputJetstream(t *testing.T) {
	s := &jetSite{t: t}
	var valid []int
	for _, p := range badCorpus() {
		if p.Kind != badinput.Jetstream {
			continue
		}
		s.queue = append(s.queue, badItem{bad: &p})
		if len(s.queue)%validEvery == validEvery-1 {
			n := badinput.ValidAfter(p)
			s.queue = append(s.queue, badItem{valid: n})
			valid = append(valid, n)
		}
	}
	// A last valid post: once it is published, every message before it
	// was read (one connection reads in order), and the window can end.
	last := badinput.ValidAfter(badinput.Payload{N: badInputTotal}) // after every payload
	s.queue = append(s.queue, badItem{valid: last})
	valid = append(valid, last)
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.OnceStreamTimeout = time.Minute // a bound; the last post ends the window
	core, logs := observer.New(zapcore.InfoLevel)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := &collector{failOn: func(p *wire.Post) error {
		if strings.Contains(p.Text, badinput.Marker(last)) {
			cancel()
		}
		return nil
	}}
	sc := SourceConfig{Name: "bad-jetstream", Kind: "bluesky", BaseURL: srv.URL, Targets: []string{"jetstream"}}
	c, err := New(cfg, []SourceConfig{sc}, Deps{Log: zap.New(core), Seen: state.NewMemory(), Cursors: state.NewMemory(), Publisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	peak := dumptest.Measure(func() {
		if err := c.Once(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("once: %v", err)
		}
	})
	if ctx.Err() == nil {
		t.Errorf("the last post never arrived in %v", cfg.OnceStreamTimeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Logf("%d messages over %d connections: %v", s.next, len(s.conns), peak)
	if s.next != len(s.queue) {
		t.Fatalf("%d of %d messages sent in the window", s.next, len(s.queue))
	}
	// Which message each warning names.
	warned := map[[2]int]int{}
	conn := -1
	for _, e := range logs.All() {
		f := e.ContextMap()
		switch {
		case e.Message == "jetstream connected":
			conn++
		case e.Level < zapcore.WarnLevel:
		case f["source"] != sc.Name:
			t.Errorf("warning without its source: %s %v", e.Message, f)
		case e.Message == "jetstream event skipped":
			m, _ := f["message"].(int64)
			if f["url"] == nil || m == 0 {
				t.Errorf("skipped event without url and message number: %v", f)
			}
			warned[[2]int{conn, int(m)}]++
		case e.Message == "jetstream disconnected, reconnecting":
			var m int
			if _, err := fmt.Sscanf(after(fmt.Sprint(f["error"]), "reading jetstream message "), "%d", &m); err != nil {
				t.Errorf("disconnect without the message number: %v", f)
			}
			warned[[2]int{conn, m}]++
		default:
			t.Errorf("unexpected warning %s %v", e.Message, f)
		}
	}
	table := map[string]map[int]int{}
	for ci, items := range s.conns {
		for mi, it := range items {
			n := warned[[2]int{ci, mi + 1}]
			delete(warned, [2]int{ci, mi + 1})
			if it.bad == nil {
				if n != 0 {
					t.Errorf("connection %d message %d: valid post %d warned %d times", ci, mi+1, it.valid, n)
				}
				continue
			}
			key := it.bad.Class
			if table[key] == nil {
				table[key] = map[int]int{}
			}
			table[key][n]++
			if n > 1 || (n == 0 && mustWarn(it.bad)) {
				t.Errorf("connection %d message %d: %v: %d warnings", ci, mi+1, it.bad, n)
			}
		}
	}
	for at, n := range warned {
		t.Errorf("%d warnings for connection %d message %d, which was never sent", n, at[0], at[1])
	}
	if os.Getenv("HW_BADINPUT_TABLE") != "" {
		t.Logf("warnings→payloads by class: %v", table)
	}
	checkPosts(t, pub, valid)
	if peak.Heap > 256<<20 {
		t.Errorf("%v: over 256 MiB", peak)
	}
}

func after(s, prefix string) string {
	if i := strings.Index(s, prefix); i >= 0 {
		return s[i+len(prefix):]
	}
	return ""
}

// checkPosts: every valid post arrived, and nothing published carries a
// NUL or invalid UTF-8.
func checkPosts(t *testing.T, pub *collector, valid []int) {
	t.Helper()
	pub.mu.Lock()
	defer pub.mu.Unlock()
	got := map[string]bool{}
	for _, p := range pub.posts {
		if strings.Contains(p.Text, "\x00") || !utf8.ValidString(p.Text) {
			t.Errorf("post %s/%s published with NUL or invalid UTF-8: %.80q", p.Source, p.ID, p.Text)
		}
		for _, m := range markerRE.FindAllString(p.Text, -1) {
			got[m] = true
		}
	}
	missing := 0
	for _, n := range valid {
		if !got[badinput.Marker(n)] {
			if missing < 10 {
				t.Errorf("valid post %s never arrived", badinput.Marker(n))
			}
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d valid posts missing", missing, len(valid))
	}
}

// badLine is where a line of the dumps is: file and line number.
type badLine struct {
	file string
	line int64
}

// TestBadInputDumps writes the dump-line share of the corpus into plain,
// .gz and .zst dumps among valid lines, and each dump-file payload (corrupt,
// truncated, bombs) as a file of its own, and replays them all with the
// file adapter: every valid line arrives, each bad line is one warning
// naming its file and line (with its offset), each bad file one line
// naming the file, and every file after a bad one is read.
func TestBadInputDumps(t *testing.T) {
	dir := t.TempDir()
	var valid []int
	want := map[badLine]*badinput.Payload{} // bad lines and files (line 0)
	type dumpFile struct {
		f    *os.File
		w    interface{ Write([]byte) (int, error) }
		done func() error
		name string
		line int64
	}
	open := func(i int, ext string) *dumpFile {
		name := filepath.Join(dir, fmt.Sprintf("%03d-lines%s", i, ext))
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		d := &dumpFile{f: f, w: f, done: func() error { return nil }, name: name}
		switch ext {
		case ".ndjson.gz":
			zw := gzip.NewWriter(f)
			d.w, d.done = zw, zw.Close
		case ".ndjson.zst":
			zw, _ := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1))
			d.w, d.done = zw, zw.Close
		}
		return d
	}
	closeFile := func(d *dumpFile) {
		if err := d.done(); err != nil {
			t.Fatal(err)
		}
		if err := d.f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	exts := []string{".ndjson", ".ndjson.gz", ".ndjson.zst"}
	files, perFile := 0, 400
	cur := open(files, exts[0])
	lines := 0
	for _, p := range badCorpus() {
		switch p.Kind {
		case badinput.Line:
			if lines > 0 && lines%perFile == 0 {
				closeFile(cur)
				files++
				cur = open(files, exts[files%len(exts)])
			}
			lines++
			if _, err := p.WriteTo(cur.w); err != nil {
				t.Fatal(err)
			}
			cur.w.Write([]byte("\n"))
			cur.line++
			want[badLine{cur.name, cur.line}] = &p
			if lines%validEvery == validEvery-1 {
				n := badinput.ValidAfter(p)
				badinput.Valid(cur.w, badinput.Line, n)
				cur.w.Write([]byte("\n"))
				cur.line++
				valid = append(valid, n)
			}
		case badinput.Dump:
			name := filepath.Join(dir, fmt.Sprintf("%03d-dump-%05d%s", files, p.N, p.Ext()))
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.WriteTo(f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			want[badLine{name, 0}] = &p
		}
	}
	closeFile(cur)

	cfg := testConfig()
	core, logs := observer.New(zapcore.InfoLevel)
	pub := &collector{}
	sc := SourceConfig{Name: "bad-dumps", Kind: "file", Targets: []string{filepath.Join(dir, "*")},
		Options: map[string]string{"max_line_bytes": fmt.Sprint(16 << 20)}}
	c, err := New(cfg, []SourceConfig{sc}, Deps{Log: zap.New(core), Seen: state.NewMemory(), Cursors: state.NewMemory(), Publisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	peak := dumptest.Measure(func() {
		if err := c.Once(context.Background()); err != nil {
			t.Errorf("once: %v", err)
		}
	})
	t.Logf("%d dump files, %d bad lines and files, %d valid lines in %v: %v", files+1, len(want), len(valid), time.Since(start).Round(time.Millisecond), peak)
	warned := map[badLine]int{}
	for _, e := range logs.All() {
		if e.Level < zapcore.WarnLevel {
			continue
		}
		f := e.ContextMap()
		file, _ := f["file"].(string)
		line, _ := f["line"].(int64)
		if f["source"] != sc.Name || file == "" {
			t.Errorf("warning without its source and file: %s %v", e.Message, f)
			continue
		}
		if _, ok := f["offset"]; !ok {
			t.Errorf("warning without its offset: %s %v", e.Message, f)
		}
		if strings.Contains(file, "-dump-") {
			// A bad dump file is one line saying where the rest of it was
			// skipped; a corrupt stream may also yield garbage lines first,
			// each its own warning.
			if strings.HasPrefix(e.Message, "skipping the rest of a ") {
				warned[badLine{file, 0}]++
			} else if e.Message != "skipping line" {
				t.Errorf("%s: unexpected warning %s %v", file, e.Message, f)
			}
			continue
		}
		warned[badLine{file, line}]++
	}
	table := map[string]map[int]int{}
	for at, p := range want {
		n := warned[at]
		delete(warned, at)
		key := p.Kind + "/" + p.Class
		if table[key] == nil {
			table[key] = map[int]int{}
		}
		table[key][n]++
		if n > 1 || (n == 0 && (p.Kind == badinput.Dump || mustWarn(p))) {
			t.Errorf("%s:%d: %v: %d warnings", at.file, at.line, p, n)
		}
	}
	for at, n := range warned {
		t.Errorf("%s:%d: %d warnings for a line that is not bad", at.file, at.line, n)
	}
	if os.Getenv("HW_BADINPUT_TABLE") != "" {
		t.Logf("warnings→payloads: %v", table)
	}
	checkPosts(t, pub, valid)
	if peak.Heap > 256<<20 {
		t.Errorf("%v: over 256 MiB", peak)
	}
}
