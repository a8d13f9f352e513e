package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

func testPoller(t *testing.T, sc source.Config) *Poller {
	t.Helper()
	sc.Name, sc.Kind = "bluesky-test", "bluesky"
	a, err := newAdapter(sc, source.Deps{Log: zaptest.NewLogger(t)}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	return a.poller
}

func tgt(name string) source.Target { return source.Target{Name: name} }

func TestAuthorFeedGolden(t *testing.T) {
	p := testPoller(t, source.Config{Targets: []string{"author:shinyakato.dev"}})
	f := platformtest.NewFetcher(t)
	f.Handle("GET public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed", platformtest.Fixture(t, "getAuthorFeed_2023-04.json", "application/json"))
	b, err := p.Poll(context.Background(), f, tgt("author:shinyakato.dev"), "")
	if err != nil {
		t.Fatal(err)
	}
	q := f.Query(0)
	if q.Get("actor") != "shinyakato.dev" || q.Get("limit") != "50" || q.Get("filter") != "posts_with_replies" || q.Has("cursor") {
		t.Errorf("getAuthorFeed query = %v", q)
	}
	if len(b.Posts) != 25 {
		t.Fatalf("got %d posts, want all 25 items (reposts included by default)", len(b.Posts))
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "author_feed.golden.json", b.Posts)
	by := map[string]wire.Post{}
	for _, p := range b.Posts {
		by[p.ID] = p
	}
	repost := by["at://did:plc:gggcwmwoyak6op4pkqm76ckz/app.bsky.feed.post/3jukz62npim26"]
	if repost.Author != "christopherpmoore.xyz" || repost.Attachments != 1 ||
		repost.Permalink != "https://bsky.app/profile/did:plc:gggcwmwoyak6op4pkqm76ckz/post/3jukz62npim26" {
		t.Errorf("reposted post = %+v (published under its own author)", repost)
	}
	links := by["at://did:plc:iijrtk7ocored6zuziwmqq3c/app.bsky.feed.post/3jukdwsblqu2l"]
	if len(links.Links) != 1 || links.Links[0] != "https://psky.app/profile/why.bsky.team/post/3juk5phzpf62w" {
		t.Errorf("facet and external links = %v, want one", links.Links)
	}

	again, err := p.Poll(context.Background(), f, tgt("author:shinyakato.dev"), b.Cursor)
	if err != nil || len(again.Posts) != 0 {
		t.Errorf("resume: %d posts, %v; want none", len(again.Posts), err)
	}
}

func TestAuthorFeedWithoutRepostsAndReplies(t *testing.T) {
	p := testPoller(t, source.Config{Options: map[string]string{"include_reposts": "false", "include_replies": "false"}})
	f := platformtest.NewFetcher(t)
	f.Handle("GET public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed", platformtest.Fixture(t, "getAuthorFeed_2023-04.json", "application/json"))
	b, err := p.Poll(context.Background(), f, tgt("author:did:plc:iijrtk7ocored6zuziwmqq3c"), "")
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Query(0); q.Get("filter") != "posts_no_replies" || q.Get("actor") != "did:plc:iijrtk7ocored6zuziwmqq3c" {
		t.Errorf("query = %v", q)
	}
	if len(b.Posts) != 23 {
		t.Errorf("got %d posts, want 23 (the two reposts left out)", len(b.Posts))
	}
}

func TestAuthorFeedCatchUp(t *testing.T) {
	p := testPoller(t, source.Config{Options: map[string]string{"limit": "12"}})
	body := platformtest.ReadFile(t, "getAuthorFeed_2023-04.json")
	var feed map[string]any
	if err := json.Unmarshal(body, &feed); err != nil {
		t.Fatal(err)
	}
	items := feed["feed"].([]any)
	older, _ := json.Marshal(map[string]any{"feed": items[12:], "cursor": ""})
	newer, _ := json.Marshal(map[string]any{"feed": items[:12], "cursor": "c-older"})
	f := platformtest.NewFetcher(t)
	route := "GET public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed"
	f.Handle(route, platformtest.JSON(string(older)))
	first, err := p.Poll(context.Background(), f, tgt("author:shinyakato.dev"), "")
	if err != nil || len(first.Posts) != 13 {
		t.Fatalf("first poll: %d posts, %v", len(first.Posts), err)
	}
	f.Reset()
	f.Handle(route, func(req *source.Request) (*source.Response, error) {
		if strings.Contains(req.URL, "cursor=c-older") {
			return platformtest.JSON(string(older))(req)
		}
		return platformtest.JSON(string(newer))(req)
	})
	caught, err := p.Poll(context.Background(), f, tgt("author:shinyakato.dev"), first.Cursor)
	if err != nil || len(caught.Posts) != 12 || len(f.Requests()) != 2 {
		t.Errorf("catch-up: %d posts, %d requests, %v", len(caught.Posts), len(f.Requests()), err)
	}
}

func TestSearchUnauthenticatedIsBlocked(t *testing.T) {
	p := testPoller(t, source.Config{})
	f := platformtest.NewFetcher(t)
	f.Handle("GET public.api.bsky.app/xrpc/app.bsky.feed.searchPosts",
		platformtest.Static(403, http.Header{"Content-Type": {"application/json"}}, []byte(`{"error":"Forbidden","message":"Forbidden"}`)))
	_, err := p.Poll(context.Background(), f, tgt("search:wickr"), "")
	if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "auth.identifier and auth.password_env") {
		t.Errorf("err = %v, want ErrBlocked saying what to configure", err)
	}
}

