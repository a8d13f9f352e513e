package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// instanceTTL is how long a read of /api/v2/instance is trusted.
const instanceTTL = time.Hour

// Poller reads the timelines of one Mastodon instance.
type Poller struct {
	source, kind   string
	log            *zap.Logger
	base           *url.URL
	token          string
	limit          int
	excludeReplies bool
	now            func() time.Time

	pause platform.Pause

	mu       sync.Mutex
	access   *timelinesAccess // nil: not read yet, or the server predates 4.5
	accessAt time.Time
	accounts map[string]string // acct → id
}

var _ source.Poller = (*Poller)(nil)

// New builds the Mastodon adapter of one source.
func New(sc source.Config, d source.Deps) (source.Poller, error) {
	return newPoller(sc, d, time.Now)
}

func newPoller(sc source.Config, d source.Deps, now func() time.Time) (*Poller, error) {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	base, err := sc.ParseBaseURL("", "the instance, e.g. https://mastodon.social")
	if err != nil {
		return nil, err
	}
	p := &Poller{source: sc.Name, kind: sc.Kind, log: log.With(zap.String("source", sc.Name)), base: base,
		now: now, accounts: map[string]string{}}
	o := source.NewOptions(sc.Options)
	if p.limit, err = o.Int("limit", 40, 1, 40); err != nil {
		return nil, err
	}
	if p.excludeReplies, err = o.Bool("exclude_replies", false); err != nil {
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
	if sc.Auth.TokenEnv != "" {
		if p.token, err = secret.Lookup(sc.Auth.TokenEnv); err != nil {
			return nil, fmt.Errorf("auth.token_env: %w", err)
		}
	}
	return p, nil
}

type targetKind int

const (
	tagTarget targetKind = iota
	accountTarget
	publicTarget
)

type target struct {
	kind  targetKind
	name  string // tag or acct
	scope string // public: "", "local" or "remote"
}

var (
	tagName  = regexp.MustCompile(`^[\p{L}\p{N}_]{1,100}$`)
	acctName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$`)
)

func parseTarget(s string) (target, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "tag:"):
		n := strings.TrimPrefix(strings.TrimPrefix(s, "tag:"), "#")
		if !tagName.MatchString(n) {
			return target{}, fmt.Errorf("%q: not a hashtag", s)
		}
		return target{kind: tagTarget, name: n}, nil
	case strings.HasPrefix(s, "account:"):
		n := strings.TrimPrefix(strings.TrimPrefix(s, "account:"), "@")
		if !acctName.MatchString(n) {
			return target{}, fmt.Errorf("%q: not an account (user or user@host)", s)
		}
		return target{kind: accountTarget, name: n}, nil
	case s == "public":
		return target{kind: publicTarget}, nil
	case s == "public:local", s == "public:remote":
		return target{kind: publicTarget, scope: strings.TrimPrefix(s, "public:")}, nil
	}
	return target{}, fmt.Errorf("%q: want tag:NAME, account:ACCT, public, public:local or public:remote", s)
}

// Poll implements source.Poller.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	tg, err := parseTarget(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	now := p.now()
	if err := p.pause.Check(now, p.base.String()); err != nil {
		return source.Batch{}, err
	}
	path, q, err := p.endpoint(ctx, f, tg)
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling mastodon %s %s: %w", p.base.Host, t.Name, err)
	}
	q.Set("limit", fmt.Sprint(p.limit))
	if cursor != "" {
		q.Set("min_id", cursor)
	}
	u := p.base.String() + path + "?" + q.Encode()
	resp, err := p.get(ctx, f, u)
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling mastodon %s %s: %w", p.base.Host, t.Name, err)
	}
	pg, err := parseStatuses(resp.Body, meta{source: p.source, kind: p.kind, base: p.base, now: now})
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling mastodon %s %s: reading %s: %w", p.base.Host, t.Name, u, err)
	}
	for _, bad := range pg.bad {
		p.log.Warn("mastodon status skipped", zap.String("target", t.Name), zap.Error(bad))
	}
	next := cursor
	if prev := linkParam(resp.Header, "prev", "min_id"); prev != "" {
		next = prev
	} else if pg.newest != "" {
		next = pg.newest
	}
	// A full page after min_id means newer statuses are waiting; the first
	// poll takes the newest page only and does not page back.
	more := cursor != "" && pg.n >= p.limit && next != cursor
	return source.Batch{Posts: pg.posts, Cursor: next, More: more}, nil
}

// endpoint picks the API path for a target, honouring the instance's
// timelines_access.
func (p *Poller) endpoint(ctx context.Context, f source.Fetcher, tg target) (string, url.Values, error) {
	q := url.Values{}
	switch tg.kind {
	case tagTarget:
		scope, err := p.allowed(ctx, f, "hashtag_feeds", "")
		if err != nil {
			return "", nil, err
		}
		setScope(q, scope)
		return "/api/v1/timelines/tag/" + url.PathEscape(tg.name), q, nil
	case publicTarget:
		scope, err := p.allowed(ctx, f, "live_feeds", tg.scope)
		if err != nil {
			return "", nil, err
		}
		setScope(q, scope)
		return "/api/v1/timelines/public", q, nil
	default:
		id, err := p.accountID(ctx, f, tg.name)
		if err != nil {
			return "", nil, err
		}
		if p.excludeReplies {
			q.Set("exclude_replies", "true")
		}
		return "/api/v1/accounts/" + url.PathEscape(id) + "/statuses", q, nil
	}
}

func setScope(q url.Values, scope string) {
	switch scope {
	case "local":
		q.Set("local", "true")
	case "remote":
		q.Set("remote", "true")
	}
}

func (p *Poller) get(ctx context.Context, f source.Fetcher, u string) (*source.Response, error) {
	req := &source.Request{URL: u, Header: http.Header{}, Accept: platform.JSONAccept}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := f.Fetch(ctx, req)
	if err != nil {
		if s := platform.StatusOf(err); s == http.StatusUnauthorized || s == http.StatusForbidden {
			hint := "set auth.token_env to an access token"
			if p.token != "" {
				hint = "the token of auth.token_env was refused"
			}
			return nil, fmt.Errorf("%w: %s answered %d: %s", source.ErrBlocked, u, s, hint)
		}
		return nil, err
	}
	p.rateLimit(resp.Header, u)
	if err := platform.CheckJSON(resp); err != nil {
		return nil, fmt.Errorf("reading %s: %w", u, err)
	}
	return resp, nil
}

// rateLimit pauses the adapter when the instance says the budget is spent.
func (p *Poller) rateLimit(h http.Header, u string) {
	remaining, ok := platform.ParseFloatHeader(h, "X-RateLimit-Remaining")
	if !ok || remaining >= 1 {
		return
	}
	until, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(h.Get("X-RateLimit-Reset")))
	if err != nil {
		until = p.now().Add(5 * time.Minute) // Mastodon's window
	}
	p.pause.Set(until, fmt.Sprintf("mastodon rate limit spent (X-RateLimit-Remaining %s, reset %s)",
		h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Reset")))
	p.log.Info("mastodon rate limit spent, pausing", zap.Time("until", until), zap.String("url", u))
}

// linkParam returns query parameter key of the Link header entry rel.
func linkParam(h http.Header, rel, key string) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if !strings.Contains(part, `rel="`+rel+`"`) {
				continue
			}
			start, end := strings.Index(part, "<"), strings.Index(part, ">")
			if start < 0 || end <= start {
				continue
			}
			u, err := url.Parse(part[start+1 : end])
			if err != nil {
				continue
			}
			return u.Query().Get(key)
		}
	}
	return ""
}

func sortOldestFirst(posts []wire.Post) {
	sort.SliceStable(posts, func(i, j int) bool {
		a, b := posts[i], posts[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		if len(a.ID) != len(b.ID) { // snowflake ids: shorter is older
			return len(a.ID) < len(b.ID)
		}
		return a.ID < b.ID
	})
}

var errNoAccount = errors.New("no such account")
