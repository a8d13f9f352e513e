package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// Fetcher is one source's polite HTTP client, built on colly.
type Fetcher struct {
	hosts        *Hosts
	source       string
	guard        *guard
	collector    *colly.Collector // never changed after construction; cloned per request
	robotsClient *http.Client
	agent        string // robots.txt group matching
	log          *zap.Logger
}

var _ source.Fetcher = (*Fetcher)(nil)

// Fetcher returns the fetcher of source sc: it reaches only sc's approved
// hosts.
func (h *Hosts) Fetcher(sc source.Config) *Fetcher {
	g := &guard{base: h.base, approved: sc.ApprovedHosts(), allowPrivate: h.opts.AllowPrivate}
	// robots.txt itself is fetched through a guard that does not consult
	// robots.txt on its redirects (that would recurse, and deadlock on the
	// host's robots lock).
	robotsGuard := *g

	// Init, not NewCollector: NewCollector lets COLLY_* environment
	// variables override the settings below.
	c := &colly.Collector{}
	c.Init()
	c.UserAgent = h.opts.UserAgent
	// robots.txt is honoured by checkRobots instead: colly's own check
	// caches a 5xx answer as "disallow all" for the collector's life and
	// bypasses the rate limit and the body cap.
	c.IgnoreRobotsTxt = true
	// Polling revisits the same URL by design.
	c.AllowURLRevisit = true
	// Every status reaches OnResponse: colly v2.3.0 would make 204 and 304
	// errors with nothing but the status text.
	c.ParseHTTPErrorResponse = true
	// colly truncates at MaxBodySize without an error: one byte more than
	// the cap tells an oversize body from one that fits.
	c.MaxBodySize = int(h.opts.MaxBodyBytes + 1)
	c.DetectCharset = false
	c.WithTransport(g)
	c.SetRequestTimeout(h.opts.Timeout)
	c.DisableCookies()
	c.SetRedirectHandler(g.checkRedirect)

	f := &Fetcher{
		hosts:  h,
		source: sc.Name,
		guard:  g,
		// colly's robots check is off; robots.txt goes through the same
		// host rules but not through colly, whose body limit would truncate.
		robotsClient: &http.Client{Transport: &robotsGuard, CheckRedirect: robotsGuard.checkRedirect, Timeout: h.opts.Timeout},
		collector:    c,
		agent:        strings.ToLower(h.opts.UserAgent),
		log:          h.opts.Log.With(zap.String("source", sc.Name)),
	}
	// A redirect hop to another path or host is crawled as well: its
	// robots.txt is honoured like the first URL's.
	g.robots = func(ctx context.Context, u *url.URL) error { return f.checkRobots(ctx, h.host(u), u) }
	return f
}

// Fetch performs req politely; see source.Fetcher for what it returns.
func (f *Fetcher) Fetch(ctx context.Context, req *source.Request) (*source.Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("fetching %q: %w", req.URL, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("fetching %q: not an absolute URL", req.URL)
	}
	if err := f.guard.check(u); err != nil {
		return nil, err
	}
	st := f.hosts.host(u)
	if until, why, ok := st.paused(time.Now()); ok {
		return nil, &source.RetryError{URL: source.RedactURL(u), Until: until, Err: fmt.Errorf("host %s paused: %s", st.name, why)}
	}
	if robotsApply(method, req.Header) {
		if err := f.checkRobots(ctx, st, u); err != nil {
			return nil, err
		}
	}
	if err := st.limiter.Wait(ctx); err != nil {
		return nil, fmt.Errorf("fetching %s: waiting for the rate limit of %s: %w", source.RedactURL(u), st.name, err)
	}
	accept := acceptList(req.Accept)
	a, err := f.do(ctx, method, u, req, accept)
	if err != nil {
		return nil, err
	}
	return f.judge(st, u, accept, a)
}

// robotsApply reports whether robots.txt governs a request. It governs
// crawling: every GET without credentials, pages and feeds alike. A call
// that carries an Authorization header (an OAuth API such as
// oauth.reddit.com, under the platform's API terms and its own rate
// limits) or that is not a GET (a token exchange) is not crawling, and
// robots.txt — which on some platforms disallows everything to everyone
// but their API clients — does not apply to it.
func robotsApply(method string, h http.Header) bool {
	return method == http.MethodGet && h.Get("Authorization") == ""
}

// answer is what colly's callbacks saw of one response.
type answer struct {
	status  int
	header  http.Header // as sent, Content-Type charset included
	url     *url.URL
	body    []byte
	refusal error // set when the gate refused a 2xx answer
}

