package lemmy

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

// Poller reads the communities of one Lemmy instance.
type Poller struct {
	source, kind string
	log          *zap.Logger
	base         *url.URL
	token        string
	paging       platform.Paging
	now          func() time.Time
}

var _ source.Poller = (*Poller)(nil)

// New builds the Lemmy adapter of one source.
func New(sc source.Config, d source.Deps) (source.Poller, error) {
	return newPoller(sc, d, time.Now)
}

func newPoller(sc source.Config, d source.Deps, now func() time.Time) (*Poller, error) {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	base, err := sc.ParseBaseURL("", "the instance, e.g. https://lemmy.world")
	if err != nil {
		return nil, err
	}
	p := &Poller{source: sc.Name, kind: sc.Kind, log: log.With(zap.String("source", sc.Name)), base: base, now: now}
	o := source.NewOptions(sc.Options)
	if p.paging, err = platform.ReadPaging(o, 50, 50); err != nil {
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

type target struct {
	community string // name or name@host
	comments  bool
}

var communityPattern = regexp.MustCompile(`^[a-z0-9_]{1,50}(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$`)

func parseTarget(s string) (target, error) {
	n := strings.TrimPrefix(strings.TrimSpace(s), "!")
	n = strings.TrimPrefix(n, "c/")
	var tg target
	if rest, ok := strings.CutSuffix(n, "/comments"); ok {
		n, tg.comments = rest, true
	}
	if !communityPattern.MatchString(n) {
		return target{}, fmt.Errorf("%q: want c/NAME, c/NAME@host or c/NAME/comments", s)
	}
	tg.community = n
	return tg, nil
}

// Poll implements source.Poller.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	tg, err := parseTarget(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	w, pages, err := p.paging.Start(cursor)
	if err != nil {
		p.log.Warn("lemmy cursor unreadable, starting over", zap.String("target", t.Name), zap.Error(err))
	}
	m := meta{source: p.source, kind: p.kind, base: p.base, now: p.now()}
	next := ""
	fresh, err := platform.Collect(p.log.With(zap.String("target", t.Name)), "lemmy", w, pages, itemKey,
		func(n int) (platform.Page[item], error) {
			pg, err := p.fetch(ctx, f, tg, n, next, m)
			if err != nil {
				return platform.Page[item]{}, err
			}
			next = pg.next
			more := pg.n >= p.paging.Limit && (tg.comments || next != "")
			return platform.Page[item]{Items: pg.items, Bad: pg.bad, More: more}, nil
		})
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling lemmy %s %s: %w", p.base.Host, t.Name, err)
	}
	sort.SliceStable(fresh, func(i, j int) bool {
		a, b := fresh[i].post, fresh[j].post
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return fresh[i].order < fresh[j].order
	})
	out := platform.Keep(w, fresh, func(it item) (wire.Post, int64) { return it.post, it.order })
	return source.Batch{Posts: out, Cursor: w.Encode()}, nil
}

// fetch reads page n of a target: posts follow the opaque next_page
// cursor, comments (which have none in 0.19) count pages from 1.
func (p *Poller) fetch(ctx context.Context, f source.Fetcher, tg target, n int, next string, m meta) (page, error) {
	q := url.Values{
		"community_name": {tg.community},
		"sort":           {"New"},
		"type_":          {"All"},
		"limit":          {strconv.Itoa(p.paging.Limit)},
	}
	path := "/api/v3/post/list"
	if tg.comments {
		path = "/api/v3/comment/list"
		q.Set("page", strconv.Itoa(n+1))
	} else if next != "" {
		q.Set("page_cursor", next)
	}
	u := p.base.String() + path + "?" + q.Encode()
	req := &source.Request{URL: u, Header: http.Header{}, Accept: platform.JSONAccept}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := f.Fetch(ctx, req)
	if err != nil {
		return page{}, p.explain(u, tg, err, m.now)
	}
	if err := platform.CheckJSON(resp); err != nil {
		return page{}, fmt.Errorf("reading %s: %w", u, err)
	}
	var pg page
	if tg.comments {
		pg, err = parseCommentList(resp.Body, m)
	} else {
		pg, err = parsePostList(resp.Body, m)
	}
	if err != nil {
		return page{}, fmt.Errorf("reading %s: %w", u, err)
	}
	return pg, nil
}

// explain turns Lemmy's error answers ({"error": "…"}) into errors that
// say what happened: its rate limit is a retry, an unknown community a
// configuration error.
func (p *Poller) explain(u string, tg target, err error, now time.Time) error {
	var se *source.StatusError
	if !errors.As(err, &se) {
		return err
	}
	body := string(se.Body)
	switch {
	case strings.Contains(body, "rate_limit_error"):
		return &source.RetryError{URL: u, Until: now.Add(time.Minute), Err: fmt.Errorf("lemmy rate limit (%d %s)", se.Status, strings.TrimSpace(platform.Snippet(se.Body, 80)))}
	case strings.Contains(body, "couldnt_find_community") || se.Status == http.StatusNotFound:
		return fmt.Errorf("%s has no community %q (is it spelled right, and does the instance follow it?): %w", p.base.Host, tg.community, err)
	case se.Status == http.StatusUnauthorized || strings.Contains(body, "not_logged_in"):
		return fmt.Errorf("%w: %s wants a login for %s: set auth.token_env", source.ErrBlocked, p.base.Host, u)
	}
	return err
}
