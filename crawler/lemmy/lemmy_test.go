package lemmy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const host = "lemmy.example"

func config(options map[string]string, targets ...string) source.Config {
	return source.Config{Name: "lemmy-test", Kind: "lemmy", BaseURL: "https://" + host, Targets: targets, Options: options}
}

func newTestPoller(t *testing.T, sc source.Config) *Poller {
	t.Helper()
	p, err := newPoller(sc, source.Deps{Log: zaptest.NewLogger(t)}, platformtest.Clock)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tgt(sc source.Config, name string) source.Target { return source.Target{Source: sc, Name: name} }

// posts serves page 1 without a cursor and page 2 for page_cursor=Pa9001.
func posts(t *testing.T, f *platformtest.Fetcher, page1 string) {
	p1 := platformtest.Fixture(t, page1, "application/json")
	p2 := platformtest.Fixture(t, "post_list_page2_synthetic.json", "application/json")
	f.Handle("GET "+host+"/api/v3/post/list", func(req *source.Request) (*source.Response, error) {
		u, _ := url.Parse(req.URL)
		q := u.Query()
		if q.Get("community_name") != "privacy" || q.Get("sort") != "New" || q.Get("type_") != "All" || q.Get("limit") == "" {
			t.Errorf("post list query = %v", q)
		}
		switch q.Get("page_cursor") {
		case "":
			return p1(req)
		case "Pa9001":
			return p2(req)
		}
		t.Errorf("unexpected page_cursor in %s", req.URL)
		return platformtest.Respond(req, 400, nil, nil)
	})
}

func TestPostsGolden(t *testing.T) {
	sc := config(nil, "c/privacy")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	posts(t, f, "post_list_page1_synthetic.json")
	b, err := p.Poll(context.Background(), f, tgt(sc, "c/privacy"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Requests()) != 1 {
		t.Errorf("first poll made %d requests, want the newest page only", len(f.Requests()))
	}
	if q := f.Query(0); q.Get("limit") != "50" || q.Has("page_cursor") {
		t.Errorf("query = %v", q)
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "posts.golden.json", b.Posts)
	by := map[string]wire.Post{}
	for _, p := range b.Posts {
		by[p.ID] = p
	}
	if len(b.Posts) != 4 {
		t.Errorf("got %d posts, want 4 (the removed one skipped)", len(b.Posts))
	}
	if img := by["post/9004"]; img.Attachments != 1 || len(img.Links) != 0 {
		t.Errorf("pict-rs image post = %+v", img)
	}
	fed := by["post/9002"]
	if fed.Permalink != "https://feddit.example/post/4411" || fed.Author != "carol@feddit.example" || fed.Attachments != 1 ||
		strings.Join(fed.Links, " ") != "https://wiki.example.org/threat-modelling https://t.me/tg_demo_77" {
		t.Errorf("federated post = %+v", fed)
	}
	if naive := by["post/9001"]; naive.CreatedAt.Format("2006-01-02T15:04:05.000000Z07:00") != "2024-05-01T22:00:00.654321Z" {
		t.Errorf("naive published parsed as %s", naive.CreatedAt)
	}
	link := by["post/9005"]
	if link.Author != "alice_privacy" || link.AuthorURL != "https://lemmy.example/u/alice_privacy" || link.Links[0] != "https://signal.org/blog/phone-number-privacy-usernames/" {
		t.Errorf("link post = %+v", link)
	}
}

func TestResumeAndCatchUp(t *testing.T) {
	// limit 5: the five entries of page 1 make a full page, so more wait.
	sc := config(map[string]string{"limit": "5"}, "c/privacy")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	// The first poll sees only the older page, as if it were the newest.
	f.Handle("GET "+host+"/api/v3/post/list", platformtest.Fixture(t, "post_list_page2_synthetic.json", "application/json"))
	ctx := context.Background()
	first, err := p.Poll(ctx, f, tgt(sc, "c/privacy"), "")
	if err != nil || len(first.Posts) != 2 {
		t.Fatalf("first poll: %d posts, %v", len(first.Posts), err)
	}
	again, err := p.Poll(ctx, f, tgt(sc, "c/privacy"), first.Cursor)
	if err != nil || len(again.Posts) != 0 {
		t.Fatalf("second poll: %d posts, %v; want none", len(again.Posts), err)
	}
	// Newer posts arrive: page 1 is all new, so the poll follows
	// next_page until it meets a known id.
	f = platformtest.NewFetcher(t)
	posts(t, f, "post_list_page1_synthetic.json")
	caught, err := p.Poll(ctx, f, tgt(sc, "c/privacy"), again.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(caught.Posts) != 4 || len(f.Requests()) != 2 || f.Query(1).Get("page_cursor") != "Pa9001" {
		t.Errorf("catch-up: %d posts, %d requests", len(caught.Posts), len(f.Requests()))
	}
	seen := map[string]bool{}
	for _, p := range append(first.Posts, caught.Posts...) {
		if seen[p.ID] {
			t.Errorf("%s returned twice", p.ID)
		}
		seen[p.ID] = true
	}
}

func TestCommentsGolden(t *testing.T) {
	sc := config(map[string]string{"limit": "20"}, "c/privacy/comments")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("GET "+host+"/api/v3/comment/list", platformtest.Fixture(t, "comment_list_synthetic.json", "application/json"))
	b, err := p.Poll(context.Background(), f, tgt(sc, "c/privacy/comments"), "")
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Query(0); q.Get("community_name") != "privacy" || q.Get("sort") != "New" || q.Get("page") != "1" || q.Get("limit") != "20" {
		t.Errorf("comment query = %v", q)
	}
	if len(b.Posts) != 2 {
		t.Fatalf("got %d comments, want 2 (the deleted one skipped)", len(b.Posts))
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "comments.golden.json", b.Posts)
	if c := b.Posts[1]; c.ID != "comment/77003" || len(c.Links) != 1 || c.Links[0] != "https://signal.me/#eu/placeholder_01" {
		t.Errorf("comment = %+v", c)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler platformtest.Handler
		check   func(t *testing.T, err error)
	}{
		{"unknown community", platformtest.Static(404, http.Header{"Content-Type": {"application/json"}}, platformtest.ReadFile(t, "error_couldnt_find_community.json")),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), `has no community "privacy"`) {
					t.Errorf("err = %v", err)
				}
			}},
		{"rate limit as 400", platformtest.Static(400, http.Header{"Content-Type": {"application/json"}}, platformtest.ReadFile(t, "error_rate_limit.json")),
			func(t *testing.T, err error) {
				var re *source.RetryError
				if !errors.As(err, &re) || !re.Until.After(platformtest.Now) {
					t.Errorf("err = %v, want a RetryError", err)
				}
			}},
		{"429", platformtest.Static(429, http.Header{"Retry-After": {"10"}}, nil),
			func(t *testing.T, err error) {
				var re *source.RetryError
				if !errors.As(err, &re) {
					t.Errorf("err = %v", err)
				}
			}},
		{"html", platformtest.Static(200, http.Header{"Content-Type": {"text/html"}}, []byte("<html>502 Bad Gateway</html>")),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "not JSON") {
					t.Errorf("err = %v", err)
				}
			}},
		{"wrong shape", platformtest.JSON(`{"post_view": {}}`),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "no posts array") {
					t.Errorf("err = %v", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := config(nil, "c/privacy")
			p := newTestPoller(t, sc)
			f := platformtest.NewFetcher(t)
			f.Handle("GET "+host+"/api/v3/post/list", tc.handler)
			_, err := p.Poll(context.Background(), f, tgt(sc, "c/privacy"), "")
			tc.check(t, err)
		})
	}
}

