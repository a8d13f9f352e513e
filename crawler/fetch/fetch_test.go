package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/fetch/fetchtest"
	"github.com/handlewatch/handlewatch/crawler/source"
)

const testUA = "handlewatch-test/1 (+https://example.org/contact)"

// server is an httptest server with a robots.txt and request counting.
type server struct {
	*httptest.Server
	mux     *http.ServeMux
	counter fetchtest.Counter
}

func newServer(t *testing.T, robots string) *server {
	t.Helper()
	s := &server{mux: http.NewServeMux()}
	s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, robots)
	})
	s.Server = httptest.NewServer(s.counter.Wrap(s.mux))
	t.Cleanup(s.Close)
	return s
}

func testOptions(t *testing.T) Options {
	return Options{
		UserAgent: testUA, AllowPrivate: true, Timeout: 5 * time.Second, MaxBodyBytes: 64 << 10,
		Rate: 1000, Burst: 100, BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		RobotsTTL: time.Hour, Log: zaptest.NewLogger(t),
	}
}

func fetcherFor(t *testing.T, opts Options, base string, hosts ...string) *Fetcher {
	t.Helper()
	return NewHosts(opts).Fetcher(source.Config{Name: "test", BaseURL: base, Hosts: hosts})
}

func get(t *testing.T, f *Fetcher, u string, accept ...string) (*source.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return f.Fetch(ctx, &source.Request{URL: u, Accept: accept})
}

func TestFetchJSON(t *testing.T) {
	s := newServer(t, "")
	var ua, accept atomic.Value
	s.mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		accept.Store(r.Header.Get("Accept"))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, `{"ok":true}`)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	for i := 0; i < 3; i++ {
		resp, err := get(t, f, s.URL+"/api", "application/json")
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Body) != `{"ok":true}` || resp.Status != 200 || resp.ContentType() != "application/json" {
			t.Fatalf("got %d %q %q", resp.Status, resp.ContentType(), resp.Body)
		}
	}
	if got := ua.Load(); got != testUA {
		t.Errorf("User-Agent = %q, want %q", got, testUA)
	}
	if got := accept.Load(); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
	if n := s.counter.Count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}
	if n := s.counter.Count("/api"); n != 3 {
		t.Errorf("/api fetched %d times, want 3 (re-polls must not be blocked as already visited)", n)
	}
}

func TestRobotsDisallow(t *testing.T) {
	s := newServer(t, "User-agent: *\nDisallow: /private\n\nUser-agent: handlewatch-test\nDisallow: /only-us\n")
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>hello</p>")
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	for _, tc := range []struct {
		path    string
		allowed bool
	}{
		{"/public", true},
		{"/only-us/x", false},
		{"/private/x", true}, // the more specific group for our agent replaces "*"
	} {
		_, err := get(t, f, s.URL+tc.path)
		if tc.allowed && err != nil {
			t.Errorf("%s: %v", tc.path, err)
		}
		if !tc.allowed && !errors.Is(err, ErrRobotsDisallowed) {
			t.Errorf("%s: err = %v, want ErrRobotsDisallowed", tc.path, err)
		}
	}
	if n := s.counter.Count("/only-us/x"); n != 0 {
		t.Errorf("disallowed path requested %d times", n)
	}
}

func TestRobotsGovernCrawlingNotAPICalls(t *testing.T) {
	s := newServer(t, "User-agent: *\nDisallow: /\n")
	s.mux.HandleFunc("/api/v1/access_token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"x"}`)
	})
	s.mux.HandleFunc("/r/x/new", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	ctx := context.Background()
	if _, err := f.Fetch(ctx, &source.Request{URL: s.URL + "/r/x/new"}); !errors.Is(err, ErrRobotsDisallowed) {
		t.Errorf("anonymous GET: err = %v, want ErrRobotsDisallowed", err)
	}
	auth := http.Header{"Authorization": {"Bearer x"}}
	if _, err := f.Fetch(ctx, &source.Request{URL: s.URL + "/r/x/new", Header: auth}); err != nil {
		t.Errorf("authenticated API GET: %v", err)
	}
	if _, err := f.Fetch(ctx, &source.Request{Method: "POST", URL: s.URL + "/api/v1/access_token", Body: []byte("grant_type=client_credentials")}); err != nil {
		t.Errorf("token POST: %v", err)
	}
}

