package rss

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
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var fetched = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file, contentType string
		minPosts          int
	}{
		{"github_commits_atom.xml", "application/atom+xml; charset=utf-8", 10},
		{"golem_rss2_iso-8859-1.xml", "application/rss+xml", 10},
		{"heise_rss1_rdf.xml", "application/rdf+xml", 10},
		{"gofeed_rss_feed_bom.xml", "application/rss+xml", 0},
		{"gofeed_rss_feed_leading_spaces.xml", "text/xml", 0},
		{"gofeed_jsonfeed_1_1.json", "application/feed+json", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			feed, err := ParseFeed(body, tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			feedURL, _ := url.Parse("https://feeds.example/" + tc.file)
			posts := Convert(feed, feedURL, fetched, func(i int, err error) { t.Errorf("item %d skipped: %v", i, err) })
			if len(posts) < tc.minPosts {
				t.Fatalf("%d posts, want at least %d", len(posts), tc.minPosts)
			}
			checkPosts(t, posts)
			got, _ := json.MarshalIndent(posts, "", "  ")
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+".json")
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
				t.Errorf("posts differ from %s (run with -update after checking the change)", golden)
			}
		})
	}
}

// checkPosts holds for every post of every feed.
func checkPosts(t *testing.T, posts []wire.Post) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range posts {
		if p.ID == "" || ids[p.ID] {
			t.Errorf("post id %q empty or repeated", p.ID)
		}
		ids[p.ID] = true
		if !utf8.ValidString(p.Text) || strings.ContainsRune(p.Text, utf8.RuneError) {
			t.Errorf("%s: text is not clean UTF-8: %q", p.ID, p.Text)
		}
		if !strings.HasPrefix(p.Permalink, "http") {
			t.Errorf("%s: permalink %q", p.ID, p.Permalink)
		}
		for _, l := range p.Links {
			if source.IsMediaURL(l) {
				t.Errorf("%s: media link %q kept", p.ID, l)
			}
		}
		blob, _ := json.Marshal(p)
		for _, media := range []string{"avatars.githubusercontent.com", ".jpg", ".jpeg", ".png", ".gif", ".mp4", "<img", "<video"} {
			if bytes.Contains(bytes.ToLower(blob), []byte(media)) {
				t.Errorf("%s: post carries media %q", p.ID, media)
			}
		}
	}
}

func TestAtomMediaThumbnailCountedNotKept(t *testing.T) {
	body, _ := os.ReadFile("testdata/github_commits_atom.xml")
	feed, err := ParseFeed(body, "application/atom+xml")
	if err != nil {
		t.Fatal(err)
	}
	posts := Convert(feed, mustURL("https://github.com/miniflux/v2/commits/main.atom"), fetched, nil)
	p := posts[0]
	if p.Attachments != 1 {
		t.Errorf("attachments = %d, want 1 (the media:thumbnail)", p.Attachments)
	}
	if p.Author != "fguillot" || p.Lang != "en-US" || p.Text != "Parse podcast categories" {
		t.Errorf("post = %+v", p)
	}
	if !strings.HasPrefix(p.Permalink, "https://github.com/miniflux/v2/commit/6d97f8b") {
		t.Errorf("permalink = %q", p.Permalink)
	}
}

