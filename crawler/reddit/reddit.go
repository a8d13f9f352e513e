package reddit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const (
	apiHost = "https://oauth.reddit.com"
	wwwHost = "https://www.reddit.com"
)

type mode int

const (
	modeOAuth     mode = iota // oauth.reddit.com with an app-only token
	modeAnonymous             // www.reddit.com/….json: blocked since 2026, kept for mirrors
	modeRSS                   // www.reddit.com/…/.rss Atom feeds
)

func (m mode) String() string {
	return [...]string{"oauth", "anonymous", "rss"}[m]
}

// Poller reads Reddit listings. It is safe for concurrent polls of
// different targets: the token and the rate-limit pause are shared.
type Poller struct {
	source, kind string
	log          *zap.Logger
	userAgent    string
	mode         mode
	apiBase      string // API (or anonymous JSON, or RSS) base URL
	tokenURL     string
	clientID     string
	clientSecret string
	paging       platform.Paging
	now          func() time.Time

	pause platform.Pause
	mu    sync.Mutex
	token string
	exp   time.Time
}

var _ source.Poller = (*Poller)(nil)

// New builds the Reddit adapter of one source.
func New(sc source.Config, d source.Deps) (source.Poller, error) {
	return newPoller(sc, d, time.Now)
}

func newPoller(sc source.Config, d source.Deps, now func() time.Time) (*Poller, error) {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	p := &Poller{source: sc.Name, kind: sc.Kind, log: log.With(zap.String("source", sc.Name)),
		userAgent: d.UserAgent, now: now}
	o := source.NewOptions(sc.Options)
	fallback, err := o.OneOf("fallback", "", "", "rss")
	if err != nil {
		return nil, err
	}
	if p.paging, err = platform.ReadPaging(o, 100, 100); err != nil {
		return nil, err
	}
	if err := o.Unknown(); err != nil {
		return nil, err
	}
	for i, t := range sc.Targets {
		if _, err := parseTarget(t); err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
	}
	switch a := sc.Auth; {
	case a.ClientIDEnv != "" && a.ClientSecretEnv != "":
		if p.clientID, err = secret.Lookup(a.ClientIDEnv); err != nil {
			return nil, fmt.Errorf("auth.client_id_env: %w", err)
		}
		if p.clientSecret, err = secret.Lookup(a.ClientSecretEnv); err != nil {
			return nil, fmt.Errorf("auth.client_secret_env: %w", err)
		}
		p.mode = modeOAuth
	case a.ClientIDEnv != "" || a.ClientSecretEnv != "":
		return nil, errors.New("auth: set both client_id_env and client_secret_env, or neither")
	case fallback == "rss":
		p.mode = modeRSS
	default:
		p.mode = modeAnonymous
	}
	base := strings.TrimRight(sc.BaseURL, "/")
	switch {
	case base != "":
		p.apiBase, p.tokenURL = base, base+"/api/v1/access_token"
	case p.mode == modeOAuth:
		p.apiBase, p.tokenURL = apiHost, wwwHost+"/api/v1/access_token"
	default:
		p.apiBase = wwwHost
	}
	p.log.Info("reddit adapter ready", zap.Stringer("mode", p.mode), zap.String("api", p.apiBase))
	return p, nil
}

// target is a parsed target string.
type target struct {
	path  string     // listing path without suffix, e.g. /r/golang/new
	query url.Values // listing parameters besides limit/after/raw_json
	rss   string     // the Atom feed path of the same listing
}