func TestRobotsStarGroup(t *testing.T) {
	s := newServer(t, "Disallow: /orphan\nUser-agent: *\nDisallow: /private\nCrawl-delay: abc\n")
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	if _, err := get(t, f, s.URL+"/private/1"); !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("err = %v, want ErrRobotsDisallowed (a robots.txt with a stray rule still parses)", err)
	}
	if _, err := get(t, f, s.URL+"/orphan"); err != nil {
		t.Fatalf("a rule before any User-agent must be ignored: %v", err)
	}
}

func TestRobots5xxRetriedLater(t *testing.T) {
	s := newServer(t, "")
	var fail atomic.Bool
	fail.Store(true)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	})
	s.Config.Handler = s.counter.Wrap(mux)
	f := fetcherFor(t, testOptions(t), s.URL)

	_, err := get(t, f, s.URL+"/page")
	var re *source.RetryError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want RetryError while robots.txt answers 503", err)
	}
	if n := s.counter.Count("/page"); n != 0 {
		t.Fatalf("page fetched %d times while robots.txt was unavailable", n)
	}
	// Before the retry time: no new robots.txt request.
	if _, err := get(t, f, s.URL+"/page"); !errors.As(err, &re) {
		t.Fatalf("err = %v, want RetryError", err)
	}
	if n := s.counter.Count("/robots.txt"); n != 1 {
		t.Fatalf("robots.txt fetched %d times before its retry time", n)
	}
	fail.Store(false)
	time.Sleep(time.Until(re.Until) + 10*time.Millisecond)
	if _, err := get(t, f, s.URL+"/page"); err != nil {
		t.Fatalf("after robots.txt recovered: %v (a 5xx must not be cached forever)", err)
	}
	if _, err := get(t, f, s.URL+"/private"); !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("err = %v, want the recovered rules to apply", err)
	}
	if n := s.counter.Count("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}

func TestRobots404AllowsAll(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	})
	srv := httptest.NewServer(mux) // no robots.txt: 404
	defer srv.Close()
	f := fetcherFor(t, testOptions(t), srv.URL)
	if _, err := get(t, f, srv.URL+"/page"); err != nil {
		t.Fatal(err)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		header     func() string
		minW, maxW time.Duration
	}{
		{"seconds", func() string { return "2" }, 2 * time.Second, 3100 * time.Millisecond},
		{"date", func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }, 1900 * time.Millisecond, 4100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, "")
			s.mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tc.header())
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"error":429}`)
			})
			f := fetcherFor(t, testOptions(t), s.URL)
			start := time.Now()
			_, err := get(t, f, s.URL+"/api")
			var re *source.RetryError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want RetryError", err)
			}
			if w := re.Until.Sub(start); w < tc.minW || w > tc.maxW {
				t.Errorf("wait %v, want within [%v, %v]", w, tc.minW, tc.maxW)
			}
			var se *source.StatusError
			if !errors.As(err, &se) || se.Status != 429 {
				t.Errorf("RetryError should wrap the StatusError: %v", err)
			}
			// The host is paused: the next fetch waits without a request.
			if _, err := get(t, f, s.URL+"/api"); !errors.As(err, &re) {
				t.Fatalf("err = %v, want RetryError", err)
			}
			if n := s.counter.Count("/api"); n != 1 {
				t.Errorf("/api requested %d times while the host was paused", n)
			}
		})
	}
}

func TestServerErrorBackoff(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	opts := testOptions(t)
	opts.BackoffBase, opts.BackoffMax = 40*time.Millisecond, 160*time.Millisecond
	f := fetcherFor(t, opts, s.URL)
	var waits []time.Duration
	for i := 0; i < 4; i++ {
		start := time.Now()
		_, err := get(t, f, s.URL+"/api")
		var re *source.RetryError
		if !errors.As(err, &re) {
			t.Fatalf("attempt %d: err = %v, want RetryError", i, err)
		}
		waits = append(waits, re.Until.Sub(start))
		time.Sleep(time.Until(re.Until) + 5*time.Millisecond)
	}
	// Equal jitter: the n-th wait is in [d/2, d) with d = 40ms·2^(n-1), capped at 160ms.
	for i, w := range waits {
		d := min(opts.BackoffBase<<i, opts.BackoffMax)
		if w < d/2-5*time.Millisecond || w > d+20*time.Millisecond {
			t.Errorf("wait %d = %v, want within [%v, %v)", i, w, d/2, d)
		}
	}
}

func TestBackoffJitter(t *testing.T) {
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		d := Backoff(time.Second, time.Minute, 3)
		if d < 2*time.Second || d >= 4*time.Second {
			t.Fatalf("Backoff(1s, 1m, 3) = %v, want in [2s, 4s)", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct backoffs in 50: no jitter", len(seen))
	}
	if d := Backoff(time.Second, 5*time.Second, 20); d < 2500*time.Millisecond || d >= 5*time.Second {
		t.Errorf("capped backoff = %v", d)
	}
}

func TestBlockPage(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("/r/x/new.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "<html><head><title>whoa there, pardner!</title></head><body>blocked</body></html>")
	})
	s.mux.HandleFunc("/json403", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error": 403}`)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	_, err := get(t, f, s.URL+"/r/x/new.json", "application/json")
	if !errors.Is(err, source.ErrBlocked) {
		t.Fatalf("err = %v, want ErrBlocked", err)
	}
	if !strings.Contains(err.Error(), "whoa there, pardner!") {
		t.Errorf("message should quote the block page title: %v", err)
	}
	var se *source.StatusError
	if !errors.As(err, &se) || se.Status != 403 {
		t.Errorf("want the StatusError too: %v", err)
	}
	_, err = get(t, f, s.URL+"/json403", "application/json")
	if errors.Is(err, source.ErrBlocked) || !errors.As(err, &se) || se.Status != 403 {
		t.Errorf("a JSON 403 is a plain StatusError, got %v", err)
	}
}