func TestMalformedPostKeepsTheRest(t *testing.T) {
	var page map[string]any
	if err := json.Unmarshal(platformtest.ReadFile(t, "post_list_page1_synthetic.json"), &page); err != nil {
		t.Fatal(err)
	}
	list := page["posts"].([]any)
	page["posts"] = append([]any{
		map[string]any{"post": map[string]any{"id": "x"}},
		map[string]any{"post": map[string]any{"id": 1, "name": "no time", "published": "yesterday"}},
		42,
	}, list...)
	body, _ := json.Marshal(page)
	m := meta{source: "lemmy-test", kind: "lemmy", base: mustURL("https://" + host), now: platformtest.Now}
	pg, err := parsePostList(body, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.items) != 4 || len(pg.bad) != 3 {
		t.Errorf("items %d bad %d, want 4 and 3", len(pg.items), len(pg.bad))
	}
}

func TestTargets(t *testing.T) {
	for in, want := range map[string]target{
		"c/privacy":                {community: "privacy"},
		"privacy@feddit.example":   {community: "privacy@feddit.example"},
		"!privacy@feddit.example":  {community: "privacy@feddit.example"},
		"c/privacy/comments":       {community: "privacy", comments: true},
		"c/tech@lemmy.ml/comments": {community: "tech@lemmy.ml", comments: true},
	} {
		got, err := parseTarget(in)
		if err != nil || got != want {
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "c/", "c/Pri vacy", "https://lemmy.world/c/x", "c/x/posts"} {
		if _, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q) accepted", bad)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   source.Config
		want string
	}{
		{"no base", source.Config{Targets: []string{"c/x"}}, "base_url"},
		{"bad target", config(nil, "c/x y"), "targets[0]"},
		{"limit", config(map[string]string{"limit": "100"}), "options.limit"},
		{"unknown", config(map[string]string{"sort": "Hot"}), "options.sort"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.sc, source.Deps{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func FuzzParseLemmyLists(f *testing.F) {
	for _, name := range []string{"post_list_page1_synthetic.json", "comment_list_synthetic.json"} {
		f.Add(platformtest.ReadFile(f, name))
	}
	f.Add([]byte(`{"posts":[{"post":{"id":1,"name":"x","url":"/pictrs/image/a","body":"![a](https://i.imgur.com/x.png) https://v.redd.it/y","published":"2024-05-01T00:00:00Z","ap_id":"javascript:x"},"creator":{"name":"n","actor_id":"//other/u/n"}}]}`))
	m := meta{source: "fuzz", kind: "lemmy", base: mustURL("https://" + host), now: platformtest.Now}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func([]byte, meta) (page, error){parsePostList, parseCommentList} {
			pg, err := parse(body, m)
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