var (
	subName  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_]{1,20}(\+[A-Za-z0-9][A-Za-z0-9_]{1,20})*$`)
	userName = regexp.MustCompile(`^[A-Za-z0-9_-]{3,20}$`)
)

func parseTarget(s string) (target, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "search:"):
		q := strings.TrimSpace(strings.TrimPrefix(s, "search:"))
		if q == "" {
			return target{}, fmt.Errorf("%q: empty search query", s)
		}
		v := url.Values{"q": {q}, "sort": {"new"}, "t": {"all"}}
		return target{path: "/search", query: v, rss: "/search.rss"}, nil
	case strings.HasPrefix(s, "u/"):
		u := strings.TrimPrefix(s, "u/")
		if !userName.MatchString(u) {
			return target{}, fmt.Errorf("%q: not a Reddit user name", s)
		}
		return target{path: "/user/" + u + "/overview", query: url.Values{"sort": {"new"}},
			rss: "/user/" + u + "/.rss"}, nil
	case strings.HasPrefix(s, "r/"):
		rest := strings.TrimPrefix(s, "r/")
		sub, tail, _ := strings.Cut(rest, "/")
		if !subName.MatchString(sub) {
			return target{}, fmt.Errorf("%q: not a subreddit name", s)
		}
		switch {
		case tail == "" || tail == "new":
			return target{path: "/r/" + sub + "/new", rss: "/r/" + sub + "/new/.rss"}, nil
		case tail == "comments":
			return target{path: "/r/" + sub + "/comments", rss: "/r/" + sub + "/comments/.rss"}, nil
		case strings.HasPrefix(tail, "search:"):
			q := strings.TrimSpace(strings.TrimPrefix(tail, "search:"))
			if q == "" {
				return target{}, fmt.Errorf("%q: empty search query", s)
			}
			v := url.Values{"q": {q}, "restrict_sr": {"1"}, "sort": {"new"}, "t": {"all"}}
			return target{path: "/r/" + sub + "/search", query: v, rss: "/r/" + sub + "/search.rss"}, nil
		}
	}
	return target{}, fmt.Errorf("%q: want r/SUB, r/SUB/comments, r/SUB/search:QUERY, search:QUERY or u/USER", s)
}

// meta is what a mapped post takes from its source.
type meta struct {
	source, kind string
	now          time.Time
}

// Poll implements source.Poller.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	tg, err := parseTarget(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	now := p.now()
	if err := p.pause.Check(now, p.apiBase+tg.path); err != nil {
		return source.Batch{}, err
	}
	w, pages, err := p.paging.Start(cursor)
	if err != nil {
		p.log.Warn("reddit cursor unreadable, starting over", zap.String("target", t.Name), zap.Error(err))
	}
	m := meta{source: p.source, kind: p.kind, now: now}
	after := ""
	fresh, err := platform.Collect(p.log.With(zap.String("target", t.Name)), "reddit", w, pages, itemKey,
		func(int) (platform.Page[item], error) {
			var pg page
			var err error
			if p.mode == modeRSS {
				pg, err = p.fetchRSS(ctx, f, tg, m)
			} else {
				pg, err = p.fetchListing(ctx, f, tg, after, m)
			}
			if err != nil {
				return platform.Page[item]{}, err
			}
			after = pg.after
			more := after != "" && p.mode != modeRSS && !p.pausedAt(now)
			return platform.Page[item]{Items: pg.items, Bad: pg.bad, More: more}, nil
		})
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling reddit %s: %w", t.Name, err)
	}
	oldestFirst(fresh)
	out := platform.Keep(w, fresh, func(it item) (wire.Post, int64) { return it.post, it.order })
	return source.Batch{Posts: out, Cursor: w.Encode()}, nil
}

func (p *Poller) pausedAt(now time.Time) bool { return p.pause.Check(now, "") != nil }

// fetchListing reads one JSON listing page.
func (p *Poller) fetchListing(ctx context.Context, f source.Fetcher, tg target, after string, m meta) (page, error) {
	q := url.Values{}
	for k, v := range tg.query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(p.paging.Limit))
	q.Set("raw_json", "1")
	if after != "" {
		q.Set("after", after)
	}
	path := tg.path
	if p.mode == modeAnonymous {
		path += ".json"
	}
	u := p.apiBase + path + "?" + q.Encode()
	for attempt := 0; ; attempt++ {
		req := &source.Request{URL: u, Header: http.Header{}, Accept: platform.JSONAccept}
		if p.userAgent != "" {
			req.Header.Set("User-Agent", p.userAgent)
		}
		if p.mode == modeOAuth {
			tok, err := p.accessToken(ctx, f)
			if err != nil {
				return page{}, err
			}
			req.Header.Set("Authorization", "bearer "+tok)
		}
		resp, err := f.Fetch(ctx, req)
		if err != nil {
			if p.mode == modeOAuth && platform.StatusOf(err) == http.StatusUnauthorized && attempt == 0 {
				p.dropToken() // expired or revoked early: one fresh token
				continue
			}
			return page{}, p.explain(u, err)
		}
		p.rateLimit(resp.Header, m.now, u)
		if err := platform.CheckJSON(resp); err != nil {
			return page{}, fmt.Errorf("reading %s: %w", u, err)
		}
		pg, err := parseListing(resp.Body, m)
		if err != nil {
			return page{}, fmt.Errorf("reading %s: %w", u, err)
		}
		return pg, nil
	}
}

// explain turns Reddit's refusals into errors that say what to do.
func (p *Poller) explain(u string, err error) error {
	var se *source.StatusError
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.Status == http.StatusForbidden && p.mode != modeOAuth:
		return fmt.Errorf("%w: reddit refused unauthenticated JSON (%s answered 403%s): configure OAuth (auth.client_id_env / client_secret_env) or options.fallback: rss",
			source.ErrBlocked, u, blockPageHint(se))
	case se.Status == http.StatusForbidden:
		return fmt.Errorf("reddit refused %s (403: private, quarantined or banned subreddit, or the app lacks access): %w", u, err)
	case se.Status == http.StatusNotFound:
		return fmt.Errorf("reddit has no %s (404: unknown or banned subreddit or user): %w", u, err)
	}
	return err
}

func blockPageHint(se *source.StatusError) string {
	b := strings.ToLower(string(se.Body))
	if strings.Contains(b, "whoa there") || strings.HasPrefix(strings.TrimSpace(b), "<") {
		return " with its HTML block page"
	}
	return ""
}

// rateLimit pauses the adapter when Reddit says the budget is spent.
func (p *Poller) rateLimit(h http.Header, now time.Time, u string) {
	remaining, ok := platform.ParseFloatHeader(h, "X-Ratelimit-Remaining")
	if !ok || remaining >= 1 {
		return
	}
	reset, ok := platform.ParseFloatHeader(h, "X-Ratelimit-Reset")
	if !ok || reset < 0 {
		reset = 60
	}
	until := now.Add(time.Duration(reset * float64(time.Second)))
	p.pause.Set(until, fmt.Sprintf("reddit rate limit spent (X-Ratelimit-Remaining %s, reset in %ss)",
		h.Get("X-Ratelimit-Remaining"), h.Get("X-Ratelimit-Reset")))
	p.log.Info("reddit rate limit spent, pausing", zap.Time("until", until), zap.String("url", u))
}
