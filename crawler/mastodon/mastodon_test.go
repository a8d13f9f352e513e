package mastodon

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const host = "mastodon.social"

func config(targets ...string) source.Config {
	return source.Config{Name: "mastodon-test", Kind: "mastodon", BaseURL: "https://" + host, Targets: targets}
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

func fake(t *testing.T, instance string) *platformtest.Fetcher {
	f := platformtest.NewFetcher(t)
	f.Handle("GET "+host+"/api/v2/instance", platformtest.Fixture(t, instance, "application/json"))
	return f
}

func TestTagTimelineGolden(t *testing.T) {
	sc := config("tag:hoot")
	p := newTestPoller(t, sc)
	f := fake(t, "instance_v2_mastodon.social_2026-08.json")
	f.Handle("GET "+host+"/api/v1/timelines/tag/hoot", platformtest.Fixture(t, "timeline_tag_hoot.json", ""))
	b, err := p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.Golden(t, "tag_hoot.golden.json", b.Posts)
	if len(b.Posts) != 1 || b.Posts[0].Text != "#hoot (hashtag toot)" || len(b.Posts[0].Links) != 0 {
		t.Errorf("posts = %+v (the hashtag anchor is not an outbound link)", b.Posts)
	}
	if b.Cursor != "117020593741189701" || b.More {
		t.Errorf("cursor %q more %v", b.Cursor, b.More)
	}
	q := f.Query(1)
	if q.Get("limit") != "40" || q.Has("min_id") || q.Has("local") || q.Has("remote") {
		t.Errorf("tag query = %v", q)
	}
	// The instance configuration is cached: the next poll costs one request.
	f.Reset()
	f.Handle("GET "+host+"/api/v1/timelines/tag/hoot", platformtest.JSON("[]"))
	b, err = p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), b.Cursor)
	if err != nil || len(b.Posts) != 0 || b.Cursor != "117020593741189701" {
		t.Fatalf("resume: %d posts, cursor %q, %v", len(b.Posts), b.Cursor, err)
	}
	if reqs := f.Requests(); len(reqs) != 1 || f.Query(0).Get("min_id") != "117020593741189701" {
		t.Errorf("resume requests = %d, query %v", len(reqs), f.Query(0))
	}
}

func TestDisabledPublicTimelineIsRefused(t *testing.T) {
	sc := config("public", "public:local")
	p := newTestPoller(t, sc)
	f := fake(t, "instance_v2_mastodon.social_2026-08.json")
	for _, name := range []string{"public", "public:local"} {
		_, err := p.Poll(context.Background(), f, tgt(sc, name), "")
		if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "timelines_access.live_feeds") ||
			!strings.Contains(err.Error(), `local="disabled"`) {
			t.Errorf("%s: err = %v, want ErrBlocked naming the setting", name, err)
		}
	}
	for _, r := range f.Requests() {
		if strings.Contains(r.URL, "/timelines/public") {
			t.Errorf("requested a disabled timeline: %s", r.URL)
		}
	}
}

