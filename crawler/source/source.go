package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Config is one entry of the `sources:` list of the config file.
type Config struct {
	Name     string        `yaml:"name"`
	Kind     string        `yaml:"kind"`     // reddit, mastodon, bluesky, tumblr, telegram, lemmy, rss, html, file
	BaseURL  string        `yaml:"base_url"` // lets every kind point at a mirror or a test server
	Targets  []string      `yaml:"targets"`
	Interval time.Duration `yaml:"interval"`
	// Hosts approves further hosts for this source (an OAuth host, a
	// websocket host, a CDN that serves the feed) beside BaseURL's.
	Hosts []string `yaml:"hosts"`
	// Auth names the environment variables (or their _FILE twins) that
	// hold this source's credentials. Never the secrets themselves.
	Auth AuthConfig `yaml:"auth"`
	// HTML is the generic forum adapter's selectors (kind html).
	HTML *HTMLSelectors `yaml:"html"`
	// Options are kind-specific settings, each documented and validated
	// by its adapter.
	Options map[string]string `yaml:"options"`
}

// AuthConfig names credentials by environment variable.
type AuthConfig struct {
	ClientIDEnv     string `yaml:"client_id_env"`     // reddit
	ClientSecretEnv string `yaml:"client_secret_env"` // reddit
	Identifier      string `yaml:"identifier"`        // bluesky handle for app-password sessions
	PasswordEnv     string `yaml:"password_env"`      // bluesky app password
	APIKeyEnv       string `yaml:"api_key_env"`       // tumblr
	TokenEnv        string `yaml:"token_env"`         // mastodon, lemmy (optional)
}

// HTMLSelectors configure the generic forum adapter with CSS selectors.
type HTMLSelectors struct {
	Post      string `yaml:"post"`      // one element per post
	ID        string `yaml:"id"`        // attribute name on the post element holding its id, or a selector
	Text      string `yaml:"text"`      // inside a post
	Title     string `yaml:"title"`     // inside a post (optional)
	Author    string `yaml:"author"`    // inside a post
	Permalink string `yaml:"permalink"` // an <a> inside a post
	Time      string `yaml:"time"`      // an element with a datetime attribute or text (optional)
	Next      string `yaml:"next"`      // the next-page <a> (optional)
}

// Target is one target of one source.
type Target struct {
	Source Config
	Name   string // one of Source.Targets
}

// Key identifies the target in the cursor store.
func (t Target) Key() string { return t.Source.Name + "/" + t.Name }

// Request is one HTTP request an adapter asks for.
type Request struct {
	Method string // GET when empty
	URL    string
	Header http.Header
	Body   []byte
	// Accept lists the content types this request may answer with; the
	// fetcher refuses any other before reading the body. Empty: JSON,
	// HTML, XML/RSS/Atom and text.
	Accept []string
	// Conditional GET: sent as If-None-Match / If-Modified-Since.
	ETag         string
	LastModified string
}

// Response is a fetched body: always complete (an oversize body is an
// error, never truncated) and never media.
type Response struct {
	URL    string // after redirects
	Status int
	Header http.Header
	Body   []byte
}

// NotModified reports a 304 answer to a conditional GET.
func (r *Response) NotModified() bool { return r.Status == http.StatusNotModified }

// Fetcher is the polite HTTP client. It returns a Response for 2xx and
// 304; any other status is an error: *StatusError, or *RetryError when the
// server asks us to wait (429, 503 with Retry-After, exhausted rate-limit
// headers), which the scheduler honours.
type Fetcher interface {
	Fetch(ctx context.Context, req *Request) (*Response, error)
}

// StatusError is a non-2xx answer.
type StatusError struct {
	URL    string
	Status int
	Header http.Header
	Body   []byte // at most a few KiB, for diagnostics
}

func (e *StatusError) Error() string { return fmt.Sprintf("fetching %s: status %d", e.URL, e.Status) }

// RetryError says: try again after Until.
type RetryError struct {
	URL   string
	Until time.Time
	Err   error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("fetching %s: retry after %s: %v", e.URL, e.Until.Format(time.RFC3339), e.Err)
}
func (e *RetryError) Unwrap() error { return e.Err }

// ErrBlocked means the platform refused us as a client (Reddit's 403 block
// page for unauthenticated JSON, a login wall): retrying will not help
// until the configuration changes.
var ErrBlocked = errors.New("blocked by the platform")

// Batch is what one poll of a target found.
type Batch struct {
	Posts  []wire.Post // oldest first
	Cursor string      // the target's new cursor ("" keeps the old one)
	More   bool        // another page is waiting now: poll again at once
}

// Poller is an adapter polled over HTTP.
type Poller interface {
	// Poll fetches target from cursor ("" on the first run) and returns
	// what is new. It must not return a post it already returned for a
	// cursor it then handed back (seen keys catch the rest).
	Poll(ctx context.Context, f Fetcher, t Target, cursor string) (Batch, error)
}

// Emit hands one post and the cursor that resumes after it to the
// crawler; an error from Emit stops the stream. p may be nil to advance
// the cursor alone (past a malformed line, an event that is not a post).
type Emit func(ctx context.Context, p *wire.Post, cursor string) error

// Streamer is an adapter with its own protocol (the Bluesky Jetstream
// websocket, dump files). Stream runs until ctx is done or the input ends
// and returns nil at a clean end; it reconnects by itself and resumes from
// the last cursor it emitted.
type Streamer interface {
	Stream(ctx context.Context, t Target, cursor string, emit Emit) error
}

// Deps is what an adapter may use at construction.
type Deps struct {
	Log       *zap.Logger
	UserAgent string
	// HTTPClient, for Streamers that open their own connections
	// (websockets), enforces the same approved-host and private-address
	// rules as the Fetcher.
	HTTPClient *http.Client
}
