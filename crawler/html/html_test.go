package html

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/fetch"
	"github.com/handlewatch/handlewatch/crawler/fetch/fetchtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var fetched = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// Selectors of the synthetic forum in testdata/forum.
var forumSelectors = &source.HTMLSelectors{
	Post: "article.post", ID: "data-post-id", Text: ".body", Title: ".title",
	Author: ".author", Permalink: "a.permalink", Time: "time", Next: "a.next",
}

func TestGolden(t *testing.T) {
	sel, err := Compile(forumSelectors)
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"page1", "page2", "page3"} {
		t.Run(page, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "forum", page+".html"))
			if err != nil {
				t.Fatal(err)
			}
			pageURL, _ := url.Parse("https://board.example/new")
			posts, next, errs := Extract(body, pageURL, sel, fetched)
			checkPosts(t, posts)
			out := struct {
				Posts  []wire.Post `json:"posts"`
				Next   string      `json:"next,omitempty"`
				Errors []string    `json:"errors,omitempty"`
			}{Posts: posts}
			if next != nil {
				out.Next = next.String()
			}
			for _, e := range errs {
				out.Errors = append(out.Errors, e.Error())
			}
			got, _ := json.MarshalIndent(out, "", "  ")
			golden := filepath.Join("testdata", "golden", page+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("posts differ from %s (run with -update after checking the change):\n%s", golden, got)
			}
		})
	}
}

func checkPosts(t *testing.T, posts []wire.Post) {
	t.Helper()
	for _, p := range posts {
		if p.ID == "" || !strings.HasPrefix(p.Permalink, "https://") {
			t.Errorf("post %+v: id or permalink missing", p)
		}
		if !utf8.ValidString(p.Text) {
			t.Errorf("%s: invalid UTF-8", p.ID)
		}
		blob, _ := json.Marshal(p)
		for _, media := range []string{"/uploads/", "/static/", ".jpg", ".JPG", ".png", ".webp", ".mp4", ".ogg", ".mkv", "document.write"} {
			if bytes.Contains(blob, []byte(media)) {
				t.Errorf("%s: post carries %q", p.ID, media)
			}
		}
	}
}

func TestExtractDetails(t *testing.T) {
	sel, _ := Compile(forumSelectors)
	body, _ := os.ReadFile("testdata/forum/page1.html")
	posts, next, errs := Extract(body, mustURL("https://board.example/new"), sel, fetched)
	if len(errs) != 0 || len(posts) != 3 {
		t.Fatalf("%d posts, errors %v", len(posts), errs)
	}
	bike := posts[0]
	if bike.ID != "1006" || bike.Permalink != "https://board.example/t/1006" || bike.Author != "example_seller" ||
		bike.AuthorURL != "https://board.example/u/example_seller" || bike.Lang != "en" ||
		!bike.CreatedAt.Equal(time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC)) {
		t.Errorf("bike = %+v", bike)
	}
	if !strings.HasPrefix(bike.Text, "Bike for sale\n\nSelling a blue city bike") || !strings.Contains(bike.Text, "kik: placeholder_01") {
		t.Errorf("text = %q", bike.Text)
	}
	if bike.Attachments != 4 || len(bike.Links) != 0 {
		t.Errorf("attachments %d, want 4 (img, picture and the two links to photos), links %v (both media)", bike.Attachments, bike.Links)
	}
	meet := posts[1]
	if meet.Attachments != 3 || len(meet.Links) != 1 || meet.Links[0] != "https://maps.example/park?z=15" {
		t.Errorf("meetup: attachments %d (video, audio, iframe), links %v", meet.Attachments, meet.Links)
	}
	if !meet.CreatedAt.Equal(time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC)) {
		t.Errorf("meetup time %v", meet.CreatedAt)
	}
	quote := posts[2]
	if strings.Contains(quote.Text, "not text") || !strings.Contains(quote.Text, "Reply text with bold and a mail link.\nSecond line.") {
		t.Errorf("quote text = %q", quote.Text)
	}
	if next == nil || next.String() != "https://board.example/new?page=2" {
		t.Errorf("next = %v", next)
	}
}