func TestPublicTimelineLocalOnlyGolden(t *testing.T) {
	sc := config("public")
	p := newTestPoller(t, sc)
	f := fake(t, "instance_v2_live_local_only_derived.json")
	f.Handle("GET "+host+"/api/v1/timelines/public", platformtest.Fixture(t, "timeline_public_20.json", ""))
	b, err := p.Poll(context.Background(), f, tgt(sc, "public"), "")
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Query(1); q.Get("local") != "true" || q.Has("remote") {
		t.Errorf("a feed open for local posts only is read with local=true: %v", q)
	}
	if len(b.Posts) != 20 {
		t.Fatalf("got %d posts, want 20", len(b.Posts))
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.AssertOldestFirst(t, b.Posts)
	platformtest.Golden(t, "public_20.golden.json", b.Posts)
	if b.Cursor != "117024258897469903" {
		t.Errorf("cursor = %q, want the newest id (Link rel=prev min_id)", b.Cursor)
	}
	for _, p := range b.Posts {
		if strings.Contains(p.Text, "@mastodonpy_test") && len(p.Links) != 0 {
			t.Errorf("mention anchors listed as links: %v", p.Links)
		}
	}
}

func TestAccountPagingForward(t *testing.T) {
	sc := config("account:mastodonpy_test")
	sc.Options = map[string]string{"limit": "5"}
	p := newTestPoller(t, sc)
	f := fake(t, "instance_v2_mastodon.social_2026-08.json")
	f.Handle("GET "+host+"/api/v1/accounts/lookup", func(req *source.Request) (*source.Response, error) {
		if u, _ := url.Parse(req.URL); u.Query().Get("acct") != "mastodonpy_test" {
			t.Errorf("lookup %s", req.URL)
		}
		return platformtest.Fixture(t, "account_lookup_derived.json", "application/json")(req)
	})
	statuses := "GET " + host + "/api/v1/accounts/117020565966271181/statuses"
	page := map[string]string{
		"":                   "account_statuses_page2_max_id.json", // the newest page, as far as the first poll knows
		"117020580481736214": "account_statuses_page_min_id.json",
	}
	f.Handle(statuses, func(req *source.Request) (*source.Response, error) {
		u, _ := url.Parse(req.URL)
		if u.Query().Get("limit") != "5" {
			t.Errorf("limit = %q", u.Query().Get("limit"))
		}
		name, ok := page[u.Query().Get("min_id")]
		if !ok {
			return platformtest.JSON("[]")(req)
		}
		return platformtest.Fixture(t, name, "")(req)
	})
	ctx := context.Background()
	var all []wire.Post
	cursor := ""
	wantMore := []bool{false, true, false}
	for i := range 3 {
		b, err := p.Poll(ctx, f, tgt(sc, "account:mastodonpy_test"), cursor)
		if err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		if b.More != wantMore[i] {
			t.Errorf("poll %d: More = %v, want %v", i, b.More, wantMore[i])
		}
		platformtest.AssertOldestFirst(t, b.Posts)
		all = append(all, b.Posts...)
		cursor = b.Cursor
	}
	if cursor != "117020580518794573" {
		t.Errorf("final cursor %q", cursor)
	}
	if len(all) != 10 {
		t.Fatalf("got %d posts over three polls, want toots 0..9", len(all))
	}
	for i, p := range all {
		if want := "Toot number " + string(rune('0'+i)) + "!"; p.Text != want {
			t.Errorf("post %d text %q, want %q (oldest first, nothing skipped or repeated)", i, p.Text, want)
		}
	}
	lookups := 0
	for _, r := range f.Requests() {
		if strings.Contains(r.URL, "/lookup") {
			lookups++
		}
	}
	if lookups != 1 {
		t.Errorf("looked the account up %d times, want once", lookups)
	}
	platformtest.Golden(t, "account_paging.golden.json", all)
}

func TestBoostQuoteCard(t *testing.T) {
	m := meta{source: "mastodon-test", kind: "mastodon", base: mustURL("https://" + host), now: platformtest.Now}
	var body []byte
	body = append(body, '[')
	for i, name := range []string{"status_reblog_wrapper.json", "status_with_quote.json", "status_with_card.json"} {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, platformtest.ReadFile(t, name)...)
	}
	body = append(body, ']')
	pg, err := parseStatuses(body, m)
	if err != nil {
		t.Fatal(err)
	}
	platformtest.AssertNoMedia(t, pg.posts)
	platformtest.Golden(t, "boost_quote_card.golden.json", pg.posts)
	byID := map[string]wire.Post{}
	for _, p := range pg.posts {
		byID[p.ID] = p
	}
	if _, ok := byID["117020586027094262"]; ok {
		t.Error("the boost wrapper was published instead of the boosted status")
	}
	if b := byID["117020586019094258"]; b.Text != "Toot!" || b.Author != "mastodonpy_test" {
		t.Errorf("boosted original = %+v", b)
	}
	if q := byID["117020582925004921"]; q.Text != "yoooooooo" || len(q.Links) != 0 {
		t.Errorf("quoting status = text %q links %v, want the RE: paragraph left out", q.Text, q.Links)
	}
	if _, ok := byID["117020582917124092"]; !ok {
		t.Error("the quoted status is not published")
	}
	if c := byID["117020609135389699"]; len(c.Links) != 1 || c.Links[0] != "http://example.org/" || c.Text != "http://example.org/" {
		t.Errorf("card status = text %q links %v", c.Text, c.Links)
	}
	if pg.newest != "117020586027094262" || pg.n != 3 {
		t.Errorf("newest %q n %d", pg.newest, pg.n)
	}
}

func TestMediaAttachmentsCountedNeverListed(t *testing.T) {
	m := meta{source: "mastodon-test", kind: "mastodon", base: mustURL("https://" + host), now: platformtest.Now}
	body := `[{"id":"1","created_at":"2026-08-01T13:53:10.824Z","url":"https://` + host + `/@a/1","account":{"acct":"a","url":"https://` + host + `/@a"},
	"content":"<p>new set, ask <a href=\"https://t.me/tg_demo_77\">here</a> <a href=\"https://files.mastodon.social/media_attachments/files/1/original/x.png\">https://files.mastodon.social/media_attachments/files/1/original/x.png</a></p>",
	"media_attachments":[{"type":"image","url":"https://files.mastodon.social/x.png"},{"type":"video","url":"https://files.mastodon.social/y.mp4"}],
	"card":{"url":"https://example.org/pic.jpg","type":"photo"}}]`
	pg, err := parseStatuses([]byte(body), m)
	if err != nil {
		t.Fatal(err)
	}
	p := pg.posts[0]
	if p.Attachments != 4 || len(p.Links) != 1 || p.Links[0] != "https://t.me/tg_demo_77" || strings.Contains(p.Text, "files.mastodon") {
		t.Errorf("post = %+v", p)
	}
}