func TestRedirects(t *testing.T) {
	evil := newServer(t, "")
	evil.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "you should not be here")
	})
	cdn := newServer(t, "")
	cdn.mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss/>")
	})
	origin := newServer(t, "")
	origin.mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://evil.example/steal", http.StatusFound)
	})
	origin.mux.HandleFunc("/twice", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://forum.example/away", http.StatusFound)
	})
	origin.mux.HandleFunc("/media", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://cdn.example/pic.jpg", http.StatusFound)
	})
	origin.mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://cdn.example/feed", http.StatusMovedPermanently)
	})
	origin.mux.HandleFunc("/private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.1.2.3/x", http.StatusFound)
	})
	opts := testOptions(t)
	opts.Transport = fetchtest.Rewrite(map[string]*httptest.Server{
		"forum.example": origin.Server, "evil.example": evil.Server, "cdn.example": cdn.Server,
	})
	opts.AllowPrivate = false
	f := fetcherFor(t, opts, "https://forum.example", "cdn.example")

	for _, path := range []string{"/away", "/twice"} {
		_, err := get(t, f, "https://forum.example"+path)
		if !errors.Is(err, ErrHostNotApproved) {
			t.Errorf("%s: err = %v, want ErrHostNotApproved", path, err)
		}
	}
	if _, err := get(t, f, "https://forum.example/media"); !errors.Is(err, ErrMediaURL) {
		t.Errorf("redirect to media: err = %v, want ErrMediaURL", err)
	}
	if _, err := get(t, f, "https://forum.example/private"); !errors.Is(err, ErrHostNotApproved) && !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("redirect to a private address: err = %v", err)
	}
	resp, err := get(t, f, "https://forum.example/feed")
	if err != nil {
		t.Fatalf("redirect to an approved host: %v", err)
	}
	if resp.URL != "https://cdn.example/feed" {
		t.Errorf("URL after redirects = %q", resp.URL)
	}
	if n := evil.counter.Total(); n != 0 {
		t.Errorf("unapproved host got %d requests", n)
	}
	if _, err := get(t, f, "https://evil.example/direct"); !errors.Is(err, ErrHostNotApproved) {
		t.Errorf("direct fetch of an unapproved host: %v", err)
	}
	if n := cdn.counter.Count("/pic.jpg"); n != 0 {
		t.Errorf("media requested %d times", n)
	}
}

func TestRedirectHopHonoursRobots(t *testing.T) {
	cdn := newServer(t, "User-agent: *\nDisallow: /private\n")
	cdn.mux.HandleFunc("/private/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss/>")
	})
	origin := newServer(t, "User-agent: *\nAllow: /\n")
	origin.mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://cdn.example/private/feed", http.StatusFound)
	})
	origin.mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/robots.txt", http.StatusFound)
	})
	opts := testOptions(t)
	opts.Transport = fetchtest.Rewrite(map[string]*httptest.Server{"forum.example": origin.Server, "cdn.example": cdn.Server})
	f := fetcherFor(t, opts, "https://forum.example", "cdn.example")
	if _, err := get(t, f, "https://forum.example/feed"); !errors.Is(err, ErrRobotsDisallowed) {
		t.Errorf("err = %v, want ErrRobotsDisallowed for the redirect target", err)
	}
	if n := cdn.counter.Count("/private/feed"); n != 0 {
		t.Errorf("disallowed redirect target requested %d times", n)
	}
	// A redirect on the same host, to a path robots.txt allows, is fine
	// (and does not deadlock on the host's robots lock).
	if _, err := get(t, f, "https://forum.example/moved"); err != nil {
		t.Errorf("same-host redirect: %v", err)
	}
}

