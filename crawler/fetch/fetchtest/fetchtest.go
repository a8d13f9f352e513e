package fetchtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Rewrite returns a RoundTripper (for crawler.Deps.Transport or
// fetch.Options.Transport) that sends requests for each host of hosts
// ("oauth.reddit.com", or "host:port") to its test server, over plain
// HTTP, keeping path and query. Requests for any other host fail, so a
// test never reaches outside the machine.
func Rewrite(hosts map[string]*httptest.Server) http.RoundTripper {
	m := make(map[string]*url.URL, len(hosts))
	for h, srv := range hosts {
		u, err := url.Parse(srv.URL)
		if err != nil {
			panic(err)
		}
		m[strings.ToLower(h)] = u
	}
	return &rewriter{hosts: m, base: http.DefaultTransport}
}

type rewriter struct {
	hosts map[string]*url.URL
	base  http.RoundTripper
}

func (r *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	target, ok := r.hosts[strings.ToLower(req.URL.Host)]
	if !ok {
		target, ok = r.hosts[strings.ToLower(req.URL.Hostname())]
	}
	if !ok {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &url.Error{Op: req.Method, URL: req.URL.String(), Err: errNoRoute}
	}
	out := req.Clone(req.Context())
	out.URL.Scheme = target.Scheme
	out.URL.Host = target.Host
	out.Host = req.URL.Host // the server sees the real host name
	resp, err := r.base.RoundTrip(out)
	if resp != nil {
		resp.Request = req // redirects resolve against the real URL
	}
	return resp, err
}

type routeError struct{}

func (routeError) Error() string { return "fetchtest: no test server for this host" }

var errNoRoute = routeError{}

// Counter counts the requests a test server receives, by path.
type Counter struct {
	mu    sync.Mutex
	paths map[string]int
	total int
}

// Wrap counts every request before passing it to h.
func (c *Counter) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		if c.paths == nil {
			c.paths = map[string]int{}
		}
		c.paths[r.URL.Path]++
		c.total++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Count returns how many requests asked for path.
func (c *Counter) Count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

// Total returns how many requests arrived.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Paths returns a copy of the per-path counts.
func (c *Counter) Paths() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.paths))
	for p, n := range c.paths {
		out[p] = n
	}
	return out
}
