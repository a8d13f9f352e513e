package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to one partner's TAXII 2.1 server with its bearer token.
type Client struct {
	HTTP      *http.Client // nil: a client with a 30 s timeout
	Token     string
	UserAgent string
	// MaxBody bounds a response; 0: 32 MiB.
	MaxBody int64
}

// HTTPError is a response other than 200.
type HTTPError struct {
	Status     int
	Title      string // the TAXII error's title, when the server sent one
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	if e.Title != "" {
		return fmt.Sprintf("taxii: HTTP %d: %s", e.Status, e.Title)
	}
	return fmt.Sprintf("taxii: HTTP %d", e.Status)
}

// Temporary reports whether trying again later may succeed.
func (e *HTTPError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func (c *Client) get(ctx context.Context, u string, v any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("taxii: %w", err)
	}
	req.Header.Set("Accept", MediaType)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("taxii: fetching %s: %w", redact(u), err)
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = 32 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("taxii: reading %s: %w", redact(u), err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("taxii: %s: response larger than %d bytes", redact(u), limit)
	}
	if resp.StatusCode != http.StatusOK {
		he := &HTTPError{Status: resp.StatusCode}
		var te Error
		if json.Unmarshal(body, &te) == nil {
			he.Title = te.Title
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			he.RetryAfter = time.Duration(s) * time.Second
		}
		return nil, fmt.Errorf("fetching %s: %w", redact(u), he)
	}
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	if mt = strings.TrimSpace(strings.ToLower(mt)); mt != "application/taxii+json" && mt != "application/json" {
		return nil, fmt.Errorf("taxii: %s: content type %q is not TAXII JSON", redact(u), resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("taxii: decoding %s: %w", redact(u), err)
	}
	return resp.Header, nil
}

// redact drops the query: tokens never travel there, but next cursors are
// noise in a log.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// Discovery reads the discovery resource at u.
func (c *Client) Discovery(ctx context.Context, u string) (Discovery, error) {
	var d Discovery
	_, err := c.get(ctx, u, &d)
	return d, err
}

// Collections lists the collections of the API root at root.
func (c *Client) Collections(ctx context.Context, root string) ([]Collection, error) {
	var cs Collections
	_, err := c.get(ctx, strings.TrimSuffix(root, "/")+"/collections/", &cs)
	return cs.Collections, err
}

// Page is one objects response.
type Page struct {
	Objects        []json.RawMessage
	More           bool
	Next           string
	DateAddedFirst time.Time
	DateAddedLast  time.Time
}

// Query is what an objects request asks for.
type Query struct {
	AddedAfter time.Time
	Limit      int
	Next       string
	Types      []string
}

// Objects reads one page of the collection at collectionURL (…/collections/{id}/).
func (c *Client) Objects(ctx context.Context, collectionURL string, q Query) (Page, error) {
	v := url.Values{}
	if !q.AddedAfter.IsZero() {
		v.Set("added_after", ts(q.AddedAfter))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Next != "" {
		v.Set("next", q.Next)
	}
	if len(q.Types) > 0 {
		v.Set("match[type]", strings.Join(q.Types, ","))
	}
	u := strings.TrimSuffix(collectionURL, "/") + "/objects/"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	var env Envelope
	h, err := c.get(ctx, u, &env)
	if err != nil {
		return Page{}, err
	}
	p := Page{Objects: env.Objects, More: env.More, Next: env.Next}
	for name, dst := range map[string]*time.Time{HeaderDateAddedFirst: &p.DateAddedFirst, HeaderDateAddedLast: &p.DateAddedLast} {
		if s := h.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return Page{}, fmt.Errorf("taxii: %s %q is not a timestamp", name, s)
			}
			*dst = t
		}
	}
	if p.More && p.Next == "" && p.DateAddedLast.IsZero() {
		return Page{}, errors.New("taxii: the server says more but gives neither next nor " + HeaderDateAddedLast)
	}
	return p, nil
}

// MaxPages bounds one Poll: a server that always says more cannot keep
// the poller forever.
const MaxPages = 1000

// Poll reads every object added after `after`, page by page, calling fn
// on each page in order, and returns the cursor to poll from next time:
// the last page's X-TAXII-Date-Added-Last, or `after` when nothing came.
// When fn fails the cursor returned is that of the last page fn took, so
// nothing is skipped.
func (c *Client) Poll(ctx context.Context, collectionURL string, after time.Time, limit int, fn func(Page) error) (time.Time, error) {
	cursor := after
	q := Query{AddedAfter: after, Limit: limit}
	for range MaxPages {
		p, err := c.Objects(ctx, collectionURL, q)
		if err != nil {
			return cursor, err
		}
		if err := fn(p); err != nil {
			return cursor, err
		}
		if p.DateAddedLast.After(cursor) {
			cursor = p.DateAddedLast
		}
		if !p.More {
			return cursor, nil
		}
		if p.Next != "" {
			q.Next = p.Next
		} else {
			// A server without next tokens pages by date alone.
			q.AddedAfter, q.Next = p.DateAddedLast, ""
		}
	}
	return cursor, fmt.Errorf("taxii: %s: still more after %d pages", redact(collectionURL), MaxPages)
}
