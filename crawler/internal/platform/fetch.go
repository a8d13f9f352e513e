package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// JSONAccept is the Accept list of an API request.
var JSONAccept = []string{"application/json"}

// ErrNotJSON means an API answered with something other than JSON (an
// HTML error or login page behind a 200).
var ErrNotJSON = errors.New("response is not JSON")

// GetJSON fetches req and decodes its JSON body into v. A body that is
// HTML, or is not JSON at all, is an error wrapping ErrNotJSON, never a
// panic or a half-filled v.
func GetJSON(ctx context.Context, f source.Fetcher, req *source.Request, v any) (*source.Response, error) {
	if req.Accept == nil {
		req.Accept = JSONAccept
	}
	resp, err := f.Fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.NotModified() {
		return resp, nil
	}
	if err := DecodeJSON(resp, v); err != nil {
		return resp, fmt.Errorf("decoding %s: %w", req.URL, err)
	}
	return resp, nil
}

// CheckJSON reports a fetched body that cannot be JSON: another content
// type, or a body that does not start like a JSON object or array.
func CheckJSON(resp *source.Response) error {
	body := bytes.TrimSpace(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil && !strings.Contains(mt, "json") && !strings.HasPrefix(mt, "text/plain") {
			return fmt.Errorf("%w: content type %s", ErrNotJSON, mt)
		}
	}
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return fmt.Errorf("%w: body starts with %q", ErrNotJSON, Snippet(body, 40))
	}
	return nil
}

// FetchJSON fetches req and checks the answer is JSON, leaving the body
// to the caller's own decoder.
func FetchJSON(ctx context.Context, f source.Fetcher, req *source.Request) (*source.Response, error) {
	if req.Accept == nil {
		req.Accept = JSONAccept
	}
	resp, err := f.Fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := CheckJSON(resp); err != nil {
		return nil, fmt.Errorf("reading %s: %w", req.URL, err)
	}
	return resp, nil
}

// DecodeJSON decodes a fetched JSON body.
func DecodeJSON(resp *source.Response, v any) error {
	if err := CheckJSON(resp); err != nil {
		return err
	}
	if err := Unmarshal(bytes.TrimSpace(resp.Body), v); err != nil {
		return fmt.Errorf("%w: %w", ErrNotJSON, err)
	}
	return nil
}

// Unmarshal is json.Unmarshal whose syntax and type errors say at which
// byte of body they are: a bad page among thousands can then be found in
// a capture, not only its URL.
func Unmarshal(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("at byte %d: %w", se.Offset, err)
	case errors.As(err, &te):
		return fmt.Errorf("at byte %d: %w", te.Offset, err)
	}
	return err
}

// Snippet returns up to n bytes of b as text for an error message.
func Snippet(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return strings.ToValidUTF8(string(b), "?")
}

// StatusOf returns the HTTP status of a fetch error, 0 when it has none.
func StatusOf(err error) int {
	var se *source.StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// Pause remembers until when a platform asked us to wait (its rate-limit
// headers said the budget is spent), so the next poll returns a
// RetryError at once instead of spending a request on a certain 429.
type Pause struct {
	mu    sync.Mutex
	until time.Time
	why   string
}

// Set pauses until t (a later pause wins).
func (p *Pause) Set(t time.Time, why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.until) {
		p.until, p.why = t, why
	}
}

// Check returns a *source.RetryError while the pause lasts.
func (p *Pause) Check(now time.Time, url string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Before(p.until) {
		return &source.RetryError{URL: url, Until: p.until, Err: errors.New(p.why)}
	}
	return nil
}

// ParseFloatHeader reads a numeric header such as Reddit's "997.0".
func ParseFloatHeader(h http.Header, key string) (float64, bool) {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}
