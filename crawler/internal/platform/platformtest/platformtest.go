package platformtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Now is the fixed clock of golden tests.
var Now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// Clock returns Now.
func Clock() time.Time { return Now }

// Handler answers one request of the fake fetcher.
type Handler func(req *source.Request) (*source.Response, error)

// Fetcher is a fake source.Fetcher: requests are routed by "METHOD
// host/path" (query ignored) and recorded. An unrouted request fails the
// test.
type Fetcher struct {
	t        testing.TB
	mu       sync.Mutex
	routes   map[string]Handler
	requests []*source.Request
}

var _ source.Fetcher = (*Fetcher)(nil)

// NewFetcher returns an empty fake fetcher.
func NewFetcher(t testing.TB) *Fetcher {
	return &Fetcher{t: t, routes: map[string]Handler{}}
}

// Handle routes "GET host/path" to h (a later route replaces an earlier).
func (f *Fetcher) Handle(route string, h Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = h
}

// Fetch implements source.Fetcher.
func (f *Fetcher) Fetch(ctx context.Context, req *source.Request) (*source.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		f.t.Errorf("fake fetcher: bad url %q: %v", req.URL, err)
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	key := method + " " + u.Host + u.Path
	f.mu.Lock()
	f.requests = append(f.requests, req)
	h := f.routes[key]
	f.mu.Unlock()
	if h == nil {
		f.t.Errorf("fake fetcher: unexpected request %s %s", method, req.URL)
		return nil, &source.StatusError{URL: req.URL, Status: http.StatusNotFound}
	}
	return h(req)
}

// Requests returns the requests made so far.
func (f *Fetcher) Requests() []*source.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*source.Request(nil), f.requests...)
}

// Reset forgets the recorded requests.
func (f *Fetcher) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

// Query returns the parsed query of the i-th request.
func (f *Fetcher) Query(i int) url.Values {
	reqs := f.Requests()
	if i >= len(reqs) {
		f.t.Fatalf("fake fetcher: only %d requests, wanted #%d", len(reqs), i)
	}
	u, _ := url.Parse(reqs[i].URL)
	return u.Query()
}

// Respond answers the way the real fetcher does: a Response for 2xx and
// 304, a *source.RetryError for 429 and 503, a *source.StatusError for
// any other status.
func Respond(req *source.Request, status int, header http.Header, body []byte) (*source.Response, error) {
	if header == nil {
		header = http.Header{}
	}
	switch {
	case status >= 200 && status < 300, status == http.StatusNotModified:
		return &source.Response{URL: req.URL, Status: status, Header: header, Body: body}, nil
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		until := Now.Add(time.Minute)
		if s := header.Get("Retry-After"); s != "" {
			var n int
			if _, err := fmt.Sscan(s, &n); err == nil {
				until = Now.Add(time.Duration(n) * time.Second)
			}
		}
		return nil, &source.RetryError{URL: req.URL, Until: until,
			Err: &source.StatusError{URL: req.URL, Status: status, Header: header, Body: body}}
	}
	if len(body) > 4096 {
		body = body[:4096]
	}
	return nil, &source.StatusError{URL: req.URL, Status: status, Header: header, Body: body}
}

// Static answers every request with the same status, header and body.
func Static(status int, header http.Header, body []byte) Handler {
	return func(req *source.Request) (*source.Response, error) { return Respond(req, status, header, body) }
}

// JSON answers 200 with body as application/json.
func JSON(body string) Handler {
	return Static(http.StatusOK, http.Header{"Content-Type": {"application/json; charset=utf-8"}}, []byte(body))
}

// Recorded is a fixture's status and headers (the *.headers.json files of
// the shared fixtures).
type Recorded struct {
	Status  int
	Header  http.Header
	Request string
}

