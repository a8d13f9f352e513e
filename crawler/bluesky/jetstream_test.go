package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// replayServer is a Jetstream stand-in: each connection replays the
// fixture's events whose time_us is at least the cursor parameter, in
// the recorded order, then (per the plan for that connection) drops the
// connection after n events or stays open and silent.
type replayServer struct {
	t      *testing.T
	lines  [][]byte
	times  []int64
	dropAt []int // events to send on connection i before dropping; -1: all, then stay open
	stall  bool  // at dropAt, go silent with the connection open instead of dropping it

	mu      sync.Mutex
	queries []map[string][]string
}

func newReplayServer(t *testing.T, dropAt ...int) (*replayServer, *httptest.Server) {
	rs := &replayServer{t: t, lines: fixtureLines(t, "jetstream_v1_stream_2026-07.jsonl"), dropAt: dropAt}
	for _, l := range rs.lines {
		var ev struct {
			TimeUS int64 `json:"time_us"`
		}
		_ = json.Unmarshal(l, &ev)
		rs.times = append(rs.times, ev.TimeUS)
	}
	srv := httptest.NewServer(http.HandlerFunc(rs.serve))
	t.Cleanup(srv.Close)
	return rs, srv
}

func (rs *replayServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/subscribe" {
		http.NotFound(w, r)
		return
	}
	rs.mu.Lock()
	n := len(rs.queries)
	rs.queries = append(rs.queries, r.URL.Query())
	rs.mu.Unlock()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		rs.t.Errorf("accept: %v", err)
		return
	}
	defer conn.CloseNow()
	var cursor int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		cursor, _ = strconv.ParseInt(c, 10, 64)
	}
	drop := -1
	if n < len(rs.dropAt) {
		drop = rs.dropAt[n]
	}
	sent := 0
	for i, l := range rs.lines {
		if rs.times[i] < cursor {
			continue
		}
		if drop >= 0 && sent == drop {
			if rs.stall {
				<-r.Context().Done() // alive but silent, as a stuck shard
			}
			return // abrupt: no close frame, as when a network path dies
		}
		if err := conn.Write(r.Context(), websocket.MessageText, l); err != nil {
			return
		}
		sent++
	}
	<-r.Context().Done() // live stream: nothing more to say for now
}

func (rs *replayServer) query(i int) map[string][]string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if i >= len(rs.queries) {
		rs.t.Fatalf("only %d connections, wanted #%d", len(rs.queries), i)
	}
	return rs.queries[i]
}

