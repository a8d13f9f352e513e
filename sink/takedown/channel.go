package takedown

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// channel files notices of one kind.
type channel interface {
	// render builds the notice for r. offline (shadow mode) makes no
	// network call at all: platform ids that need a lookup appear as
	// "<lookup …>" placeholders.
	render(ctx context.Context, r Request, n notice, offline bool) (rendered, error)
	// send delivers a rendered notice.
	send(ctx context.Context, n rendered) (ack, error)
}

// checker is a channel that can tell cheaply, with its own API, whether
// the reported content is still up.
type checker interface {
	check(ctx context.Context, r Request) (verdict, string, error)
}

// ack is the platform's answer to a notice.
type ack struct {
	reportID string // the platform's report id, when it gives one
	accepted bool   // the platform accepted the report (acknowledged)
	detail   string // e.g. the SMTP server's queue id line
}

type verdict int

const (
	verdictUnknown verdict = iota // could not tell (errors, 403, 5xx): no change
	verdictUp
	verdictGone
)

func (v verdict) String() string {
	switch v {
	case verdictUp:
		return "up"
	case verdictGone:
		return "gone"
	}
	return "unknown"
}

// errKind sorts send failures by what the lifecycle does with them.
type errKind int

const (
	errTransient    errKind = iota // 429, 5xx, network: retry with backoff
	errPermanent                   // the platform refused the request: failed
	errAuth                        // credentials refused: failed
	errGone                        // the content is already gone: removed, nothing sent
	errUnresolvable                // the post's platform id cannot be worked out: failed
)

type sendError struct {
	kind   errKind
	status int
	msg    string
}

func (e *sendError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("%s (HTTP %d)", e.msg, e.status)
	}
	return e.msg
}

func kindOf(err error) errKind {
	var se *sendError
	if errors.As(err, &se) {
		return se.kind
	}
	return errTransient
}

const maxBody = 1 << 20

// httpAPI does the HTTP calls of the platform channels.
type httpAPI struct {
	client    *http.Client
	userAgent string
}

// do sends req and decodes a 2xx JSON answer into out (when not nil). Any
// other answer becomes a *sendError of the right kind.
func (a httpAPI) do(req *http.Request, what string, out any) error {
	req.Header.Set("User-Agent", a.userAgent)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return &sendError{kind: errTransient, msg: what + ": " + req.Context().Err().Error()}
		}
		return &sendError{kind: errTransient, msg: what + ": " + err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return &sendError{kind: errTransient, status: resp.StatusCode, msg: what + ": reading answer: " + err.Error()}
	}
	if resp.StatusCode/100 != 2 {
		return statusError(what, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return &sendError{kind: errPermanent, status: resp.StatusCode, msg: what + ": decoding answer: " + err.Error()}
		}
	}
	return nil
}

func statusError(what string, status int, body []byte) *sendError {
	msg := what + ": " + http.StatusText(status)
	if s := apiMessage(body); s != "" {
		msg += ": " + s
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return &sendError{kind: errTransient, status: status, msg: msg}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &sendError{kind: errAuth, status: status, msg: msg}
	}
	return &sendError{kind: errPermanent, status: status, msg: msg}
}

// apiMessage pulls a short error text out of a JSON error body
// (Mastodon's {"error"}, XRPC's {"error","message"}).
func apiMessage(body []byte) string {
	var e struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	if s, ok := e.Error.(string); ok && s != "" {
		parts = append(parts, s)
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	return cutRunes(200, strings.Join(parts, ": "))
}

func bearer(h http.Header, token string) { h.Set("Authorization", "Bearer "+token) }