// LoadRecorded reads a *.headers.json file.
func LoadRecorded(t testing.TB, path string) Recorded {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Request string `json:"request"`
		Status  struct {
			Code int `json:"code"`
		} `json:"status"`
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	h := http.Header{}
	for k, vs := range raw.Headers {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return Recorded{Status: raw.Status.Code, Header: h, Request: raw.Request}
}

// Fixture serves testdata/name with the status and headers of
// testdata/<name without .json>.headers.json when that file exists, else
// 200 with contentType.
func Fixture(t testing.TB, name, contentType string) Handler {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	rec := Recorded{Status: http.StatusOK, Header: http.Header{"Content-Type": {contentType}}}
	hp := filepath.Join("testdata", strings.TrimSuffix(name, filepath.Ext(name))+".headers.json")
	if _, err := os.Stat(hp); err == nil {
		rec = LoadRecorded(t, hp)
	}
	return func(req *source.Request) (*source.Response, error) {
		return Respond(req, rec.Status, rec.Header.Clone(), body)
	}
}

// ReadFile reads testdata/name.
func ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden compares got, as indented JSON, with testdata/name, or rewrites
// the file with -update.
func Golden(t testing.TB, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(b) {
		t.Errorf("%s differs from the output (run go test -update and review the diff):\n%s", path, diff(string(want), string(b)))
	}
}

func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(wl), len(gl)) && n < 20; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, w, g)
			n++
		}
	}
	return b.String()
}

// mediaPattern is an independent second opinion on media URLs, so the
// check does not only repeat source.IsMediaURL.
var mediaPattern = regexp.MustCompile(`(?i)\.(jpe?g|png|gif|gifv|webp|mp4|mov|webm|mp3|m4a|heic|avif)(\?|#|$)|://(i|v|preview|external-preview)\.redd\.it/|\.media\.tumblr\.com/|telegram-cdn\.org/|cdn\.bsky\.app/|video\.bsky\.app/|://(i\.)?imgur\.com/`)

// AssertNoMedia fails the test when a post lists a media link or carries
// a media URL in its text, and checks the wire invariants.
func AssertNoMedia(t testing.TB, posts []wire.Post) {
	t.Helper()
	for _, p := range posts {
		if err := p.Validate(); err != nil {
			t.Errorf("post %s: %v", p.ID, err)
		}
		for _, l := range p.Links {
			if source.IsMediaURL(l) || mediaPattern.MatchString(l) {
				t.Errorf("post %s lists media link %s", p.ID, l)
			}
			if u, err := url.Parse(l); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Errorf("post %s lists a link that is not absolute http(s): %q", p.ID, l)
			}
		}
		for _, l := range source.TextLinks(p.Text) {
			if source.IsMediaURL(l) || mediaPattern.MatchString(l) {
				t.Errorf("post %s text carries media URL %s", p.ID, l)
			}
		}
		if p.Permalink != "" {
			if u, err := url.Parse(p.Permalink); err != nil || !u.IsAbs() {
				t.Errorf("post %s permalink is not absolute: %q", p.ID, p.Permalink)
			}
		}
	}
}

// AssertOldestFirst fails the test when posts are not in CreatedAt order.
func AssertOldestFirst(t testing.TB, posts []wire.Post) {
	t.Helper()
	for i := 1; i < len(posts); i++ {
		if posts[i].CreatedAt.Before(posts[i-1].CreatedAt) {
			t.Errorf("posts not oldest first: #%d %s (%s) before #%d %s (%s)", i-1, posts[i-1].ID,
				posts[i-1].CreatedAt, i, posts[i].ID, posts[i].CreatedAt)
		}
	}
}

// CheckFuzzPosts is the fuzz invariant: posts valid, no media links.
func CheckFuzzPosts(t *testing.T, posts []wire.Post) {
	t.Helper()
	for _, p := range posts {
		for _, l := range p.Links {
			if source.IsMediaURL(l) {
				t.Fatalf("post %q lists media link %q", p.ID, l)
			}
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("post %q invalid: %v", p.ID, err)
		}
		if u, err := url.Parse(p.Permalink); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("post %q permalink is not an absolute http(s) URL: %q", p.ID, p.Permalink)
		}
	}
}