func testStreamer(t *testing.T, srv *httptest.Server, options map[string]string) *Streamer {
	t.Helper()
	if options == nil {
		options = map[string]string{}
	}
	options["jetstream_url"] = "ws" + srv.URL[len("http"):] + "/subscribe"
	sc := source.Config{Name: "bluesky-test", Kind: "bluesky", Targets: []string{"jetstream"}, Options: options}
	a, err := newAdapter(sc, source.Deps{Log: zaptest.NewLogger(t), HTTPClient: srv.Client(), UserAgent: "handlewatch-test"}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	a.streamer.backoffMin, a.streamer.backoffMax = 10*time.Millisecond, 50*time.Millisecond
	return a.streamer
}

// collector records what Stream emits and cancels once want posts came.
type collector struct {
	mu      sync.Mutex
	posts   []wire.Post
	cursors []string
	want    int
	cancel  context.CancelFunc
}

func (c *collector) emit(ctx context.Context, p *wire.Post, cursor string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cursors = append(c.cursors, cursor)
	if p != nil {
		c.posts = append(c.posts, *p)
		if len(c.posts) == c.want {
			c.cancel()
		}
	}
	return nil
}

func runStream(t *testing.T, s *Streamer, cursor string, want int) *collector {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := &collector{want: want, cancel: cancel}
	err := s.Stream(ctx, source.Target{Name: "jetstream"}, cursor, c.emit)
	if err != nil {
		t.Fatalf("Stream returned %v, want nil at a clean end", err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("timed out with %d of %d posts", len(c.posts), want)
	}
	return c
}

func TestStreamReplaysFixture(t *testing.T) {
	rs, srv := newReplayServer(t)
	s := testStreamer(t, srv, nil)
	c := runStream(t, s, "", 17)
	want := postCreates(t, rs.lines)
	if len(c.posts) != len(want) {
		t.Fatalf("emitted %d posts, want %d", len(c.posts), len(want))
	}
	for i, p := range c.posts {
		if p.ID != want[i] {
			t.Errorf("post %d = %s, want %s", i, p.ID, want[i])
		}
	}
	platformtest.AssertNoMedia(t, c.posts)
	q := rs.query(0)
	if q["wantedCollections"][0] != postCollection || q["cursor"] != nil {
		t.Errorf("subscribe query = %v, want wantedCollections and no cursor on a fresh start", q)
	}
	assertCursorsGrow(t, c.cursors)
}

func TestStreamReconnectResumesWithoutDuplicatesOrGaps(t *testing.T) {
	// The first connection dies after 80 events; the reconnect must ask
	// for cursor = newest time_us seen - rewind, and the replayed overlap
	// must not emit a post twice or skip one.
	rs, srv := newReplayServer(t, 80)
	s := testStreamer(t, srv, map[string]string{"rewind": "100ms"})
	c := runStream(t, s, "", 17)

	var newest int64
	for _, ts := range rs.times[:80] {
		newest = max(newest, ts)
	}
	if got, want := rs.query(1)["cursor"], strconv.FormatInt(newest-100_000, 10); len(got) != 1 || got[0] != want {
		t.Errorf("reconnect cursor = %v, want %s (newest seen minus the rewind)", got, want)
	}
	want := postCreates(t, rs.lines)
	seen := map[string]int{}
	for _, p := range c.posts {
		seen[p.ID]++
	}
	for _, u := range want {
		if seen[u] != 1 {
			t.Errorf("%s emitted %d times, want exactly once", u, seen[u])
		}
	}
	if len(c.posts) != len(want) {
		t.Errorf("emitted %d posts, want %d", len(c.posts), len(want))
	}
	assertCursorsGrow(t, c.cursors)
}

func TestStreamResumesFromSavedCursor(t *testing.T) {
	rs, srv := newReplayServer(t)
	s := testStreamer(t, srv, map[string]string{"rewind": "5s"})
	// A cursor from a previous run: resume 5s before it, and every post at
	// or after that point comes again (seen keys downstream drop repeats).
	saved := rs.times[len(rs.times)-1]
	c := runStream(t, s, strconv.FormatInt(saved, 10), 17)
	if got := rs.query(0)["cursor"]; len(got) != 1 || got[0] != strconv.FormatInt(saved-5_000_000, 10) {
		t.Errorf("first cursor = %v, want the saved cursor minus 5s", got)
	}
	if len(c.posts) != 17 {
		t.Errorf("emitted %d posts", len(c.posts))
	}
}

func TestStreamIdleReconnects(t *testing.T) {
	// Connection 1 sends 60 events and then stays open but silent: the
	// idle timeout reconnects, and connection 2 delivers the rest.
	rs, srv := newReplayServer(t, 60)
	rs.stall = true
	s := testStreamer(t, srv, map[string]string{"rewind": "100ms"})
	s.idle = 300 * time.Millisecond
	c := runStream(t, s, "", 17)
	if len(c.posts) != 17 {
		t.Errorf("emitted %d posts, want 17", len(c.posts))
	}
	if got := rs.query(1)["cursor"]; len(got) != 1 {
		t.Errorf("the reconnect after silence did not resume from a cursor: %v", got)
	}
}

func TestStreamEmitErrorStops(t *testing.T) {
	_, srv := newReplayServer(t)
	s := testStreamer(t, srv, nil)
	boom := errors.New("publisher down")
	err := s.Stream(context.Background(), source.Target{Name: "jetstream"}, "", func(context.Context, *wire.Post, string) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("Stream = %v, want the emit error", err)
	}
}

func TestStreamRefusedHandshakeIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"InvalidRequest","message":"bad wantedDids"}`, http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	s := testStreamer(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.Stream(ctx, source.Target{Name: "jetstream"}, "", func(context.Context, *wire.Post, string) error { return nil })
	if err == nil || ctx.Err() != nil {
		t.Errorf("Stream = %v (ctx %v), want an error at once for a 400 handshake", err, ctx.Err())
	}
}

func TestJetstreamTargets(t *testing.T) {
	if dids, err := jetstreamDIDs("jetstream:did:plc:abc,did:web:example.com"); err != nil || len(dids) != 2 {
		t.Errorf("dids = %v, %v", dids, err)
	}
	for _, bad := range []string{"jetstream:", "jetstream:alice.bsky.social", "jetstreamx"} {
		if _, err := jetstreamDIDs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s := &Streamer{endpoint: "wss://jet.example/subscribe", rewind: 5 * time.Second}
	u, _ := s.subscribeURL([]string{"did:plc:abc"}, 10_000_000)
	if u != "wss://jet.example/subscribe?cursor=5000000&wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Aabc" {
		t.Errorf("subscribe url = %s", u)
	}
}

func assertCursorsGrow(t *testing.T, cursors []string) {
	t.Helper()
	var prev int64
	for _, c := range cursors {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < prev {
			t.Fatalf("cursor %q after %d: cursors must be time_us and never go back", c, prev)
		}
		prev = n
	}
}
