package fetch

import (
	"fmt"
	"net/http"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// HTTPClient returns the client a streaming adapter of source sc opens its
// own connections with (websocket handshakes, the odd JSON call): only
// sc's approved hosts, every redirect hop checked, private addresses
// refused, the host's rate limit and pause applied. It has no overall
// timeout, since a stream lives long; websocket libraries want
// cancellation by context anyway.
func (h *Hosts) HTTPClient(sc source.Config) *http.Client {
	g := &guard{base: &limited{hosts: h, base: h.base}, approved: sc.ApprovedHosts(), allowPrivate: h.opts.AllowPrivate}
	return &http.Client{Transport: g, CheckRedirect: g.checkRedirect}
}

// limited waits for the host's rate limit and refuses a paused host.
type limited struct {
	hosts *Hosts
	base  http.RoundTripper
}

func (l *limited) RoundTrip(req *http.Request) (*http.Response, error) {
	st := l.hosts.host(req.URL)
	if until, why, ok := st.paused(time.Now()); ok {
		closeBody(req)
		return nil, &source.RetryError{URL: source.RedactURL(req.URL), Until: until, Err: fmt.Errorf("host %s paused: %s", st.name, why)}
	}
	if err := st.limiter.Wait(req.Context()); err != nil {
		closeBody(req)
		return nil, fmt.Errorf("waiting for the rate limit of %s: %w", st.name, err)
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", l.hosts.opts.UserAgent)
	}
	return l.base.RoundTrip(req)
}
