package tumblr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const defaultAPI = "https://api.tumblr.com"

// Poller reads Tumblr tags and blogs.
type Poller struct {
	source, kind string
	log          *zap.Logger
	api          string
	apiKey       string
	paging       platform.Paging
	now          func() time.Time
}

var _ source.Poller = (*Poller)(nil)

// New builds the Tumblr adapter of one source.
func New(sc source.Config, d source.Deps) (source.Poller, error) {
	return newPoller(sc, d, time.Now)
}

func newPoller(sc source.Config, d source.Deps, now func() time.Time) (*Poller, error) {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	api, err := sc.ParseBaseURL(defaultAPI, "https://api.tumblr.com or a mirror")
	if err != nil {
		return nil, err
	}
	p := &Poller{source: sc.Name, kind: sc.Kind, log: log.With(zap.String("source", sc.Name)), api: api.String(), now: now}
	o := source.NewOptions(sc.Options)
	if p.paging, err = platform.ReadPaging(o, 20, 20); err != nil {
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
	if sc.Auth.APIKeyEnv == "" {
		return nil, errors.New("auth.api_key_env: required: the Tumblr API answers 401 without an API key")
	}
	if p.apiKey, err = secret.Lookup(sc.Auth.APIKeyEnv); err != nil {
		return nil, fmt.Errorf("auth.api_key_env: %w", err)
	}
	return p, nil
}

type target struct {
	tag  string
	blog string // blog identifier: NAME.tumblr.com or a custom host
}

var (
	blogName = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)
	blogHost = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
)

func parseTarget(s string) (target, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "tag:"):
		tag := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "tag:"), "#"))
		if tag == "" || len(tag) > 140 {
			return target{}, fmt.Errorf("%q: empty or overlong tag", s)
		}
		return target{tag: tag}, nil
	case strings.HasPrefix(s, "blog:"):
		b := strings.TrimSpace(strings.TrimPrefix(s, "blog:"))
		switch {
		case blogName.MatchString(b):
			return target{blog: b + ".tumblr.com"}, nil
		case blogHost.MatchString(b):
			return target{blog: strings.ToLower(b)}, nil
		}
		return target{}, fmt.Errorf("%q: not a blog name or host", s)
	}
	return target{}, fmt.Errorf("%q: want tag:NAME or blog:NAME", s)
}

// Poll implements source.Poller.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	tg, err := parseTarget(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	w, pages, err := p.paging.Start(cursor)
	if err != nil {
		p.log.Warn("tumblr cursor unreadable, starting over", zap.String("target", t.Name), zap.Error(err))
	}
	m := meta{source: p.source, kind: p.kind, now: p.now()}
	var before int64
	fresh, err := platform.Collect(p.log.With(zap.String("target", t.Name)), "tumblr", w, pages, itemKey,
		func(int) (platform.Page[item], error) {
			pg, err := p.fetch(ctx, f, tg, before, m)
			if err != nil {
				return platform.Page[item]{}, err
			}
			oldest := int64(0)
			for _, it := range pg.items {
				if oldest == 0 || it.timestamp < oldest {
					oldest = it.timestamp
				}
			}
			more := pg.n >= p.paging.Limit && oldest != 0 && (before == 0 || oldest < before)
			before = oldest
			return platform.Page[item]{Items: pg.items, Bad: pg.bad, More: more}, nil
		})
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling tumblr %s: %w", t.Name, err)
	}
	sort.SliceStable(fresh, func(i, j int) bool {
		if fresh[i].timestamp != fresh[j].timestamp {
			return fresh[i].timestamp < fresh[j].timestamp
		}
		return fresh[i].order < fresh[j].order
	})
	out := platform.Keep(w, fresh, func(it item) (wire.Post, int64) { return it.post, it.order })
	return source.Batch{Posts: out, Cursor: w.Encode()}, nil
}

func (p *Poller) fetch(ctx context.Context, f source.Fetcher, tg target, before int64, m meta) (page, error) {
	q := url.Values{"api_key": {p.apiKey}, "limit": {strconv.Itoa(p.paging.Limit)}, "npf": {"true"}}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	var path string
	if tg.tag != "" {
		path = "/v2/tagged"
		q.Set("tag", tg.tag)
	} else {
		path = "/v2/blog/" + url.PathEscape(tg.blog) + "/posts"
	}
	u := p.api + path + "?" + q.Encode()
	pu, _ := url.Parse(u) // p.api parsed at construction, the rest is escaped
	safe := source.RedactURL(pu)
	resp, err := f.Fetch(ctx, &source.Request{URL: u, Accept: platform.JSONAccept})
	if err != nil {
		switch platform.StatusOf(err) {
		case http.StatusUnauthorized, http.StatusForbidden:
			return page{}, fmt.Errorf("%w: tumblr refused the API key of auth.api_key_env (%s)", source.ErrBlocked, safe)
		case http.StatusNotFound:
			return page{}, fmt.Errorf("tumblr has no %s (404: unknown or deactivated blog)", safe)
		}
		return page{}, scrub(err, p.apiKey)
	}
	if err := platform.CheckJSON(resp); err != nil {
		return page{}, fmt.Errorf("reading %s: %w", safe, err)
	}
	pg, err := parseResponse(resp.Body, m)
	if err != nil {
		return page{}, fmt.Errorf("reading %s: %w", safe, err)
	}
	return pg, nil
}

// scrub keeps the API key out of an error that quotes the request URL.
func scrub(err error, key string) error {
	if key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	return &scrubbed{err: err, msg: strings.ReplaceAll(err.Error(), key, "REDACTED")}
}

type scrubbed struct {
	err error
	msg string
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }
