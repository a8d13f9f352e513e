package bluesky

import (
	"context"
	"encoding/json"
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
	"github.com/handlewatch/handlewatch/internal/wire"
)

// postView is app.bsky.feed.defs#postView; only the fields we read.
type postView struct {
	URI    string `json:"uri"`
	Author struct {
		DID    string `json:"did"`
		Handle string `json:"handle"`
	} `json:"author"`
	Record    json.RawMessage `json:"record"`
	IndexedAt string          `json:"indexedAt"`
}

type feedItem struct {
	Post   json.RawMessage `json:"post"`
	Reason *struct {
		Type      string `json:"$type"`
		IndexedAt string `json:"indexedAt"`
	} `json:"reason"`
}

const reasonRepost = "app.bsky.feed.defs#reasonRepost"

type item struct {
	post  wire.Post
	order int64 // feed time in microseconds
}

func itemKey(it item) (string, int64) { return it.post.ID, it.order }

type page struct {
	items  []item
	cursor string
	n      int
	bad    []error
}

// parsePostView maps one postView; order is the item's feed time (the
// repost's time for a repost).
func parsePostView(raw json.RawMessage, feedTime string, m meta) (item, error) {
	var v postView
	if err := json.Unmarshal(raw, &v); err != nil {
		return item{}, err
	}
	uri, err := parseATURI(v.URI)
	if err != nil {
		return item{}, err
	}
	var rec postRecord
	if err := json.Unmarshal(v.Record, &rec); err != nil {
		return item{}, fmt.Errorf("%s: record: %w", v.URI, err)
	}
	indexed, _ := time.Parse(time.RFC3339Nano, v.IndexedAt)
	p, err := mapRecord(&rec, uri, author{did: v.Author.DID, handle: v.Author.Handle}, indexed, m)
	if err != nil {
		return item{}, err
	}
	order := indexed
	if t, err := time.Parse(time.RFC3339Nano, feedTime); err == nil {
		order = t
	}
	if order.IsZero() {
		order = p.CreatedAt
	}
	return item{post: p, order: order.UnixMicro()}, nil
}

// parseAuthorFeed decodes a getAuthorFeed answer. Reposts are kept only
// when reposts is true, as the reposted post itself.
func parseAuthorFeed(body []byte, reposts bool, m meta) (page, error) {
	var r struct {
		Feed   []json.RawMessage `json:"feed"`
		Cursor string            `json:"cursor"`
	}
	if err := platform.Unmarshal(body, &r); err != nil {
		return page{}, fmt.Errorf("decoding author feed: %w", err)
	}
	if r.Feed == nil {
		return page{}, errors.New("decoding author feed: no feed array")
	}
	pg := page{cursor: r.Cursor, n: len(r.Feed)}
	for i, raw := range r.Feed {
		var fi feedItem
		if err := json.Unmarshal(raw, &fi); err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("feed item %d: %w", i, err))
			continue
		}
		feedTime := ""
		if fi.Reason != nil {
			if fi.Reason.Type != reasonRepost {
				continue // a pin or another reason: the post shows elsewhere
			}
			if !reposts {
				continue
			}
			feedTime = fi.Reason.IndexedAt
		}
		it, err := parsePostView(fi.Post, feedTime, m)
		if err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("feed item %d: %w", i, err))
			continue
		}
		pg.items = append(pg.items, it)
	}
	return pg, nil
}

// parseSearch decodes a searchPosts answer.
func parseSearch(body []byte, m meta) (page, error) {
	var r struct {
		Posts  []json.RawMessage `json:"posts"`
		Cursor string            `json:"cursor"`
	}
	if err := platform.Unmarshal(body, &r); err != nil {
		return page{}, fmt.Errorf("decoding search results: %w", err)
	}
	if r.Posts == nil {
		return page{}, errors.New("decoding search results: no posts array")
	}
	pg := page{cursor: r.Cursor, n: len(r.Posts)}
	for i, raw := range r.Posts {
		it, err := parsePostView(raw, "", m)
		if err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("post %d: %w", i, err))
			continue
		}
		pg.items = append(pg.items, it)
	}
	return pg, nil
}

// Poller reads author feeds and searches over XRPC.
type Poller struct {
	source, kind string
	log          *zap.Logger
	appview      string
	paging       platform.Paging
	reposts      bool
	replies      bool
	session      *session // nil without auth
	now          func() time.Time
}

var _ source.Poller = (*Poller)(nil)