func TestCharsetISO88591(t *testing.T) {
	body, _ := os.ReadFile("testdata/golem_rss2_iso-8859-1.xml")
	// Declared in the XML and in the header: decoded once, not twice.
	for _, ct := range []string{"application/rss+xml", "application/rss+xml; charset=ISO-8859-1"} {
		feed, err := ParseFeed(body, ct)
		if err != nil {
			t.Fatal(err)
		}
		posts := Convert(feed, mustURL("https://rss.golem.de/rss.php?feed=RSS2.0"), fetched, nil)
		all := ""
		for _, p := range posts {
			all += p.Text
		}
		if !strings.ContainsAny(all, "äöüÄÖÜß") {
			t.Errorf("%s: no umlauts decoded", ct)
		}
		if strings.Contains(all, "Ã") {
			t.Errorf("%s: double-decoded text (mojibake)", ct)
		}
	}
	// The same feed without a declaration relies on the header.
	noDecl := bytes.Replace(body, []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>`), nil, 1)
	feed, err := ParseFeed(noDecl, "application/rss+xml; charset=ISO-8859-1")
	if err != nil {
		t.Fatal(err)
	}
	if txt := Convert(feed, mustURL("https://rss.golem.de/"), fetched, nil)[0].Text; !utf8.ValidString(txt) || strings.ContainsRune(txt, utf8.RuneError) {
		t.Errorf("header charset not applied: %q", txt)
	}
}

func TestNotAFeed(t *testing.T) {
	for _, f := range []string{"gofeed_unknown_feed.xml", "gofeed_empty_feed.xml"} {
		body, _ := os.ReadFile(filepath.Join("testdata", f))
		if _, err := ParseFeed(body, "application/xml"); !errors.Is(err, ErrNotAFeed) {
			t.Errorf("%s: err = %v, want ErrNotAFeed", f, err)
		}
	}
}

func TestInvalidUTF8AndControls(t *testing.T) {
	feed := "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title><link>https://x.example/</link>" +
		"<item><guid>a</guid><title>bad \xff\xfe byte \x01 and control</title><link>https://x.example/a</link></item>" +
		"<item><guid>b</guid><title>fine, wickr: placeholder_01</title><link>https://x.example/b</link></item></channel></rss>"
	f, err := ParseFeed([]byte(feed), "application/rss+xml")
	if err != nil {
		t.Fatalf("one bad byte must not sink the feed: %v", err)
	}
	posts := Convert(f, mustURL("https://x.example/feed"), fetched, nil)
	if len(posts) != 2 || posts[1].Text != "fine, wickr: placeholder_01" {
		t.Fatalf("posts = %+v", posts)
	}
	if !utf8.ValidString(posts[0].Text) {
		t.Errorf("text not valid UTF-8: %q", posts[0].Text)
	}
}

func TestContentReducedLinksKeptMediaDropped(t *testing.T) {
	feed := `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title><link>https://forum.example/</link>
<item><guid isPermaLink="false">42</guid><title>Title &amp; more</title><link>/t/42</link>
<description><![CDATA[<p>Hello <a href="/u/bob">bob</a> <a href="https://cdn.example/pic.JPG">pic</a></p><img src="https://cdn.example/x.png"><video src="/v.mp4"></video><script>bad()</script><p>see https://other.example/page</p>]]></description>
<enclosure url="https://cdn.example/a.mp3" type="audio/mpeg" length="1"/>
<media:group><media:content url="https://cdn.example/1.jpg"/><media:content url="https://cdn.example/2.jpg"/></media:group>
</item></channel></rss>`
	f, err := ParseFeed([]byte(feed), "application/rss+xml")
	if err != nil {
		t.Fatal(err)
	}
	p := Convert(f, mustURL("https://forum.example/feed.xml"), fetched, nil)[0]
	if p.ID != "42" || p.Permalink != "https://forum.example/t/42" {
		t.Errorf("id %q permalink %q", p.ID, p.Permalink)
	}
	if want := "Title & more\n\nHello bob pic\n\nsee https://other.example/page"; p.Text != want {
		t.Errorf("text = %q, want %q", p.Text, want)
	}
	if len(p.Links) != 1 || p.Links[0] != "https://forum.example/u/bob" {
		t.Errorf("links = %v", p.Links)
	}
	if p.Attachments != 6 { // the pic link, img, video, enclosure, two media:content
		t.Errorf("attachments = %d, want 6", p.Attachments)
	}
}

// feedServer serves a feed whose items can grow, with an ETag.
type feedServer struct {
	mu      sync.Mutex
	items   []string
	version int
	hits    int
	notMod  int
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	s.hits++
	etag := fmt.Sprintf(`"v%d"`, s.version)
	if r.Header.Get("If-None-Match") == etag {
		s.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><link>https://x.example/</link>`)
	for i := len(s.items) - 1; i >= 0; i-- { // newest first, as feeds list them
		fmt.Fprintf(w, `<item><guid>%s</guid><title>post %s</title><pubDate>Mon, 0%d Jan 2026 10:00:00 GMT</pubDate></item>`, s.items[i], s.items[i], i+1)
	}
	fmt.Fprint(w, `</channel></rss>`)
}

func TestPollConditionalAndIncremental(t *testing.T) {
	fs := &feedServer{items: []string{"a", "b"}, version: 1}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	sc := source.Config{Name: "feeds", Kind: "rss", BaseURL: srv.URL, Targets: []string{"/feed.xml"}}
	p, err := New(sc, source.Deps{Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	f := fetch.NewHosts(fetch.Options{AllowPrivate: true, Rate: 100, Burst: 10, Log: zaptest.NewLogger(t)}).Fetcher(sc)
	tgt := source.Target{Source: sc, Name: "/feed.xml"}
	ctx := context.Background()

	b1, err := p.Poll(ctx, f, tgt, "")
	if err != nil {
		t.Fatal(err)
	}
	if ids(b1.Posts) != "a,b" {
		t.Fatalf("first poll: %s, want a,b oldest first", ids(b1.Posts))
	}
	b2, err := p.Poll(ctx, f, tgt, b1.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(b2.Posts) != 0 || fs.notMod != 1 || b2.Cursor != "" {
		t.Fatalf("conditional poll: %d posts, %d 304s, cursor %q", len(b2.Posts), fs.notMod, b2.Cursor)
	}
	fs.mu.Lock()
	fs.items = append(fs.items, "c")
	fs.version++
	fs.mu.Unlock()
	b3, err := p.Poll(ctx, f, tgt, b1.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if ids(b3.Posts) != "c" {
		t.Fatalf("after a new item: %s, want c", ids(b3.Posts))
	}
	var c Cursor
	json.Unmarshal([]byte(b3.Cursor), &c)
	if c.ETag != `"v2"` || len(c.Seen) != 3 {
		t.Errorf("cursor = %+v", c)
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"window": "5"}, "options.window"},
		{map[string]string{"colour": "red"}, "options.colour: unknown option"},
	} {
		_, err := New(source.Config{Name: "x", BaseURL: "https://x.example", Targets: []string{"/f"}, Options: tc.opts}, source.Deps{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
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

func FuzzConvert(f *testing.F) {
	for _, name := range []string{"gofeed_rss_feed_bom.xml", "gofeed_jsonfeed_1_1.json", "gofeed_unknown_feed.xml"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(b, "application/xml")
	}
	f.Add([]byte(`<rss><channel><item><title>x</title><description>&lt;a href="/y.png"&gt;z&lt;/a&gt;</description></item></channel></rss>`), "text/xml; charset=latin1")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><content type="html">&lt;img src=x.jpg&gt;</content></entry></feed>`), "")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		feed, err := ParseFeed(body, ct)
		if err != nil {
			return
		}
		for _, p := range Convert(feed, mustURL("https://x.example/feed"), fetched, nil) {
			if p.ID == "" {
				t.Fatal("post without id")
			}
			if !utf8.ValidString(p.Text) {
				t.Fatalf("invalid UTF-8 text %q", p.Text)
			}
			for _, l := range p.Links {
				if source.IsMediaURL(l) {
					t.Fatalf("media link %q", l)
				}
			}
		}
	})
}