func (f *Fetcher) do(ctx context.Context, method string, u *url.URL, req *source.Request, accept []string) (*answer, error) {
	c := f.collector.Clone()
	c.Context = ctx // cancelling ctx aborts the HTTP exchange in flight
	a := &answer{url: u}
	maxBody := f.hosts.opts.MaxBodyBytes
	c.OnResponseHeaders(func(r *colly.Response) {
		a.status = r.StatusCode
		a.header = r.Headers.Clone()
		a.url = r.Request.URL
		if abort, err := gate(r.StatusCode, method, *r.Headers, accept, maxBody); abort {
			if err != nil {
				err.URL = source.RedactURL(r.Request.URL)
				a.refusal = err
			}
			r.Request.Abort()
			return
		}
		// colly transcodes a body whose Content-Type names a charset, which
		// would make an XML encoding declaration lie: keep the bytes as
		// sent (source.Response.UTF8Body decodes them).
		if ct := r.Headers.Get("Content-Type"); ct != "" {
			r.Headers.Set("Content-Type", mediaType(ct))
		}
	})
	c.OnResponse(func(r *colly.Response) { a.body = r.Body })

	hdr := http.Header{}
	for k, v := range req.Header {
		hdr[k] = append([]string(nil), v...)
	}
	// The transport negotiates gzip and decodes it; an encoding asked for
	// here would reach us undecoded.
	hdr.Del("Accept-Encoding")
	hdr.Set("User-Agent", f.hosts.opts.UserAgent)
	if hdr.Get("Accept") == "" {
		hdr.Set("Accept", acceptHeader(req.Accept))
	}
	if req.ETag != "" {
		hdr.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hdr.Set("If-Modified-Since", req.LastModified)
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	err := c.Request(method, u.String(), body, nil, hdr)
	switch {
	case err == nil:
	case errors.Is(err, colly.ErrAbortedAfterHeaders):
		if a.refusal != nil {
			return nil, a.refusal
		}
		a.body = nil // a non-2xx answer whose body we would not read
	case ctx.Err() != nil:
		return nil, fmt.Errorf("fetching %s: %w", source.RedactURL(u), ctx.Err())
	case a.status != 0:
		return nil, fmt.Errorf("reading body of %s (status %d): %w", source.RedactURL(a.url), a.status, err)
	default:
		return nil, fmt.Errorf("fetching %s: %w", source.RedactURL(u), err)
	}
	if int64(len(a.body)) > maxBody {
		return nil, refused(source.RedactURL(a.url), ReasonBodySize, "more than %d bytes", maxBody)
	}
	return a, nil
}

// judge turns an answer into a Response or the error the contract names,
// and updates the host's pause and backoff.
func (f *Fetcher) judge(st *host, u *url.URL, accept []string, a *answer) (*source.Response, error) {
	now := time.Now()
	rl, hasRL := ParseRateLimit(a.header, now)
	if hasRL && rl.Exhausted() {
		st.pause(spread(now, rl.Reset), "rate limit exhausted")
		f.log.Info("rate limit exhausted, pausing host", zap.String("host", st.name), zap.Time("until", rl.Reset))
	}
	status := a.status
	final := a.url.String()
	if status == http.StatusNotModified || (status >= 200 && status < 300 && status != http.StatusPartialContent) {
		st.succeeded()
		return &source.Response{URL: final, Status: status, Header: a.header, Body: a.body}, nil
	}
	statusErr := &source.StatusError{URL: source.RedactURL(a.url), Status: status, Header: a.header, Body: diagnostic(a.body)}
	if status == http.StatusTooManyRequests || status >= 500 {
		backoff := st.failed(f.hosts.opts.BackoffBase, f.hosts.opts.BackoffMax)
		until, ok := ParseRetryAfter(a.header.Get("Retry-After"), now)
		switch {
		case ok && until.After(now):
			// A little jitter so that every target waiting on this host
			// does not come back at the same instant.
			until = spread(now, until)
		case hasRL && rl.Exhausted() && rl.Reset.After(now):
			until = spread(now, rl.Reset)
		default:
			until = now.Add(backoff)
		}
		st.pause(until, fmt.Sprintf("status %d from %s", status, source.RedactURL(a.url)))
		return nil, &source.RetryError{URL: source.RedactURL(a.url), Until: until, Err: statusErr}
	}
	if (status == http.StatusForbidden || status == http.StatusUnauthorized) && isHTML(a.header) && !acceptsHTML(accept) {
		return nil, fmt.Errorf("fetching %s: status %d with an HTML page %q where %s was expected; the platform refuses this client, check the source's credentials and options: %w (%w)",
			source.RedactURL(a.url), status, pageTitle(a.body), strings.Join(accept, " or "), source.ErrBlocked, statusErr)
	}
	return nil, statusErr
}

// defaultAccept is everything the crawler ever reads: JSON, HTML, XML
// (RSS, Atom, RDF) and text. A request may narrow it, never widen it.
var defaultAccept = []string{
	"application/json", "application/*+json", "application/x-ndjson", "application/jsonl",
	"text/*", "application/xml", "application/*+xml",
}

func acceptList(req []string) []string {
	if len(req) == 0 {
		return defaultAccept
	}
	var out []string
	for _, a := range req {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return defaultAccept
	}
	return out
}

// acceptHeader is the Accept request header for a list of types: the
// patterns that are not valid there are left out.
func acceptHeader(accept []string) string {
	if len(accept) == 0 {
		return "application/json, application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.9, text/*;q=0.8"
	}
	var out []string
	for _, a := range accept {
		if t, sub, ok := strings.Cut(a, "/"); ok && t != "*" && (sub == "*" || !strings.Contains(sub, "*")) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return "*/*"
	}
	return strings.Join(out, ", ")
}

// gate decides, from the status and headers alone, whether to read the
// body. A 2xx answer that may not be read is refused with an error;
// another status is only not read (its status still counts).
func gate(status int, method string, h http.Header, accept []string, maxBody int64) (abort bool, err *RefusedError) {
	if method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified {
		return false, nil
	}
	ok2xx := status >= 200 && status < 300
	if enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding"))); enc != "" && enc != "identity" {
		return true, refusedIf(ok2xx, ReasonEncoding, "Content-Encoding %q", enc)
	}
	if cl, perr := strconv.ParseInt(h.Get("Content-Length"), 10, 64); perr == nil {
		if cl > maxBody {
			return true, refusedIf(ok2xx, ReasonBodySize, "Content-Length %d, cap %d", cl, maxBody)
		}
		if cl == 0 {
			return false, nil
		}
	}
	mt := mediaType(h.Get("Content-Type"))
	if !ok2xx {
		// Error pages are read (bounded) for their diagnostics and block
		// pages, as long as they are text.
		if mt == "" || matchesAny(mt, defaultAccept) {
			return false, nil
		}
		return true, nil
	}
	if mt == "" {
		return true, refusedIf(true, ReasonContentType, "no Content-Type")
	}
	if !matchesAny(mt, defaultAccept) || !matchesAny(mt, accept) {
		return true, refusedIf(true, ReasonContentType, "got %s, want %s", mt, strings.Join(accept, ", "))
	}
	return false, nil
}

