package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const htmlType = "text/html; charset=utf-8"

func config(options map[string]string, targets ...string) source.Config {
	return source.Config{Name: "telegram-test", Kind: "telegram", Targets: targets, Options: options}
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

func TestChannelGolden(t *testing.T) {
	for _, tc := range []struct {
		channel, fixture string
		n                int
		newest           string
	}{
		{"habr_com", "s_habr_com_2023-05.html", 20, "56641"},
		{"codecamp", "s_codecamp_2023-05.html", 20, "2376"},
		{"seniorpy", "s_seniorpy_2023-05.html", 19, "1650"},
	} {
		t.Run(tc.channel, func(t *testing.T) {
			sc := config(nil, tc.channel)
			p := newTestPoller(t, sc)
			f := platformtest.NewFetcher(t)
			f.Handle("GET t.me/s/"+tc.channel, platformtest.Fixture(t, tc.fixture, htmlType))
			b, err := p.Poll(context.Background(), f, tgt(sc, "@"+tc.channel), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Posts) != tc.n || b.Cursor != tc.newest || b.More {
				t.Fatalf("%d posts, cursor %q, more %v; want %d and %s", len(b.Posts), b.Cursor, b.More, tc.n, tc.newest)
			}
			if reqs := f.Requests(); len(reqs) != 1 || reqs[0].URL != "https://t.me/s/"+tc.channel {
				t.Errorf("requests = %v, want the newest page only on a first poll", reqs)
			}
			platformtest.AssertNoMedia(t, b.Posts)
			platformtest.AssertOldestFirst(t, b.Posts)
			for _, p := range b.Posts {
				for _, l := range p.Links {
					if strings.Contains(l, "?q=") {
						t.Errorf("%s lists a hashtag search link %s", p.ID, l)
					}
				}
			}
			platformtest.Golden(t, tc.channel+".golden.json", b.Posts)

			// Resume: nothing newer than the cursor.
			f.Reset()
			again, err := p.Poll(context.Background(), f, tgt(sc, tc.channel), b.Cursor)
			if err != nil || len(again.Posts) != 0 || again.Cursor != b.Cursor {
				t.Errorf("resume: %d posts, cursor %q, %v", len(again.Posts), again.Cursor, err)
			}
			if len(f.Requests()) != 1 {
				t.Errorf("resume made %d requests, want 1 (the newest page holds the cursor)", len(f.Requests()))
			}
		})
	}
}

func TestCodecampMessages(t *testing.T) {
	sc := config(nil, "codecamp")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("GET t.me/s/codecamp", platformtest.Fixture(t, "s_codecamp_2023-05.html", htmlType))
	b, err := p.Poll(context.Background(), f, tgt(sc, "codecamp"), "")
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]wire.Post{}
	for _, p := range b.Posts {
		by[p.ID] = p
	}
	photo := by["campcode/2357"]
	if photo.Permalink != "https://t.me/campcode/2357" || photo.Author != "CodeCamp" || photo.AuthorURL != "https://t.me/campcode" ||
		photo.Attachments != 1 || len(photo.Links) != 1 || photo.Links[0] != "https://github.com/lyrebird-voice-changer/lyrebird" ||
		!strings.HasPrefix(photo.Text, "Пора познакомиться с Lyrebird") || !strings.Contains(photo.Text, "\n\nТут есть") ||
		photo.CreatedAt.Format("2006-01-02T15:04:05Z07:00") != "2023-05-01T07:45:19Z" {
		t.Errorf("campcode/2357 = %+v", photo)
	}
	doc := by["campcode/2364"]
	if doc.Attachments != 1 || !strings.Contains(doc.Text, "Гид по Computer Science.pdf") {
		t.Errorf("document message = %+v", doc)
	}
	preview := by["campcode/2371"]
	if len(preview.Links) == 0 || !strings.HasPrefix(preview.Links[len(preview.Links)-1], "https://habr.com/ru/articles/729998/") {
		t.Errorf("link preview target missing: %v", preview.Links)
	}
	if strings.Contains(preview.Text, "тимлид одной из") {
		t.Error("the link preview's title (the linked site's text) was taken as the message's text")
	}
}

