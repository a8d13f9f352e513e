package fetch

import (
	"errors"
	"fmt"
)

// Reasons a request is refused before it is made or its body read. They
// label the refused-requests metric.
const (
	ReasonHost        = "host"         // host not approved for the source
	ReasonScheme      = "scheme"       // not http or https
	ReasonPrivate     = "private"      // private, loopback, link-local … address
	ReasonMedia       = "media_url"    // media or binary file by its URL
	ReasonRobots      = "robots"       // robots.txt disallows it
	ReasonContentType = "content_type" // the answer is not JSON, HTML, XML or text
	ReasonBodySize    = "body_size"    // the body is larger than the cap
	ReasonEncoding    = "encoding"     // a Content-Encoding we do not decode
	ReasonRedirects   = "redirects"    // too many redirects
)

// Sentinels for errors.Is; a *RefusedError unwraps to the one of its reason.
var (
	ErrHostNotApproved  = errors.New("host not approved for this source")
	ErrScheme           = errors.New("scheme not allowed")
	ErrPrivateAddress   = errors.New("private or loopback address refused")
	ErrMediaURL         = errors.New("media or binary URL refused")
	ErrRobotsDisallowed = errors.New("disallowed by robots.txt")
	ErrContentType      = errors.New("content type refused")
	ErrBodyTooLarge     = errors.New("body larger than the cap")
	ErrEncoding         = errors.New("content encoding refused")
	ErrTooManyRedirects = errors.New("too many redirects")
)

var sentinels = map[string]error{
	ReasonHost: ErrHostNotApproved, ReasonScheme: ErrScheme, ReasonPrivate: ErrPrivateAddress,
	ReasonMedia: ErrMediaURL, ReasonRobots: ErrRobotsDisallowed, ReasonContentType: ErrContentType,
	ReasonBodySize: ErrBodyTooLarge, ReasonEncoding: ErrEncoding, ReasonRedirects: ErrTooManyRedirects,
}

// RefusedError is a request the fetcher would not make, or an answer whose
// body it would not read.
type RefusedError struct {
	URL    string
	Reason string // one of the Reason constants
	Detail string
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("refusing %s: %v", e.URL, sentinels[e.Reason])
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap returns the sentinel of the reason.
func (e *RefusedError) Unwrap() error { return sentinels[e.Reason] }

func refused(rawURL, reason, format string, args ...any) *RefusedError {
	return &RefusedError{URL: rawURL, Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Reason returns the refusal reason in err's chain, or "".
func Reason(err error) string {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}