func TestRateLimitPause(t *testing.T) {
	sc := config("tag:hoot")
	p := newTestPoller(t, sc)
	f := fake(t, "instance_v2_mastodon.social_2026-08.json")
	reset := platformtest.Now.Add(3 * time.Minute)
	f.Handle("GET "+host+"/api/v1/timelines/tag/hoot", platformtest.Static(200, http.Header{
		"Content-Type": {"application/json"}, "X-Ratelimit-Limit": {"300"}, "X-Ratelimit-Remaining": {"0"},
		"X-Ratelimit-Reset": {reset.Format(time.RFC3339Nano)},
	}, platformtest.ReadFile(t, "timeline_tag_hoot.json")))
	b, err := p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), "")
	if err != nil || len(b.Posts) != 1 {
		t.Fatalf("%d posts, %v", len(b.Posts), err)
	}
	_, err = p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), b.Cursor)
	var re *source.RetryError
	if !errors.As(err, &re) || !re.Until.Equal(reset) {
		t.Errorf("err = %v, want RetryError until %s", err, reset)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler platformtest.Handler
		check   func(t *testing.T, err error)
	}{
		{"401 wants a token", platformtest.Static(401, nil, []byte(`{"error":"This method requires an authenticated user"}`)),
			func(t *testing.T, err error) {
				if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "auth.token_env") {
					t.Errorf("err = %v", err)
				}
			}},
		{"429", platformtest.Static(429, http.Header{"Retry-After": {"120"}}, nil),
			func(t *testing.T, err error) {
				var re *source.RetryError
				if !errors.As(err, &re) {
					t.Errorf("err = %v", err)
				}
			}},
		{"html page", platformtest.Static(200, http.Header{"Content-Type": {"text/html"}}, []byte("<html><body>Login</body></html>")),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "not JSON") {
					t.Errorf("err = %v", err)
				}
			}},
		{"object instead of array", platformtest.JSON(`{"error":"Record not found"}`),
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "decoding statuses") {
					t.Errorf("err = %v", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := config("tag:hoot")
			p := newTestPoller(t, sc)
			f := fake(t, "instance_v2_mastodon.social_2026-08.json")
			f.Handle("GET "+host+"/api/v1/timelines/tag/hoot", tc.handler)
			_, err := p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), "")
			tc.check(t, err)
		})
	}
}

func TestMalformedStatusKeepsTheRest(t *testing.T) {
	m := meta{source: "mastodon-test", kind: "mastodon", base: mustURL("https://" + host), now: platformtest.Now}
	good := string(platformtest.ReadFile(t, "timeline_tag_hoot.json"))
	good = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(good), "["), "]")
	body := `[{"id": 5}, {"id":"6","created_at":"yesterday","url":"https://x/6"}, {"content":"no id"}, "str", ` + good + `]`
	pg, err := parseStatuses([]byte(body), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.posts) != 1 || len(pg.bad) != 4 {
		t.Errorf("posts %d bad %d, want 1 and 4", len(pg.posts), len(pg.bad))
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   source.Config
		want string
	}{
		{"no base", source.Config{Targets: []string{"tag:x"}}, "base_url"},
		{"bad target", source.Config{BaseURL: "https://m.example", Targets: []string{"hashtag:x"}}, "targets[0]"},
		{"bad acct", source.Config{BaseURL: "https://m.example", Targets: []string{"account:a b"}}, "not an account"},
		{"limit", source.Config{BaseURL: "https://m.example", Options: map[string]string{"limit": "80"}}, "options.limit"},
		{"unknown option", source.Config{BaseURL: "https://m.example", Options: map[string]string{"local": "true"}}, "options.local"},
		{"token unset", source.Config{BaseURL: "https://m.example", Auth: source.AuthConfig{TokenEnv: "HW_TEST_UNSET_TOKEN"}}, "auth.token_env"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.sc, source.Deps{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	t.Setenv("HW_TEST_MASTODON_TOKEN", "tok-123")
	sc := config("tag:hoot")
	sc.Auth.TokenEnv = "HW_TEST_MASTODON_TOKEN"
	p := newTestPoller(t, sc)
	f := fake(t, "instance_v2_mastodon.social_2026-08.json")
	f.Handle("GET "+host+"/api/v1/timelines/tag/hoot", platformtest.JSON("[]"))
	if _, err := p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Requests() {
		if r.Header.Get("Authorization") != "Bearer tok-123" {
			t.Errorf("%s without the bearer token", r.URL)
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func FuzzParseStatuses(f *testing.F) {
	for _, name := range []string{"timeline_tag_hoot.json", "account_statuses_page1.json"} {
		f.Add(platformtest.ReadFile(f, name))
	}
	f.Add([]byte(`[{"id":"1","created_at":"2026-08-01T13:53:10Z","url":"https://m/1","content":"<a href='https://i.imgur.com/x.png'>https://i.imgur.com/x.png</a><a class='mention' href='https://m/@a'>@a</a>","card":{"url":"https://v.redd.it/x"},"reblog":{"id":"2","created_at":"2026-08-01T13:53:10Z","uri":"https://m/2","quote":{"state":"accepted","quoted_status":{"id":"3","created_at":"2026-08-01T13:53:10Z","uri":"https://m/3"}}}}]`))
	m := meta{source: "fuzz", kind: "mastodon", base: mustURL("https://" + host), now: platformtest.Now}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := parseStatuses(body, m)
		if err != nil {
			return
		}
		platformtest.CheckFuzzPosts(t, pg.posts)
	})
}