func TestSeniorpyPollAndAlbum(t *testing.T) {
	sc := config(nil, "seniorpy")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("GET t.me/s/seniorpy", platformtest.Fixture(t, "s_seniorpy_2023-05.html", htmlType))
	b, err := p.Poll(context.Background(), f, tgt(sc, "seniorpy"), "")
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]wire.Post{}
	for _, p := range b.Posts {
		by[p.ID] = p
	}
	poll := by["seniorpy/1630"]
	if !strings.Contains(poll.Text, "Каким будет результат выполнения кода выше?\n[[1], [1], [1]]") || poll.Author != "seniorpy" {
		t.Errorf("poll message = %+v", poll)
	}
	album := by["seniorpy/1650"]
	if album.Attachments < 2 || len(album.Links) != 0 {
		t.Errorf("album = attachments %d links %v", album.Attachments, album.Links)
	}
}

func TestUnknownChannelIsReported(t *testing.T) {
	sc := config(nil, "not_existed_channel")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	f.Handle("GET t.me/s/not_existed_channel", platformtest.Fixture(t, "s_not_existed_channel.html", htmlType))
	b, err := p.Poll(context.Background(), f, tgt(sc, "not_existed_channel"), "")
	if !errors.Is(err, ErrNoPreview) || !strings.Contains(err.Error(), "channel not_existed_channel has no public preview or does not exist") {
		t.Errorf("err = %v, want ErrNoPreview naming the channel", err)
	}
	if len(b.Posts) != 0 {
		t.Errorf("posts from a missing channel: %v", b.Posts)
	}
}

// olderHabrPage derives the page before the recorded one: ids and the
// before anchor shifted down by 20, dates a month earlier.
func olderHabrPage(t *testing.T) []byte {
	body := string(platformtest.ReadFile(t, "s_habr_com_2023-05.html"))
	ids := regexp.MustCompile(`habr_com/(\d+)`)
	body = ids.ReplaceAllStringFunc(body, func(m string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(m, "habr_com/"))
		return fmt.Sprintf("habr_com/%d", n-20)
	})
	body = strings.ReplaceAll(body, `data-before="56622"`, `data-before="56602"`)
	body = strings.ReplaceAll(body, `before=56622`, `before=56602`)
	body = strings.ReplaceAll(body, `datetime="2023-05-`, `datetime="2023-04-`)
	return []byte(body)
}

func TestGapPaging(t *testing.T) {
	sc := config(nil, "habr_com")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	older := olderHabrPage(t)
	newest := platformtest.Fixture(t, "s_habr_com_2023-05.html", htmlType)
	f.Handle("GET t.me/s/habr_com", func(req *source.Request) (*source.Response, error) {
		u, _ := url.Parse(req.URL)
		switch u.Query().Get("before") {
		case "":
			return newest(req)
		case "56622":
			return platformtest.Respond(req, 200, http.Header{"Content-Type": {htmlType}}, older)
		}
		t.Errorf("unexpected %s", req.URL)
		return platformtest.Respond(req, 404, nil, nil)
	})
	b, err := p.Poll(context.Background(), f, tgt(sc, "habr_com"), "56610")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 31 || b.Posts[0].ID != "habr_com/56611" || b.Posts[30].ID != "habr_com/56641" || b.Cursor != "56641" {
		t.Fatalf("got %d posts (%s..), cursor %s; want 56611..56641", len(b.Posts), b.Posts[0].ID, b.Cursor)
	}
	platformtest.AssertOldestFirst(t, b.Posts)
	if reqs := f.Requests(); len(reqs) != 2 {
		t.Errorf("%d requests, want the newest page and one older", len(reqs))
	}
}