// TestExtractTooDeep: a page whose posts sit under more nesting than the
// HTML parser takes (512 elements) is read flattened: the posts are all
// there, with one source.ErrFlattened and no other error.
func TestExtractTooDeep(t *testing.T) {
	sel, _ := Compile(forumSelectors)
	body, _ := os.ReadFile("testdata/forum/page1.html")
	s := string(body)
	i, j := strings.Index(s, "<body"), strings.LastIndex(s, "</body>")
	open := i + strings.Index(s[i:], ">") + 1
	deep := s[:open] + strings.Repeat("<div>", 1000) + s[open:j] + strings.Repeat("</div>", 1000) + s[j:]
	posts, _, errs := Extract([]byte(deep), mustURL("https://board.example/new"), sel, fetched)
	if len(errs) != 1 || !errors.Is(errs[0], source.ErrFlattened) {
		t.Fatalf("errors %v, want one ErrFlattened", errs)
	}
	if len(posts) != 3 || !strings.Contains(posts[0].Text, "kik: placeholder_01") {
		t.Fatalf("%d posts (%+v), want the page's 3", len(posts), posts)
	}
}

func TestValidateSelectors(t *testing.T) {
	for _, tc := range []struct {
		sel  *source.HTMLSelectors
		want string
	}{
		{nil, "html: the post"},
		{&source.HTMLSelectors{Text: "p", Permalink: "a"}, "html.post: a selector is required"},
		{&source.HTMLSelectors{Post: "div[", Text: "p", Permalink: "a"}, `html.post: invalid selector "div["`},
		{&source.HTMLSelectors{Post: "div", Text: "p", Permalink: "a", Next: "a:nope"}, "html.next: invalid selector"},
		{&source.HTMLSelectors{Post: "div", Text: "p", Permalink: "a", ID: "!!"}, "html.id:"},
	} {
		err := ValidateSelectors(tc.sel)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.sel, err, tc.want)
		}
	}
	if err := ValidateSelectors(forumSelectors); err != nil {
		t.Error(err)
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-20T10:05:00Z":            "2026-11-20T10:05:00Z",
		"2026-11-19T18:30:00+01:00":       "2026-11-19T17:30:00Z",
		"2026-11-18 09:00":                "2026-11-18T09:00:00Z",
		"Mon, 02 Jan 2006 15:04:05 -0700": "2006-01-02T22:04:05Z",
		"1700000000":                      "2023-11-14T22:13:20Z",
		"1700000000123":                   "2023-11-14T22:13:20.123Z",
		"Jan 2, 2024 3:04 PM":             "2024-01-02T15:04:00Z",
		"yesterday":                       "",
		"42":                              "",
		"0001-01-01T00:00:00Z":            "",
	} {
		got, ok := ParseTime(in)
		switch {
		case want == "" && ok:
			t.Errorf("ParseTime(%q) = %v, want no time", in, got)
		case want != "" && (!ok || got.Format(time.RFC3339Nano) != want):
			t.Errorf("ParseTime(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
}

// forum serves the synthetic pages (page 1 can gain a post) and every
// media file they mention, counting what is asked for.
type forum struct {
	mu      sync.Mutex
	extra   string
	counter fetchtest.Counter
}

func (f *forum) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin\n")
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		body, err := os.ReadFile(filepath.Join("testdata", "forum", "page"+page+".html"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if page == "1" {
			f.mu.Lock()
			body = bytes.Replace(body, []byte(`<main class="thread-list">`), []byte(`<main class="thread-list">`+f.extra), 1)
			f.mu.Unlock()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	})
	media := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(bytes.Repeat([]byte{0}, 1024))
	}
	mux.HandleFunc("/uploads/", media)
	mux.HandleFunc("/static/", media)
	return f.counter.Wrap(mux)
}

func TestPollFollowsPagesAndResumes(t *testing.T) {
	fo := &forum{}
	board := httptest.NewServer(fo.handler(t))
	defer board.Close()
	var elsewhere fetchtest.Counter
	other := httptest.NewServer(elsewhere.Wrap(http.NotFoundHandler()))
	defer other.Close()

	sc := source.Config{Name: "board", Kind: "html", BaseURL: "https://board.example", Targets: []string{"/new"}, HTML: forumSelectors}
	p, err := New(sc, source.Deps{Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	hosts := fetch.NewHosts(fetch.Options{
		Rate: 100, Burst: 10, Log: zaptest.NewLogger(t),
		Transport: fetchtest.Rewrite(map[string]*httptest.Server{"board.example": board, "elsewhere.example": other}),
	})
	f := hosts.Fetcher(sc)
	tgt := source.Target{Source: sc, Name: "/new"}
	ctx := context.Background()

	b1, err := p.Poll(ctx, f, tgt, "")
	if err != nil {
		t.Fatal(err)
	}
	// 1002 shows no time: it keeps a zero time, which sorts first.
	if got := ids(b1.Posts); got != "1002,1003,1001,1004,1005,1006" {
		t.Errorf("order: %s", got)
	}
	if len(b1.Posts) != 6 {
		t.Fatalf("first poll: %d posts (%s), want 6", len(b1.Posts), ids(b1.Posts))
	}
	checkPosts(t, b1.Posts)
	if n := fo.counter.Count("/new"); n != 3 {
		t.Errorf("pages fetched: %d, want 3", n)
	}
	if n := elsewhere.Total(); n != 0 {
		t.Errorf("the unapproved next page was fetched %d times", n)
	}

	b2, err := p.Poll(ctx, f, tgt, b1.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b2.Posts) != 0 {
		t.Errorf("second poll: %s, want nothing new", ids(b2.Posts))
	}
	if n := fo.counter.Count("/new"); n != 4 {
		t.Errorf("pages fetched: %d, want 4 (the second poll stops at known posts)", n)
	}

	fo.mu.Lock()
	fo.extra = `<article class="post" data-post-id="1007"><h2 class="title">New</h2><div class="body">fresh <img src="/uploads/new.gif"></div>` +
		`<time datetime="2026-11-21T00:00:00Z"></time><a class="permalink" href="/t/1007">#</a></article>`
	fo.mu.Unlock()
	b3, err := p.Poll(ctx, f, tgt, b2.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if ids(b3.Posts) != "1007" {
		t.Errorf("third poll: %s, want 1007", ids(b3.Posts))
	}
	var c Cursor
	json.Unmarshal([]byte(b3.Cursor), &c)
	if c.NewestID != "1007" {
		t.Errorf("cursor = %+v", c)
	}

	for path, n := range fo.counter.Paths() {
		if path != "/new" && path != "/robots.txt" {
			t.Errorf("requested %s %d times: only pages may be fetched", path, n)
		}
	}
}

func ids(posts []wire.Post) string {
	var s []string
	for _, p := range posts {
		s = append(s, p.ID)
	}
	return strings.Join(s, ",")
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func FuzzExtract(f *testing.F) {
	for _, page := range []string{"page1", "page2", "page3"} {
		b, _ := os.ReadFile(filepath.Join("testdata", "forum", page+".html"))
		f.Add(b)
	}
	f.Add([]byte(`<article class="post" data-post-id="x"><a class="permalink" href="javascript:1"></a><div class="body"><img src=a.png></div></article>`))
	sel, err := Compile(forumSelectors)
	if err != nil {
		f.Fatal(err)
	}
	base := mustURL("https://board.example/new")
	f.Fuzz(func(t *testing.T, body []byte) {
		posts, next, _ := Extract(body, base, sel, fetched)
		for _, p := range posts {
			if p.ID == "" || p.Permalink == "" {
				t.Fatalf("post without id or permalink: %+v", p)
			}
			for _, l := range p.Links {
				if source.IsMediaURL(l) {
					t.Fatalf("media link %q", l)
				}
			}
		}
		if next != nil && next.Scheme != "http" && next.Scheme != "https" {
			t.Fatalf("next %v", next)
		}
	})
}