func TestSearchWithSession(t *testing.T) {
	t.Setenv("HW_TEST_BSKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
	p := testPoller(t, source.Config{Auth: source.AuthConfig{Identifier: "watcher.example.com", PasswordEnv: "HW_TEST_BSKY_APP_PASSWORD"}})
	f := platformtest.NewFetcher(t)
	sessions, refreshes := 0, 0
	f.Handle("POST bsky.social/xrpc/com.atproto.server.createSession", func(req *source.Request) (*source.Response, error) {
		sessions++
		var in map[string]string
		_ = json.Unmarshal(req.Body, &in)
		if in["identifier"] != "watcher.example.com" || in["password"] != "abcd-efgh-ijkl-mnop" {
			t.Errorf("createSession body = %s", req.Body)
		}
		return platformtest.JSON(`{"accessJwt":"access-1","refreshJwt":"refresh-1","handle":"watcher.example.com","did":"did:plc:watcher"}`)(req)
	})
	f.Handle("POST bsky.social/xrpc/com.atproto.server.refreshSession", func(req *source.Request) (*source.Response, error) {
		refreshes++
		if req.Header.Get("Authorization") != "Bearer refresh-1" {
			t.Errorf("refresh with %q", req.Header.Get("Authorization"))
		}
		return platformtest.JSON(`{"accessJwt":"access-2","refreshJwt":"refresh-2"}`)(req)
	})
	calls := 0
	f.Handle("GET bsky.social/xrpc/app.bsky.feed.searchPosts", func(req *source.Request) (*source.Response, error) {
		calls++
		if calls == 2 { // the second poll finds the token expired
			return platformtest.Static(400, http.Header{"Content-Type": {"application/json"}}, []byte(`{"error":"ExpiredToken","message":"Token has expired"}`))(req)
		}
		return platformtest.Fixture(t, "searchPosts.json", "application/json")(req)
	})
	b, err := p.Poll(context.Background(), f, tgt("search:fone de ouvido"), "")
	if err != nil {
		t.Fatal(err)
	}
	var search *source.Request
	for _, r := range f.Requests() {
		if strings.Contains(r.URL, "searchPosts") {
			search = r
		}
	}
	if search == nil || search.Header.Get("Authorization") != "Bearer access-1" || !strings.Contains(search.URL, "sort=latest") || !strings.Contains(search.URL, "q=fone+de+ouvido") {
		t.Errorf("search request = %+v", search)
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.Golden(t, "search.golden.json", b.Posts)

	if _, err := p.Poll(context.Background(), f, tgt("search:fone de ouvido"), b.Cursor); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || refreshes != 1 {
		t.Errorf("sessions %d refreshes %d, want one of each (the expired token refreshed, not a new session)", sessions, refreshes)
	}
	last := f.Requests()[len(f.Requests())-1]
	if last.Header.Get("Authorization") != "Bearer access-2" {
		t.Errorf("retry used %q", last.Header.Get("Authorization"))
	}
}

func TestSessionRefusedIsBlocked(t *testing.T) {
	t.Setenv("HW_TEST_BSKY_APP_PASSWORD", "wrong")
	p := testPoller(t, source.Config{Auth: source.AuthConfig{Identifier: "watcher.example.com", PasswordEnv: "HW_TEST_BSKY_APP_PASSWORD"}})
	f := platformtest.NewFetcher(t)
	f.Handle("POST bsky.social/xrpc/com.atproto.server.createSession",
		platformtest.Static(401, http.Header{"Content-Type": {"application/json"}}, []byte(`{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`)))
	_, err := p.Poll(context.Background(), f, tgt("search:x"), "")
	if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "app password") {
		t.Errorf("err = %v", err)
	}
}

func TestFeedErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler platformtest.Handler
		want    func(error) bool
	}{
		{"429", platformtest.Static(429, http.Header{"Retry-After": {"30"}, "Ratelimit-Remaining": {"0"}}, nil), func(err error) bool {
			var re *source.RetryError
			return errors.As(err, &re)
		}},
		{"html", platformtest.Static(200, http.Header{"Content-Type": {"text/html"}}, []byte("<html>oops</html>")), func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "not JSON")
		}},
		{"no feed", platformtest.JSON(`{"cursor":"x"}`), func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "no feed array")
		}},
		{"unknown actor", platformtest.Static(400, http.Header{"Content-Type": {"application/json"}}, []byte(`{"error":"AccountTakedown","message":"Account has been suspended"}`)), func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "AccountTakedown")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPoller(t, source.Config{})
			f := platformtest.NewFetcher(t)
			f.Handle("GET public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed", tc.handler)
			_, err := p.Poll(context.Background(), f, tgt("author:alice.example.com"), "")
			if !tc.want(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestMalformedFeedItemKeepsTheRest(t *testing.T) {
	var feed map[string]any
	_ = json.Unmarshal(platformtest.ReadFile(t, "getAuthorFeed_2023-04.json"), &feed)
	feed["feed"] = append([]any{
		map[string]any{"post": map[string]any{"uri": "not-an-at-uri"}},
		map[string]any{"post": map[string]any{"uri": "at://did:plc:x/app.bsky.feed.like/abc", "record": map[string]any{}}},
		map[string]any{"post": map[string]any{"uri": "at://did:plc:x/app.bsky.feed.post/abc", "record": "text"}},
		7,
	}, feed["feed"].([]any)...)
	body, _ := json.Marshal(feed)
	pg, err := parseAuthorFeed(body, true, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.items) != 25 || len(pg.bad) != 4 {
		t.Errorf("items %d bad %d, want 25 and 4", len(pg.items), len(pg.bad))
	}
}

func TestForTargetAndConfig(t *testing.T) {
	a, err := New(source.Config{Name: "b", Kind: "bluesky", Targets: []string{"jetstream", "author:alice.example.com", "search:x"}}, source.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	pt := a.(source.PerTarget)
	if s, err := pt.ForTarget(tgt("jetstream:did:plc:abc")); err != nil {
		t.Error(err)
	} else if _, ok := s.(source.Streamer); !ok {
		t.Errorf("jetstream target gave %T", s)
	}
	for _, name := range []string{"author:alice.example.com", "search:x"} {
		if p, err := pt.ForTarget(tgt(name)); err != nil {
			t.Error(err)
		} else if _, ok := p.(source.Poller); !ok {
			t.Errorf("%s gave %T", name, p)
		}
	}
	for _, tc := range []struct {
		name string
		sc   source.Config
		want string
	}{
		{"bad target", source.Config{Targets: []string{"firehose"}}, "targets[0]"},
		{"bad did", source.Config{Targets: []string{"jetstream:alice"}}, "not a DID"},
		{"bad handle", source.Config{Targets: []string{"author:not a handle"}}, "not a handle"},
		{"half auth", source.Config{Auth: source.AuthConfig{Identifier: "a.example.com"}}, "both identifier and password_env"},
		{"jetstream url", source.Config{Options: map[string]string{"jetstream_url": "https://x/subscribe"}}, "options.jetstream_url"},
		{"rewind", source.Config{Options: map[string]string{"rewind": "1h"}}, "options.rewind"},
		{"unknown", source.Config{Options: map[string]string{"compress": "true"}}, "options.compress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.sc, source.Deps{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
	a2, err := newAdapter(source.Config{BaseURL: "http://127.0.0.1:8080"}, source.Deps{}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	if a2.streamer.endpoint != "ws://127.0.0.1:8080/subscribe" || a2.poller.appview != "http://127.0.0.1:8080" {
		t.Errorf("base_url endpoints = %s %s", a2.streamer.endpoint, a2.poller.appview)
	}
}

func FuzzParseAuthorFeed(f *testing.F) {
	f.Add(platformtest.ReadFile(f, "getAuthorFeed_2023-04.json"))
	f.Add(platformtest.ReadFile(f, "searchPosts.json"))
	f.Add([]byte(`{"feed":[{"post":{"uri":"at://did:plc:a/app.bsky.feed.post/b","indexedAt":"2023-04-30T06:26:07Z","record":{"text":"x","embed":{"$type":"app.bsky.embed.video","video":{}},"facets":[{"index":{"byteStart":0,"byteEnd":1},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://i.redd.it/a.png"}]}]}},"reason":{"$type":"app.bsky.feed.defs#reasonRepost","indexedAt":"bad"}}],"posts":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func() (page, error){
			func() (page, error) { return parseAuthorFeed(body, true, testMeta) },
			func() (page, error) { return parseSearch(body, testMeta) },
		} {
			pg, err := parse()
			if err != nil {
				continue
			}
			posts := make([]wire.Post, 0, len(pg.items))
			for _, it := range pg.items {
				posts = append(posts, it.post)
			}
			platformtest.CheckFuzzPosts(t, posts)
		}
	})
}
