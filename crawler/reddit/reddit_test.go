package reddit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const tokenJSONBody = `{"access_token": "test-token-1", "token_type": "bearer", "expires_in": 86400, "scope": "*"}`

func oauthConfig(t *testing.T, targets ...string) source.Config {
	t.Setenv("HW_TEST_REDDIT_ID", "client-id")
	t.Setenv("HW_TEST_REDDIT_SECRET", "client-secret")
	return source.Config{Name: "reddit-test", Kind: "reddit", Targets: targets,
		Auth: source.AuthConfig{ClientIDEnv: "HW_TEST_REDDIT_ID", ClientSecretEnv: "HW_TEST_REDDIT_SECRET"}}
}

func newTestPoller(t *testing.T, sc source.Config) *Poller {
	t.Helper()
	p, err := newPoller(sc, source.Deps{Log: zaptest.NewLogger(t), UserAgent: "handlewatch-test/1 (+https://example.org/contact)"}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tgt(sc source.Config, name string) source.Target { return source.Target{Source: sc, Name: name} }

// fakeReddit routes the token endpoint and one listing path.
func fakeReddit(t *testing.T, listingRoute string, h platformtest.Handler) *platformtest.Fetcher {
	f := platformtest.NewFetcher(t)
	f.Handle("POST www.reddit.com/api/v1/access_token", platformtest.JSON(tokenJSONBody))
	f.Handle(listingRoute, h)
	return f
}

func TestPollSubredditGolden(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	p := newTestPoller(t, sc)
	f := fakeReddit(t, "GET oauth.reddit.com/r/popular/new", platformtest.Fixture(t, "listing_r_popular_hot_2026-04.json", ""))
	b, err := p.Poll(context.Background(), f, tgt(sc, "r/popular"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 100 {
		t.Fatalf("got %d posts, want the 100 of the listing", len(b.Posts))
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "r_popular.golden.json", b.Posts)

	reqs := f.Requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want token + one listing page on a first poll", len(reqs))
	}
	tok := reqs[0]
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("client-id:client-secret"))
	if tok.Method != http.MethodPost || tok.Header.Get("Authorization") != wantAuth ||
		string(tok.Body) != "grant_type=client_credentials" ||
		tok.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		!strings.HasPrefix(tok.Header.Get("User-Agent"), "handlewatch-test/1") {
		t.Errorf("token request = %s %s %v %q", tok.Method, tok.URL, tok.Header, tok.Body)
	}
	if got := reqs[1].Header.Get("Authorization"); got != "bearer test-token-1" {
		t.Errorf("listing Authorization = %q", got)
	}
	q := f.Query(1)
	if q.Get("limit") != "100" || q.Get("raw_json") != "1" || q.Get("after") != "" {
		t.Errorf("listing query = %v", q)
	}

	// Spot checks against the recorded listing, beside the golden file.
	byID := map[string]wire.Post{}
	for _, p := range b.Posts {
		byID[p.ID] = p
	}
	img := byID["t3_1skii2f"] // i.redd.it image post
	if len(img.Links) != 0 || img.Attachments != 1 {
		t.Errorf("image post links %v attachments %d, want none and 1", img.Links, img.Attachments)
	}
	link := byID["t3_1skbgql"] // themirror.com link post
	if len(link.Links) == 0 || !strings.HasPrefix(link.Links[0], "https://www.themirror.com/") {
		t.Errorf("link post links = %v", link.Links)
	}
	self := byID["t3_1sk894v"]
	if self.Permalink != "https://www.reddit.com/r/anime/comments/1sk894v/demon_slayer_infinity_castle_isnt_the_first_anime/" &&
		!strings.HasPrefix(self.Permalink, "https://www.reddit.com/r/anime/comments/1sk894v/") {
		t.Errorf("permalink = %q", self.Permalink)
	}
	if self.Author != "Elestria_Ethereal" || self.AuthorURL != "https://www.reddit.com/user/Elestria_Ethereal/" {
		t.Errorf("author = %q %q", self.Author, self.AuthorURL)
	}
	if want := time.Unix(1776080345, 0).UTC(); !self.CreatedAt.Equal(want) {
		t.Errorf("created = %s, want %s", self.CreatedAt, want)
	}
	if !strings.HasPrefix(self.Text, "Demon Slayer") || !strings.Contains(self.Text, "\n\n") {
		t.Errorf("self post text should be title, blank line, body: %q", self.Text)
	}
	gallery := byID["t3_1skh6dk"]
	if gallery.Attachments < 2 || len(gallery.Links) != 0 {
		t.Errorf("gallery attachments %d links %v", gallery.Attachments, gallery.Links)
	}
}

func TestPollResumeAndCatchUp(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	p := newTestPoller(t, sc)
	body := platformtest.ReadFile(t, "listing_r_popular_hot_2026-04.json")
	pageA, pageB := splitListing(t, body, 50)
	f := fakeReddit(t, "GET oauth.reddit.com/r/popular/new", platformtest.JSON(string(pageB)))
	ctx := context.Background()

	first, err := p.Poll(ctx, f, tgt(sc, "r/popular"), "")
	if err != nil || len(first.Posts) != 50 {
		t.Fatalf("first poll: %d posts, %v", len(first.Posts), err)
	}
	again, err := p.Poll(ctx, f, tgt(sc, "r/popular"), first.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Posts) != 0 {
		t.Fatalf("second poll with the returned cursor found %d posts, want none", len(again.Posts))
	}

	// Fifty newer posts arrive: the first page is all new, so the poll
	// follows after= until it meets a known name.
	f.Reset()
	f.Handle("GET oauth.reddit.com/r/popular/new", func(req *source.Request) (*source.Response, error) {
		if strings.Contains(req.URL, "after=") {
			return platformtest.Respond(req, 200, http.Header{"Content-Type": {"application/json"}}, pageB)
		}
		return platformtest.Respond(req, 200, http.Header{"Content-Type": {"application/json"}}, pageA)
	})
	caught, err := p.Poll(ctx, f, tgt(sc, "r/popular"), again.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(caught.Posts) != 50 {
		t.Fatalf("catch-up poll found %d posts, want the 50 of the newer page", len(caught.Posts))
	}
	reqs := f.Requests()
	if len(reqs) != 2 || f.Query(1).Get("after") != "t3_after_page_a" {
		t.Errorf("catch-up requests = %d, second after=%q", len(reqs), f.Query(min(1, len(reqs)-1)).Get("after"))
	}
	seen := map[string]bool{}
	for _, p := range append(first.Posts, caught.Posts...) {
		if seen[p.ID] {
			t.Errorf("post %s returned twice", p.ID)
		}
		seen[p.ID] = true
	}
	if len(seen) != 100 {
		t.Errorf("saw %d distinct posts over the polls, want 100", len(seen))
	}
}

// splitListing cuts a recorded listing into two pages; the first names
// t3_after_page_a as its after anchor.
func splitListing(t *testing.T, body []byte, n int) (a, b []byte) {
	t.Helper()
	var l map[string]any
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	data := l["data"].(map[string]any)
	children := data["children"].([]any)
	mk := func(ch []any, after any) []byte {
		out, _ := json.Marshal(map[string]any{"kind": "Listing", "data": map[string]any{"after": after, "children": ch}})
		return out
	}
	return mk(children[:n], "t3_after_page_a"), mk(children[n:], nil)
}

func TestPollUserOverviewCommentsGolden(t *testing.T) {
	sc := oauthConfig(t, "u/spez")
	p := newTestPoller(t, sc)
	f := fakeReddit(t, "GET oauth.reddit.com/user/spez/overview", platformtest.Fixture(t, "listing_user_overview_mixed_t1_t3_2026-06.json", ""))
	b, err := p.Poll(context.Background(), f, tgt(sc, "u/spez"), "")
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Query(1); q.Get("sort") != "new" || q.Get("limit") != "100" || q.Get("raw_json") != "1" {
		t.Errorf("query = %v", q)
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "u_spez_overview.golden.json", b.Posts)
	var c wire.Post
	for _, p := range b.Posts {
		if p.ID == "t1_optfyql" {
			c = p
		}
	}
	// The comment's body starts with a preview.redd.it image link: it is
	// counted, and neither its text nor a link survives.
	if c.Text != "Juuuust kidding. We’ll follow up with the hoodie plan." || c.Attachments != 1 || len(c.Links) != 0 {
		t.Errorf("comment t1_optfyql = text %q attachments %d links %v", c.Text, c.Attachments, c.Links)
	}
	if c.Permalink != "https://www.reddit.com/r/RDDT/comments/1tvs5jj/steve_jen_and_drew_here_ask_us_anything/optfyql/" {
		t.Errorf("comment permalink = %q", c.Permalink)
	}
}

func TestPollSearchGolden(t *testing.T) {
	sc := oauthConfig(t, "search:praw oauth search", "r/golang/search:wickr")
	p := newTestPoller(t, sc)
	f := fakeReddit(t, "GET oauth.reddit.com/search", platformtest.Fixture(t, "search_r_all_2016-07.json", ""))
	f.Handle("GET oauth.reddit.com/r/golang/search", platformtest.Fixture(t, "listing_empty.json", ""))
	b, err := p.Poll(context.Background(), f, tgt(sc, "search:praw oauth search"), "")
	if err != nil {
		t.Fatal(err)
	}
	q := f.Query(1)
	if q.Get("q") != "praw oauth search" || q.Get("sort") != "new" || q.Get("t") != "all" || q.Get("restrict_sr") != "" {
		t.Errorf("site search query = %v", q)
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.Golden(t, "search.golden.json", b.Posts)

	b, err = p.Poll(context.Background(), f, tgt(sc, "r/golang/search:wickr"), "")
	if err != nil || len(b.Posts) != 0 {
		t.Fatalf("empty listing: %d posts, %v", len(b.Posts), err)
	}
	q = f.Query(2) // the token is cached: no second token request
	if q.Get("q") != "wickr" || q.Get("restrict_sr") != "1" || q.Get("sort") != "new" {
		t.Errorf("subreddit search query = %v", q)
	}
}

func TestRateLimitPause(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	p := newTestPoller(t, sc)
	h := http.Header{"Content-Type": {"application/json"}, "X-Ratelimit-Remaining": {"0.0"}, "X-Ratelimit-Reset": {"42"}, "X-Ratelimit-Used": {"1000"}}
	f := fakeReddit(t, "GET oauth.reddit.com/r/popular/new", platformtest.Static(200, h, platformtest.ReadFile(t, "listing_r_popular_hot_2026-04.json")))
	b, err := p.Poll(context.Background(), f, tgt(sc, "r/popular"), "")
	if err != nil || len(b.Posts) != 100 {
		t.Fatalf("the page that spent the budget is still used: %d posts, %v", len(b.Posts), err)
	}
	n := len(f.Requests())
	_, err = p.Poll(context.Background(), f, tgt(sc, "r/popular"), b.Cursor)
	var re *source.RetryError
	if !errors.As(err, &re) {
		t.Fatalf("poll while the budget is spent = %v, want a RetryError", err)
	}
	if want := platformtest.Now.Add(42 * time.Second); !re.Until.Equal(want) {
		t.Errorf("retry until %s, want %s (X-Ratelimit-Reset)", re.Until, want)
	}
	if len(f.Requests()) != n {
		t.Error("a request was spent while paused")
	}
}

func TestErrors(t *testing.T) {
	html403 := platformtest.ReadFile(t, "blocked_403_whoa.html")
	for _, tc := range []struct {
		name    string
		oauth   bool
		handler platformtest.Handler
		check   func(t *testing.T, err error)
	}{
		{
			name:    "anonymous json blocked",
			handler: platformtest.Static(403, http.Header{"Content-Type": {"text/html"}}, html403),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "configure OAuth (auth.client_id_env / client_secret_env) or options.fallback: rss") ||
					!strings.Contains(err.Error(), "block page") {
					t.Errorf("err = %v, want ErrBlocked saying what to configure", err)
				}
			},
		},
		{
			name:    "oauth 403 json is not a client block",
			oauth:   true,
			handler: platformtest.Fixture(t, "error_403_json_body.json", ""),
			check: func(t *testing.T, err error) {
				if err == nil || errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "403") {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name:    "429 is a retry",
			oauth:   true,
			handler: platformtest.Static(429, http.Header{"Retry-After": {"30"}, "X-Ratelimit-Remaining": {"0.0"}, "X-Ratelimit-Reset": {"30"}}, []byte(`{"message": "Too Many Requests", "error": 429}`)),
			check: func(t *testing.T, err error) {
				var re *source.RetryError
				if !errors.As(err, &re) || !re.Until.Equal(platformtest.Now.Add(30*time.Second)) {
					t.Errorf("err = %v, want RetryError until +30s", err)
				}
			},
		},
		{
			name:    "html where json expected",
			oauth:   true,
			handler: platformtest.Static(200, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, []byte("<!doctype html><html><body>maintenance</body></html>")),
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "not JSON") {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name:    "truncated json",
			oauth:   true,
			handler: platformtest.JSON(`{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "a"`),
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "decoding listing") {
					t.Errorf("err = %v", err)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc source.Config
			route := "GET www.reddit.com/r/popular/new.json"
			if tc.oauth {
				sc = oauthConfig(t, "r/popular")
				route = "GET oauth.reddit.com/r/popular/new"
			} else {
				sc = source.Config{Name: "reddit-anon", Kind: "reddit", Targets: []string{"r/popular"}}
			}
			p := newTestPoller(t, sc)
			f := fakeReddit(t, route, tc.handler)
			b, err := p.Poll(context.Background(), f, tgt(sc, "r/popular"), "")
			if err == nil && len(b.Posts) > 0 {
				t.Fatalf("got %d posts from an error answer", len(b.Posts))
			}
			tc.check(t, err)
		})
	}
}

func TestMalformedChildKeepsTheRest(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	p := newTestPoller(t, sc)
	body := platformtest.ReadFile(t, "listing_r_popular_hot_2026-04.json")
	var l map[string]any
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	data := l["data"].(map[string]any)
	children := data["children"].([]any)
	bad := []any{
		map[string]any{"kind": "t3", "data": map[string]any{"id": 12345}},      // id of the wrong type
		map[string]any{"kind": "t3", "data": map[string]any{"title": "no id"}}, // no id
		map[string]any{"kind": "t3", "data": map[string]any{"id": "x", "created_utc": "soon"}},
		"not an object",
	}
	data["children"] = append(bad, children[:5]...)
	mangled, _ := json.Marshal(l)
	f := fakeReddit(t, "GET oauth.reddit.com/r/popular/new", platformtest.JSON(string(mangled)))
	b, err := p.Poll(context.Background(), f, tgt(sc, "r/popular"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 5 {
		t.Errorf("got %d posts, want the 5 good ones", len(b.Posts))
	}
}

func TestTokenRefreshOn401(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	tokens := 0
	f.Handle("POST www.reddit.com/api/v1/access_token", func(req *source.Request) (*source.Response, error) {
		tokens++
		body := strings.Replace(tokenJSONBody, "test-token-1", "test-token-"+string(rune('0'+tokens)), 1)
		return platformtest.Respond(req, 200, http.Header{"Content-Type": {"application/json"}}, []byte(body))
	})
	f.Handle("GET oauth.reddit.com/r/popular/new", func(req *source.Request) (*source.Response, error) {
		if req.Header.Get("Authorization") == "bearer test-token-1" {
			return platformtest.Respond(req, 401, nil, []byte(`{"message": "Unauthorized", "error": 401}`))
		}
		return platformtest.Respond(req, 200, http.Header{"Content-Type": {"application/json"}}, platformtest.ReadFile(t, "listing_empty.json"))
	})
	if _, err := p.Poll(context.Background(), f, tgt(sc, "r/popular"), ""); err != nil {
		t.Fatal(err)
	}
	if tokens != 2 {
		t.Errorf("fetched %d tokens, want a fresh one after the 401", tokens)
	}
}

func TestBadCredentialsAreBlocked(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("POST www.reddit.com/api/v1/access_token", platformtest.Static(401, nil, []byte(`{"message": "Unauthorized", "error": 401}`)))
	_, err := p.Poll(context.Background(), f, tgt(sc, "r/popular"), "")
	if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "client credentials") {
		t.Errorf("err = %v", err)
	}
}

func TestRSSFallbackGolden(t *testing.T) {
	sc := source.Config{Name: "reddit-rss", Kind: "reddit", Targets: []string{"r/demo"}, Options: map[string]string{"fallback": "rss"}}
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("GET www.reddit.com/r/demo/new/.rss", platformtest.Fixture(t, "new_rss_synthetic.xml", "application/atom+xml; charset=UTF-8"))
	b, err := p.Poll(context.Background(), f, tgt(sc, "r/demo"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 3 {
		t.Fatalf("got %d posts, want 3", len(b.Posts))
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "rss.golden.json", b.Posts)
	if got := b.Posts[2].Links; len(got) != 1 || got[0] != "https://t.me/tg_demo_77" {
		t.Errorf("self post links = %v", got)
	}
	if b.Posts[1].Attachments != 1 || len(b.Posts[1].Links) != 0 {
		t.Errorf("image post: %+v", b.Posts[1])
	}
	again, err := p.Poll(context.Background(), f, tgt(sc, "r/demo"), b.Cursor)
	if err != nil || len(again.Posts) != 0 {
		t.Errorf("second poll: %d posts, %v", len(again.Posts), err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   source.Config
		want string
	}{
		{"bad target", source.Config{Targets: []string{"golang"}}, "targets[0]"},
		{"bad sub", source.Config{Targets: []string{"r/a b"}}, "not a subreddit"},
		{"empty search", source.Config{Targets: []string{"search: "}}, "empty search"},
		{"unknown option", source.Config{Options: map[string]string{"pages": "3"}}, "options.pages"},
		{"bad fallback", source.Config{Options: map[string]string{"fallback": "html"}}, "options.fallback"},
		{"bad limit", source.Config{Options: map[string]string{"limit": "500"}}, "options.limit"},
		{"half auth", source.Config{Auth: source.AuthConfig{ClientIDEnv: "X"}}, "both"},
		{"missing secret", source.Config{Auth: source.AuthConfig{ClientIDEnv: "HW_TEST_UNSET_ID", ClientSecretEnv: "HW_TEST_UNSET_SECRET"}}, "auth.client_id_env"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.sc, source.Deps{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func FuzzParseListing(f *testing.F) {
	for _, name := range []string{"listing_empty.json", "search_r_all_2016-07.json", "error_403_json_body.json"} {
		f.Add(platformtest.ReadFile(f, name))
	}
	f.Add([]byte(`{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"a","url":"https://i.redd.it/x.jpg","selftext_html":"<a href=\"https://v.redd.it/y\">https://v.redd.it/y</a>"}},{"kind":"t1","data":{"name":"t1_b","body":"![x](https://i.imgur.com/a.png) [t](https://t.me/placeholder_01)"}}]}}`))
	m := meta{source: "fuzz", kind: "reddit", now: platformtest.Now}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := parseListing(body, m)
		if err != nil {
			return
		}
		posts := make([]wire.Post, 0, len(pg.items))
		for _, it := range pg.items {
			posts = append(posts, it.post)
		}
		platformtest.CheckFuzzPosts(t, posts)
	})
}

func FuzzParseFeed(f *testing.F) {
	f.Add(platformtest.ReadFile(f, "new_rss_synthetic.xml"))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>t3_x</id><content type="html">&lt;div class="md"&gt;&lt;a href="https://i.redd.it/a.png"&gt;https://i.redd.it/a.png&lt;/a&gt;&lt;/div&gt;</content></entry></feed>`))
	m := meta{source: "fuzz", kind: "reddit", now: platformtest.Now}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := parseFeed(body, m)
		if err != nil {
			return
		}
		posts := make([]wire.Post, 0, len(pg.items))
		for _, it := range pg.items {
			posts = append(posts, it.post)
		}
		platformtest.CheckFuzzPosts(t, posts)
	})
}
