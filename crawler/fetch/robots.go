package fetch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// maxRobotsBytes is how much of a robots.txt we read (RFC 9309 asks for at
// least 500 KiB).
const maxRobotsBytes = 512 << 10

// robotsEntry is one origin's robots.txt. colly's own cache keeps a 5xx
// answer as "disallow all" for the collector's life; here an unavailable
// robots.txt pauses the origin only until a retry with backoff, and a
// good copy keeps being used while a refresh fails.
type robotsEntry struct {
	data     *robotstxt.RobotsData // the last good rules; nil if none yet
	expires  time.Time             // data is fresh until then
	retryAt  time.Time             // after a failure: no new fetch before
	err      error                 // why the last fetch failed
	failures int
}

// checkRobots reports whether robots.txt lets us fetch u, fetching it
// first when needed. An unavailable robots.txt with no earlier good copy
// is a *source.RetryError.
func (f *Fetcher) checkRobots(ctx context.Context, st *host, u *url.URL) error {
	origin := strings.ToLower(u.Scheme) + "://" + u.Host
	st.robotsMu.Lock()
	defer st.robotsMu.Unlock()

	now := time.Now()
	e := st.robots[origin]
	if e == nil {
		e = &robotsEntry{}
		st.robots[origin] = e
	}
	fresh := e.data != nil && now.Before(e.expires)
	waiting := now.Before(e.retryAt)
	if !fresh && !waiting {
		if err := f.refreshRobots(ctx, st, origin, e); err != nil {
			return err // the context ended
		}
	}
	if e.data == nil {
		return &source.RetryError{URL: source.RedactURL(u), Until: e.retryAt,
			Err: fmt.Errorf("robots.txt of %s unavailable, not crawling the host until it answers: %w", origin, e.err)}
	}
	group := e.data.FindGroup(f.agent)
	st.slowDown(group.CrawlDelay)
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !group.Test(p) {
		return refused(source.RedactURL(u), ReasonRobots, "%s/robots.txt", origin)
	}
	return nil
}

// refreshRobots fetches origin's robots.txt into e. It returns an error
// only when ctx ended; a failed fetch is recorded in e.
func (f *Fetcher) refreshRobots(ctx context.Context, st *host, origin string, e *robotsEntry) error {
	data, retryAt, err := f.fetchRobots(ctx, st, origin)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	now := time.Now()
	if err != nil {
		e.failures++
		e.err = err
		e.retryAt = retryAt
		if e.retryAt.IsZero() || !e.retryAt.After(now) {
			e.retryAt = now.Add(Backoff(f.hosts.opts.BackoffBase, min(f.hosts.opts.BackoffMax, time.Hour), e.failures))
		}
		level := zap.WarnLevel
		if e.data != nil {
			level = zap.InfoLevel // a good copy stays in use
		}
		f.log.Log(level, "robots.txt unavailable", zap.String("origin", origin), zap.Error(err),
			zap.Time("retry_at", e.retryAt), zap.Bool("using_previous_copy", e.data != nil))
		return nil
	}
	e.data, e.err, e.failures = data, nil, 0
	e.expires = now.Add(Jitter(f.hosts.opts.RobotsTTL, 0.1))
	e.retryAt = time.Time{}
	return nil
}

// fetchRobots GETs origin/robots.txt. 2xx is parsed; 4xx (but 429) means
// no rules (RFC 9309 "unavailable"); 429, 5xx and network errors make it
// "unreachable": retried later, with Retry-After honoured.
func (f *Fetcher) fetchRobots(ctx context.Context, st *host, origin string) (*robotstxt.RobotsData, time.Time, error) {
	if err := st.limiter.Wait(ctx); err != nil {
		return nil, time.Time{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.hosts.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/robots.txt", nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	req.Header.Set("User-Agent", f.hosts.opts.UserAgent)
	req.Header.Set("Accept", "text/plain, */*;q=0.5")
	resp, err := f.robotsClient.Do(req)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("fetching robots.txt: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("reading robots.txt: %w", err)
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		data, err := parseRobots(body)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("parsing robots.txt: %w", err)
		}
		return data, time.Time{}, nil
	case s == http.StatusTooManyRequests || s >= 500:
		until, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return nil, until, fmt.Errorf("robots.txt answered status %d", s)
	case s >= 400:
		data, _ := robotstxt.FromStatusAndBytes(s, nil) // allow all
		return data, time.Time{}, nil
	}
	return nil, time.Time{}, fmt.Errorf("robots.txt answered status %d", resp.StatusCode)
}

// parseRobots parses leniently: the robotstxt parser rejects a whole file
// for a rule before the first User-agent line or a bad Crawl-delay, so
// such lines are dropped and the rest is parsed again.
func parseRobots(body []byte) (*robotstxt.RobotsData, error) {
	data, err := robotstxt.FromBytes(body)
	if err == nil {
		return data, nil
	}
	var cleaned bytes.Buffer
	sawAgent := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxRobotsBytes)
	for sc.Scan() {
		line := sc.Text()
		content, _, _ := strings.Cut(line, "#")
		key, val, ok := strings.Cut(content, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if ok {
			switch key {
			case "user-agent", "useragent":
				sawAgent = true
			case "allow", "disallow":
				if !sawAgent {
					continue
				}
			case "crawl-delay", "crawldelay":
				d, err := strconv.ParseFloat(val, 64)
				if !sawAgent || err != nil || d < 0 || math.IsInf(d, 0) || math.IsNaN(d) {
					continue
				}
			}
		}
		cleaned.WriteString(content)
		cleaned.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	data, err2 := robotstxt.FromBytes(cleaned.Bytes())
	if err2 != nil {
		return nil, errors.Join(err, err2)
	}
	return data, nil
}