// refusedIf makes the refusal error for a 2xx answer; the caller fills in
// the URL.
func refusedIf(ok2xx bool, reason, format string, args ...any) *RefusedError {
	if !ok2xx {
		return nil
	}
	return refused("", reason, format, args...)
}

// matchesAny reports whether media type mt matches one of the patterns:
// "type/sub", "type/*" or "type/*+suffix".
func matchesAny(mt string, patterns []string) bool {
	t, sub, ok := strings.Cut(mt, "/")
	if !ok {
		return false
	}
	for _, p := range patterns {
		pt, psub, ok := strings.Cut(p, "/")
		if !ok || pt != t {
			continue
		}
		switch {
		case psub == sub, psub == "*":
			return true
		case strings.HasPrefix(psub, "*+") && strings.HasSuffix(sub, psub[1:]):
			return true
		}
	}
	return false
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isHTML(h http.Header) bool {
	mt := mediaType(h.Get("Content-Type"))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// acceptsHTML reports whether a request asked for HTML: text/html (or
// text/*) or XHTML by name, not merely some application/*+xml.
func acceptsHTML(accept []string) bool {
	return matchesAny("text/html", accept) || slices.Contains(accept, "application/xhtml+xml")
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// pageTitle is the <title> of an HTML page, for error messages.
func pageTitle(body []byte) string {
	m := titleRE.FindSubmatch(diagnostic(body))
	if m == nil {
		return ""
	}
	t := strings.Join(strings.Fields(html.UnescapeString(string(m[1]))), " ")
	if len(t) > 120 {
		t = t[:120]
	}
	return strings.ToValidUTF8(t, "")
}

// diagnostic keeps the first few KiB of a body for error reports.
func diagnostic(body []byte) []byte {
	const max = 4 << 10
	if len(body) > max {
		return body[:max]
	}
	return body
}