var (
	didPattern    = regexp.MustCompile(`^did:[a-z]+:[A-Za-z0-9._:%-]{1,1000}$`)
	handlePattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

type pollTarget struct {
	actor string // author:
	query string // search:
}

func parsePollTarget(s string) (pollTarget, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "author:"):
		a := strings.TrimPrefix(strings.TrimPrefix(s, "author:"), "@")
		if !didPattern.MatchString(a) && (!handlePattern.MatchString(a) || len(a) > 253) {
			return pollTarget{}, fmt.Errorf("%q: not a handle or DID", s)
		}
		return pollTarget{actor: a}, nil
	case strings.HasPrefix(s, "search:"):
		q := strings.TrimSpace(strings.TrimPrefix(s, "search:"))
		if q == "" {
			return pollTarget{}, fmt.Errorf("%q: empty search query", s)
		}
		return pollTarget{query: q}, nil
	}
	return pollTarget{}, fmt.Errorf("%q: want jetstream, jetstream:DID,…, author:HANDLE or search:QUERY", s)
}

// Poll implements source.Poller.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	tg, err := parsePollTarget(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	w, pages, err := p.paging.Start(cursor)
	if err != nil {
		p.log.Warn("bluesky cursor unreadable, starting over", zap.String("target", t.Name), zap.Error(err))
	}
	m := meta{source: p.source, kind: p.kind, now: p.now()}
	next := ""
	fresh, err := platform.Collect(p.log.With(zap.String("target", t.Name)), "bluesky", w, pages, itemKey,
		func(int) (platform.Page[item], error) {
			var pg page
			var err error
			if tg.actor != "" {
				pg, err = p.authorPage(ctx, f, tg.actor, next, m)
			} else {
				pg, err = p.searchPage(ctx, f, tg.query, next, m)
			}
			if err != nil {
				return platform.Page[item]{}, err
			}
			more := pg.cursor != "" && pg.cursor != next && pg.n >= p.paging.Limit
			next = pg.cursor
			return platform.Page[item]{Items: pg.items, Bad: pg.bad, More: more}, nil
		})
	if err != nil {
		return source.Batch{}, fmt.Errorf("polling bluesky %s: %w", t.Name, err)
	}
	sort.SliceStable(fresh, func(i, j int) bool {
		a, b := fresh[i].post, fresh[j].post
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
	out := platform.Keep(w, fresh, func(it item) (wire.Post, int64) { return it.post, it.order })
	return source.Batch{Posts: out, Cursor: w.Encode()}, nil
}

func (p *Poller) authorPage(ctx context.Context, f source.Fetcher, actor, cursor string, m meta) (page, error) {
	filter := "posts_with_replies"
	if !p.replies {
		filter = "posts_no_replies"
	}
	q := url.Values{"actor": {actor}, "limit": {strconv.Itoa(p.paging.Limit)}, "filter": {filter}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	u := p.appview + "/xrpc/app.bsky.feed.getAuthorFeed?" + q.Encode()
	resp, err := platform.FetchJSON(ctx, f, &source.Request{URL: u})
	if err != nil {
		if xe := xrpcError(err); xe == "AccountTakedown" || xe == "AccountDeactivated" || xe == "BlockedActor" || platform.StatusOf(err) == http.StatusNotFound {
			return page{}, fmt.Errorf("bluesky cannot show %s's feed (%s): %w", actor, xe, err)
		}
		return page{}, err
	}
	pg, err := parseAuthorFeed(resp.Body, p.reposts, m)
	if err != nil {
		return page{}, fmt.Errorf("reading %s: %w", u, err)
	}
	return pg, nil
}

func (p *Poller) searchPage(ctx context.Context, f source.Fetcher, query, cursor string, m meta) (page, error) {
	q := url.Values{"q": {query}, "sort": {"latest"}, "limit": {strconv.Itoa(p.paging.Limit)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var body []byte
	if p.session == nil {
		u := p.appview + "/xrpc/app.bsky.feed.searchPosts?" + q.Encode()
		resp, err := platform.FetchJSON(ctx, f, &source.Request{URL: u})
		if err != nil {
			if s := platform.StatusOf(err); s == http.StatusForbidden || s == http.StatusUnauthorized {
				return page{}, fmt.Errorf("%w: bluesky refused unauthenticated searchPosts (%d from %s): set auth.identifier and auth.password_env (an app password) to search",
					source.ErrBlocked, s, u)
			}
			return page{}, err
		}
		body = resp.Body
	} else {
		resp, err := p.session.get(ctx, f, "/xrpc/app.bsky.feed.searchPosts?"+q.Encode())
		if err != nil {
			return page{}, err
		}
		body = resp.Body
	}
	pg, err := parseSearch(body, m)
	if err != nil {
		return page{}, fmt.Errorf("reading search results: %w", err)
	}
	return pg, nil
}

// xrpcError returns the "error" name of an XRPC error body.
func xrpcError(err error) string {
	var se *source.StatusError
	if !errors.As(err, &se) {
		return ""
	}
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(se.Body, &body)
	return body.Error
}
