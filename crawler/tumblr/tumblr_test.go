package tumblr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const apiKey = "test-consumer-key-123"

func config(t *testing.T, options map[string]string, targets ...string) source.Config {
	t.Setenv("HW_TEST_TUMBLR_KEY", apiKey)
	return source.Config{Name: "tumblr-test", Kind: "tumblr", Targets: targets, Options: options,
		Auth: source.AuthConfig{APIKeyEnv: "HW_TEST_TUMBLR_KEY"}}
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

func TestTaggedGolden(t *testing.T) {
	sc := config(t, nil, "tag:online safety")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("GET api.tumblr.com/v2/tagged", platformtest.Fixture(t, "tagged_synthetic.json", "application/json"))
	b, err := p.Poll(context.Background(), f, tgt(sc, "tag:online safety"), "")
	if err != nil {
		t.Fatal(err)
	}
	q := f.Query(0)
	if q.Get("tag") != "online safety" || q.Get("api_key") != apiKey || q.Get("npf") != "true" || q.Get("limit") != "20" || q.Has("before") {
		t.Errorf("tagged query = %v", q)
	}
	if len(b.Posts) != 11 {
		t.Fatalf("got %d posts, want 11", len(b.Posts))
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "tagged.golden.json", b.Posts)

	by := map[string]wire.Post{}
	for _, p := range b.Posts {
		by[p.ID] = p
	}
	links := by["7000000000000000012"]
	if want := []string{"https://example.org/safety-guide", "https://t.me/tg_demo_77"}; !reflect.DeepEqual(links.Links, want) {
		t.Errorf("link formatting = %v, want %v (redirect unwrapped, mention not a link)", links.Links, want)
	}
	if !strings.HasSuffix(links.Text, "#online safety #privacy") || links.Author != "safety-notes" ||
		links.Permalink != "https://safety-notes.tumblr.com/post/7000000000000000012/slug" || links.AuthorURL != "https://safety-notes.tumblr.com/" {
		t.Errorf("post = %+v", links)
	}
	for id, want := range map[string]int{
		"7000000000000000011": 2, // two image blocks
		"7000000000000000007": 1, // audio
		"7000000000000000006": 1, // video
		"7000000000000000003": 2, // legacy photos
		"7000000000000000002": 5, // five image blocks
	} {
		if got := by[id].Attachments; got != want {
			t.Errorf("%s: %d attachments, want %d", id, got, want)
		}
	}
	news := by["7000000000000000008"]
	if len(news.Links) != 1 || !strings.HasPrefix(news.Links[0], "https://www.nytimes.com/2017/06/15/") {
		t.Errorf("link block = %v", news.Links)
	}
	if got := by["7000000000000000010"].Text; got != "Sward's Shopping List\nSword\nCandy\nBut especially don't forget:\nDeath, which is uncountable on this list." {
		t.Errorf("list text = %q", got)
	}
	if got := by["7000000000000000005"].Text; got != "Hello world!\nThis is a second paragraph below the first.\n\n#reblog" {
		t.Errorf("reblog trail text = %q", got)
	}
	if got := by["7000000000000000004"].Text; got != "Which app do you use?\nSignal\nSession" {
		t.Errorf("poll text = %q", got)
	}
	legacy := by["7000000000000000003"]
	if legacy.Text != "Sunset from the pier. Prints at my shop.\n\n#sunset" || len(legacy.Links) != 1 || legacy.Links[0] != "https://shop.example.com/prints" {
		t.Errorf("legacy post = %+v", legacy)
	}
}

func TestEnvelopesCarrySpecExamples(t *testing.T) {
	var spec []struct {
		Line    int `json:"npf_spec_line"`
		Example struct {
			Content json.RawMessage `json:"content"`
		} `json:"example"`
	}
	if err := json.Unmarshal(platformtest.ReadFile(t, "npf_spec_content_examples.json"), &spec); err != nil {
		t.Fatal(err)
	}
	byLine := map[int]json.RawMessage{}
	for _, e := range spec {
		byLine[e.Line] = e.Example.Content
	}
	var env struct {
		Response []struct {
			IDString string          `json:"id_string"`
			Content  json.RawMessage `json:"content"`
		} `json:"response"`
	}
	if err := json.Unmarshal(platformtest.ReadFile(t, "tagged_synthetic.json"), &env); err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{"7000000000000000011": 1292, "7000000000000000010": 343, "7000000000000000009": 303,
		"7000000000000000008": 814, "7000000000000000007": 869, "7000000000000000006": 962, "7000000000000000002": 1345}
	for _, p := range env.Response {
		line, ok := lines[p.IDString]
		if !ok {
			continue
		}
		var a, b any
		_ = json.Unmarshal(p.Content, &a)
		_ = json.Unmarshal(byLine[line], &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("post %s does not carry NPF spec example %d verbatim", p.IDString, line)
		}
		delete(lines, p.IDString)
	}
	if len(lines) != 0 {
		t.Errorf("posts missing from the envelope: %v", lines)
	}
}

func TestBlogPostsResumeAndCatchUp(t *testing.T) {
	sc := config(t, map[string]string{"limit": "3"}, "blog:safety-notes")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	route := "GET api.tumblr.com/v2/blog/safety-notes.tumblr.com/posts"
	f.Handle(route, platformtest.Fixture(t, "blog_posts_synthetic.json", "application/json"))
	ctx := context.Background()
	b, err := p.Poll(ctx, f, tgt(sc, "blog:safety-notes"), "")
	if err != nil || len(b.Posts) != 3 {
		t.Fatalf("first poll: %d posts, %v", len(b.Posts), err)
	}
	platformtest.Golden(t, "blog.golden.json", b.Posts)
	if q := f.Query(0); q.Get("api_key") != apiKey || q.Get("npf") != "true" || q.Get("limit") != "3" {
		t.Errorf("blog query = %v", q)
	}
	again, err := p.Poll(ctx, f, tgt(sc, "blog:safety-notes"), b.Cursor)
	if err != nil || len(again.Posts) != 0 {
		t.Fatalf("resume: %d posts, %v; want none", len(again.Posts), err)
	}

	// Three newer posts fill a page: the poll pages back with before=.
	var newer map[string]any
	_ = json.Unmarshal(platformtest.ReadFile(t, "blog_posts_synthetic.json"), &newer)
	posts := newer["response"].(map[string]any)["posts"].([]any)
	for i, raw := range posts {
		pm := raw.(map[string]any)
		pm["id_string"] = "72000000000000000" + string(rune('0'+i))
		pm["id"] = 0
		pm["timestamp"] = pm["timestamp"].(float64) + 10000
	}
	newerBody, _ := json.Marshal(newer)
	f.Reset()
	f.Handle(route, func(req *source.Request) (*source.Response, error) {
		u, _ := url.Parse(req.URL)
		if u.Query().Get("before") != "" {
			return platformtest.Fixture(t, "blog_posts_synthetic.json", "application/json")(req)
		}
		return platformtest.Respond(req, 200, http.Header{"Content-Type": {"application/json"}}, newerBody)
	})
	caught, err := p.Poll(ctx, f, tgt(sc, "blog:safety-notes"), again.Cursor)
	if err != nil || len(caught.Posts) != 3 {
		t.Fatalf("catch-up: %d posts, %v", len(caught.Posts), err)
	}
	if reqs := f.Requests(); len(reqs) != 2 || f.Query(1).Get("before") != "1732791800" {
		t.Errorf("catch-up made %d requests, before=%q", len(reqs), f.Query(min(1, len(reqs)-1)).Get("before"))
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler platformtest.Handler
		check   func(t *testing.T, err error)
	}{
		{"401", platformtest.Static(401, http.Header{"Content-Type": {"application/json"}}, platformtest.ReadFile(t, "error_401.json")),
			func(t *testing.T, err error) {
				if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "auth.api_key_env") {
					t.Errorf("err = %v", err)
				}
			}},
		{"404", platformtest.Static(404, http.Header{"Content-Type": {"application/json"}}, platformtest.ReadFile(t, "error_404.json")),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "unknown or deactivated blog") {
					t.Errorf("err = %v", err)
				}
			}},
		{"429 Limit Exceeded", platformtest.Static(429, http.Header{"Retry-After": {"60"}}, []byte(`{"meta":{"status":429,"msg":"Limit Exceeded"}}`)),
			func(t *testing.T, err error) {
				var re *source.RetryError
				if !errors.As(err, &re) {
					t.Errorf("err = %v", err)
				}
			}},
		{"meta error in a 200", platformtest.JSON(`{"meta":{"status":500,"msg":"Server Error"},"response":[]}`),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "500 Server Error") {
					t.Errorf("err = %v", err)
				}
			}},
		{"html", platformtest.Static(200, http.Header{"Content-Type": {"text/html"}}, []byte("<html>Tumblr is down</html>")),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "not JSON") {
					t.Errorf("err = %v", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := config(t, nil, "blog:safety-notes")
			p := newTestPoller(t, sc)
			f := platformtest.NewFetcher(t)
			f.Handle("GET api.tumblr.com/v2/blog/safety-notes.tumblr.com/posts", tc.handler)
			_, err := p.Poll(context.Background(), f, tgt(sc, "blog:safety-notes"), "")
			tc.check(t, err)
			if err != nil && strings.Contains(err.Error(), apiKey) {
				t.Errorf("the API key leaked into the error: %v", err)
			}
		})
	}
}

