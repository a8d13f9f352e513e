package bluesky

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// defaultHosts are the hosts crawler/kinds.go approves for bluesky.
var defaultHosts = []string{"public.api.bsky.app", "bsky.social", "jetstream2.us-east.bsky.network"}

func TestAuthorFeedThroughRealFetcher(t *testing.T) {
	sc := source.Config{Name: "bluesky-test", Kind: "bluesky", Targets: []string{"author:shinyakato.dev"}, Hosts: defaultHosts}
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("GET /xrpc/app.bsky.feed.getAuthorFeed", func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "public.api.bsky.app" || r.URL.Query().Get("actor") != "shinyakato.dev" {
			t.Errorf("request %s%s", r.Host, r.URL)
		}
		platformtest.ServeFixture(t, w, "getAuthorFeed_2023-04.json", "application/json; charset=utf-8")
	})
	f := platformtest.Real(t, sc, plat, defaultHosts...)
	b, err := testPoller(t, sc).Poll(context.Background(), f, tgt("author:shinyakato.dev"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.Golden(t, "author_feed.golden.json", b.Posts)
}

// Jetstream through the crawler's guarded HTTP client, at its real wss://
// address: the approved-host rules hold for the websocket handshake, and
// a drop mid-stream still resumes without repeats.
func TestJetstreamThroughRealHTTPClient(t *testing.T) {
	rs, srv := newReplayServer(t, 50)
	sc := source.Config{Name: "bluesky-test", Kind: "bluesky", Targets: []string{"jetstream"}, Hosts: defaultHosts,
		Options: map[string]string{"rewind": "100ms"}}
	client := platformtest.RealHTTPClient(t, sc, srv, defaultHosts...)
	a, err := newAdapter(sc, source.Deps{Log: zaptest.NewLogger(t), HTTPClient: client}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	s := a.streamer
	s.backoffMin, s.backoffMax = 10*time.Millisecond, 50*time.Millisecond
	c := runStream(t, s, "", 17)
	seen := map[string]bool{}
	for _, p := range c.posts {
		if seen[p.ID] {
			t.Errorf("%s emitted twice", p.ID)
		}
		seen[p.ID] = true
	}
	rs.mu.Lock()
	conns := len(rs.queries)
	rs.mu.Unlock()
	if len(seen) != 17 || conns < 2 {
		t.Errorf("%d distinct posts over %d connections, want 17 over at least 2", len(seen), conns)
	}

	// A Jetstream host the source does not approve is refused for good.
	sc.Options["jetstream_url"] = "wss://jetstream.evil.example/subscribe"
	a, err = newAdapter(sc, source.Deps{Log: zaptest.NewLogger(t), HTTPClient: platformtest.RealHTTPClient(t, sc, srv, "jetstream.evil.example")}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.streamer.Stream(ctx, source.Target{Name: "jetstream"}, "", c.emit); err == nil || ctx.Err() != nil {
		t.Errorf("unapproved jetstream host: Stream = %v, want a refusal at once", err)
	}
}