func TestPrivateAddressRefused(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	})
	opts := testOptions(t)
	opts.AllowPrivate = false
	port := s.Listener.Addr().(interface{ String() string }).String()
	_, port, _ = strings.Cut(port, ":")

	literal := fetcherFor(t, opts, s.URL)
	if _, err := get(t, literal, s.URL+"/x"); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("127.0.0.1: err = %v, want ErrPrivateAddress", err)
	}
	// A name that resolves to loopback is caught where it is dialled.
	named := "http://localhost:" + port
	byName := fetcherFor(t, opts, named)
	if _, err := get(t, byName, named+"/x"); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("localhost: err = %v, want ErrPrivateAddress", err)
	}
	if n := s.counter.Total(); n != 0 {
		t.Errorf("server got %d requests", n)
	}
	opts.AllowPrivate = true
	if _, err := get(t, fetcherFor(t, opts, named), named+"/x"); err != nil {
		t.Errorf("with allow_private_networks: %v", err)
	}
}

func TestDialerChecksDialledAddress(t *testing.T) {
	d := NewDialer(false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, addr := range []string{"127.0.0.1:1", "localhost:1", "[::1]:1", "169.254.169.254:80", "10.0.0.1:80"} {
		_, err := d.DialContext(ctx, "tcp", addr)
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", addr, err)
		}
	}
}

func TestMediaURLFilteredBeforeRequest(t *testing.T) {
	s := newServer(t, "")
	f := fetcherFor(t, testOptions(t), s.URL)
	for _, p := range []string{"/a.jpg", "/b.MP4", "/c.webm?x=1", "/d.png/", "/e.zip", "/f.xml.gz", "/g;v=1.gif"} {
		if _, err := get(t, f, s.URL+p); !errors.Is(err, ErrMediaURL) {
			t.Errorf("%s: err = %v, want ErrMediaURL", p, err)
		}
	}
	if n := s.counter.Total(); n != 0 {
		t.Errorf("server got %d requests (robots.txt included)", n)
	}
}

func TestMediaContentTypeRefusedBeforeBody(t *testing.T) {
	s := newServer(t, "")
	writeErr := make(chan error, 1)
	s.mux.HandleFunc("/avatar", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		chunk := bytes.Repeat([]byte{0x89}, 64<<10)
		var err error
		for i := 0; i < 1024 && err == nil; i++ { // 64 MiB unless the client hangs up
			_, err = w.Write(chunk)
		}
		writeErr <- err
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	_, err := get(t, f, s.URL+"/avatar")
	if !errors.Is(err, ErrContentType) {
		t.Fatalf("err = %v, want ErrContentType", err)
	}
	select {
	case err := <-writeErr:
		if err == nil {
			t.Error("the server wrote all 64 MiB: the body was read")
		}
	case <-time.After(5 * time.Second):
		t.Error("server handler did not finish")
	}
	// A type the request does not accept is refused too.
	s.mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>login</p>")
	})
	if _, err := get(t, f, s.URL+"/page", "application/json"); !errors.Is(err, ErrContentType) {
		t.Errorf("HTML where JSON was asked: err = %v, want ErrContentType", err)
	}
	// Asking for media explicitly does not widen the gate.
	if _, err := get(t, f, s.URL+"/avatar", "image/png"); !errors.Is(err, ErrContentType) {
		t.Errorf("image/png asked for: err = %v, want ErrContentType", err)
	}
}