func TestMalformedPostKeepsTheRest(t *testing.T) {
	var env map[string]any
	_ = json.Unmarshal(platformtest.ReadFile(t, "tagged_synthetic.json"), &env)
	posts := env["response"].([]any)
	env["response"] = append([]any{
		map[string]any{"id_string": "x", "timestamp": 1},
		map[string]any{"id_string": "12", "timestamp": 0},
		map[string]any{"id_string": "13", "timestamp": 5, "content": "not blocks"},
		"nope",
	}, posts...)
	body, _ := json.Marshal(env)
	pg, err := parseResponse(body, meta{source: "tumblr-test", kind: "tumblr", now: platformtest.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.items) != 11 || len(pg.bad) != 4 {
		t.Errorf("items %d bad %d, want 11 and 4", len(pg.items), len(pg.bad))
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Setenv("HW_TEST_TUMBLR_KEY", apiKey)
	auth := source.AuthConfig{APIKeyEnv: "HW_TEST_TUMBLR_KEY"}
	for _, tc := range []struct {
		name string
		sc   source.Config
		want string
	}{
		{"no key", source.Config{Targets: []string{"tag:x"}}, "auth.api_key_env"},
		{"key unset", source.Config{Auth: source.AuthConfig{APIKeyEnv: "HW_TEST_UNSET_KEY"}}, "auth.api_key_env"},
		{"bad target", source.Config{Auth: auth, Targets: []string{"x"}}, "targets[0]"},
		{"bad blog", source.Config{Auth: auth, Targets: []string{"blog:a b"}}, "not a blog"},
		{"limit", source.Config{Auth: auth, Options: map[string]string{"limit": "50"}}, "options.limit"},
		{"unknown", source.Config{Auth: auth, Options: map[string]string{"npf": "false"}}, "options.npf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.sc, source.Deps{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func FuzzParseTumblrResponse(f *testing.F) {
	for _, name := range []string{"tagged_synthetic.json", "blog_posts_synthetic.json", "error_404.json"} {
		f.Add(platformtest.ReadFile(f, name))
	}
	f.Add([]byte(`{"response":[{"id_string":"1","timestamp":1,"blog_name":"b","content":{"type":"link","url":"https://i.imgur.com/a.gif"},"trail":[{"content":[{"type":"text","text":"https://v.redd.it/x","formatting":[{"type":"link","url":"https://64.media.tumblr.com/x.jpg"}]}]}]}]}`))
	m := meta{source: "fuzz", kind: "tumblr", now: platformtest.Now}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := parseResponse(body, m)
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