func TestBackfillOption(t *testing.T) {
	sc := config(map[string]string{"backfill_pages": "1"}, "habr_com")
	p := newTestPoller(t, sc)
	f := platformtest.NewFetcher(t)
	older := olderHabrPage(t)
	newest := platformtest.Fixture(t, "s_habr_com_2023-05.html", htmlType)
	f.Handle("GET t.me/s/habr_com", func(req *source.Request) (*source.Response, error) {
		if strings.Contains(req.URL, "before=56622") {
			return platformtest.Respond(req, 200, http.Header{"Content-Type": {htmlType}}, older)
		}
		return newest(req)
	})
	b, err := p.Poll(context.Background(), f, tgt(sc, "habr_com"), "")
	if err != nil || len(b.Posts) != 40 {
		t.Fatalf("%d posts, %v; want two pages", len(b.Posts), err)
	}
}

func TestErrors(t *testing.T) {
	sc := config(nil, "habr_com")
	for _, tc := range []struct {
		name    string
		handler platformtest.Handler
		want    func(error) bool
	}{
		{"429", platformtest.Static(429, http.Header{"Retry-After": {"60"}}, nil), func(err error) bool {
			var re *source.RetryError
			return errors.As(err, &re)
		}},
		{"json instead of html", platformtest.JSON(`{"ok":false}`), func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "want HTML")
		}},
		{"garbage html", platformtest.Static(200, http.Header{"Content-Type": {htmlType}}, []byte("<<<>>>\x00\xff")), func(err error) bool {
			return errors.Is(err, ErrNoPreview)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPoller(t, sc)
			f := platformtest.NewFetcher(t)
			f.Handle("GET t.me/s/habr_com", tc.handler)
			_, err := p.Poll(context.Background(), f, tgt(sc, "habr_com"), "")
			if !tc.want(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestMalformedMessageKeepsTheRest(t *testing.T) {
	body := string(platformtest.ReadFile(t, "s_habr_com_2023-05.html"))
	body = strings.Replace(body, `data-post="habr_com/56622"`, `data-post="habr_com"`, 1)
	body = strings.Replace(body, `data-post="habr_com/56623"`, `data-post="habr_com/-5"`, 1)
	m := meta{source: "telegram-test", kind: "telegram", site: mustURL(defaultSite), now: platformtest.Now}
	pg, err := parsePage([]byte(body), "habr_com", m)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.messages) != 18 || len(pg.bad) != 2 {
		t.Errorf("messages %d bad %d, want 18 and 2", len(pg.messages), len(pg.bad))
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   source.Config
		want string
	}{
		{"url target", config(nil, "https://t.me/s/durov"), "targets[0]"},
		{"short", config(nil, "abc"), "not a Telegram channel"},
		{"backfill", config(map[string]string{"backfill_pages": "100"}), "options.backfill_pages"},
		{"unknown", config(map[string]string{"pages": "2"}), "options.pages"},
		{"base", source.Config{BaseURL: "ftp://t.me"}, "base_url"},
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

func FuzzParseTelegramPage(f *testing.F) {
	for _, name := range []string{"s_not_existed_channel.html", "s_seniorpy_2023-05.html"} {
		f.Add(platformtest.ReadFile(f, name))
	}
	f.Add([]byte(`<div class="tgme_widget_message" data-post="c/1"><a class="tgme_widget_message_date" href="https://t.me/c/1"><time datetime="2023-05-01T07:45:19+00:00"></time></a><div class="tgme_widget_message_text"><a href="https://cdn4.telegram-cdn.org/file/x.jpg">https://cdn4.telegram-cdn.org/file/x.jpg</a> <a href="?q=%23x">#x</a> <a href="//t.me/placeholder_01">@p</a></div><a class="tgme_widget_message_link_preview" href="https://i.imgur.com/a.gif"></a></div>`))
	m := meta{source: "fuzz", kind: "telegram", site: mustURL(defaultSite), now: platformtest.Now}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := parsePage(body, "c", m)
		if err != nil {
			return
		}
		posts := make([]wire.Post, 0, len(pg.messages))
		for _, msg := range pg.messages {
			posts = append(posts, msg.post)
		}
		platformtest.CheckFuzzPosts(t, posts)
	})
}