func TestOversizeBodyRefused(t *testing.T) {
	s := newServer(t, "")
	body := strings.Repeat("a", 4096)
	s.mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(200)
		w.(http.Flusher).Flush() // no Content-Length
		fmt.Fprint(w, body)
	})
	s.mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		fmt.Fprint(w, body)
	})
	s.mux.HandleFunc("/fits", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, body[:1024])
	})
	s.mux.HandleFunc("/gzipped", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, body) // 4 KiB decoded from a few dozen bytes
		zw.Close()
	})
	opts := testOptions(t)
	opts.MaxBodyBytes = 1024
	f := fetcherFor(t, opts, s.URL)
	for _, p := range []string{"/chunked", "/sized", "/gzipped"} {
		resp, err := get(t, f, s.URL+p)
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("%s: err = %v, want ErrBodyTooLarge", p, err)
		}
		if resp != nil {
			t.Errorf("%s: a truncated body came back", p)
		}
	}
	resp, err := get(t, f, s.URL+"/fits")
	if err != nil || len(resp.Body) != 1024 {
		t.Fatalf("a body of exactly the cap: %v", err)
	}
}

func TestNoContentAndNotModified(t *testing.T) {
	s := newServer(t, "")
	var inm, ims atomic.Value
	s.mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		inm.Store(r.Header.Get("If-None-Match"))
		ims.Store(r.Header.Get("If-Modified-Since"))
		w.Header().Set("ETag", `"v1"`)
		w.WriteHeader(http.StatusNotModified)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	resp, err := get(t, f, s.URL+"/empty")
	if err != nil || resp.Status != 204 {
		t.Fatalf("204: %v %+v", err, resp)
	}
	ctx := context.Background()
	resp, err = f.Fetch(ctx, &source.Request{URL: s.URL + "/feed", ETag: `"v1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT"})
	if err != nil || !resp.NotModified() {
		t.Fatalf("304: %v %+v", err, resp)
	}
	if inm.Load() != `"v1"` || ims.Load() != "Mon, 02 Jan 2006 15:04:05 GMT" {
		t.Errorf("conditional headers: %q %q", inm.Load(), ims.Load())
	}
}

func TestTruncatedGzip(t *testing.T) {
	s := newServer(t, "")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprint(zw, strings.Repeat(`{"a":1}`, 500))
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	s.mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(cut)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	resp, err := get(t, f, s.URL+"/cut")
	if err == nil {
		t.Fatalf("a truncated gzip body was accepted: %d bytes", len(resp.Body))
	}
}

func TestRateLimitHeadersPauseHost(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0.0")
		w.Header().Set("X-Ratelimit-Reset", "1")
		w.Header().Set("X-Ratelimit-Used", "100")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	if _, err := get(t, f, s.URL+"/api"); err != nil {
		t.Fatal(err)
	}
	_, err := get(t, f, s.URL+"/api")
	var re *source.RetryError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want RetryError after the rate limit was used up", err)
	}
	if w := time.Until(re.Until); w < 500*time.Millisecond || w > 2100*time.Millisecond {
		t.Errorf("wait %v, want about the 1 s reset", w)
	}
	if n := s.counter.Count("/api"); n != 1 {
		t.Errorf("/api requested %d times", n)
	}
}

func TestCancelAbortsInFlight(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := f.Fetch(ctx, &source.Request{URL: s.URL + "/slow"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

func TestBodyKeptAsSent(t *testing.T) {
	s := newServer(t, "")
	latin1 := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>F\xfcr Profis</title></channel></rss>")
	s.mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=ISO-8859-1")
		w.Write(latin1)
	})
	f := fetcherFor(t, testOptions(t), s.URL)
	resp, err := get(t, f, s.URL+"/feed")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, latin1) {
		t.Errorf("body was changed: %q", resp.Body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/rss+xml; charset=ISO-8859-1" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := string(resp.UTF8Body()); !strings.Contains(got, "Für Profis") {
		t.Errorf("UTF8Body = %q", got)
	}
}

func TestHTTPClient(t *testing.T) {
	s := newServer(t, "")
	s.mux.HandleFunc("/subscribe", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.UserAgent())
	})
	opts := testOptions(t)
	opts.Transport = fetchtest.Rewrite(map[string]*httptest.Server{"jetstream.example": s.Server, "other.example": s.Server})
	h := NewHosts(opts)
	c := h.HTTPClient(source.Config{Name: "bsky", BaseURL: "https://public.example", Hosts: []string{"jetstream.example"}})
	resp, err := c.Get("https://jetstream.example/subscribe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := c.Get("https://other.example/subscribe"); !errors.Is(err, ErrHostNotApproved) {
		t.Errorf("unapproved host: %v", err)
	}
	opts.Transport = nil
	opts.AllowPrivate = false
	c = NewHosts(opts).HTTPClient(source.Config{Name: "x", BaseURL: s.URL})
	if _, err := c.Get(s.URL + "/subscribe"); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("private address: %v", err)
	}
}
