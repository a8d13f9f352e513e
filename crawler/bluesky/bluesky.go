package bluesky

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/secret"
)

const (
	defaultJetstream = "wss://jetstream2.us-east.bsky.network/subscribe"
	defaultAppView   = "https://public.api.bsky.app"
	defaultPDS       = "https://bsky.social"
)

// Adapter is the Bluesky adapter of one source: a Streamer for jetstream
// targets, a Poller for author and search targets.
type Adapter struct {
	streamer *Streamer
	poller   *Poller
}

var _ source.PerTarget = (*Adapter)(nil)

// New builds the Bluesky adapter of one source; the crawler asks it per
// target which side to use (source.PerTarget).
func New(sc source.Config, d source.Deps) (any, error) {
	return newAdapter(sc, d, time.Now)
}

// NewStreamer builds the Jetstream side alone.
func NewStreamer(sc source.Config, d source.Deps) (*Streamer, error) {
	a, err := newAdapter(sc, d, time.Now)
	if err != nil {
		return nil, err
	}
	return a.streamer, nil
}

// NewPoller builds the author-feed and search side alone.
func NewPoller(sc source.Config, d source.Deps) (*Poller, error) {
	a, err := newAdapter(sc, d, time.Now)
	if err != nil {
		return nil, err
	}
	return a.poller, nil
}

// ForTarget implements source.PerTarget.
func (a *Adapter) ForTarget(t source.Target) (any, error) {
	if strings.HasPrefix(strings.TrimSpace(t.Name), "jetstream") {
		if _, err := jetstreamDIDs(t.Name); err != nil {
			return nil, err
		}
		return a.streamer, nil
	}
	if _, err := parsePollTarget(t.Name); err != nil {
		return nil, err
	}
	return a.poller, nil
}

func newAdapter(sc source.Config, d source.Deps, now func() time.Time) (*Adapter, error) {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("source", sc.Name))
	o := source.NewOptions(sc.Options)
	jet, appview, pds := defaultJetstream, defaultAppView, defaultPDS
	if sc.BaseURL != "" {
		b, err := sc.ParseBaseURL("", "an http(s) URL")
		if err != nil {
			return nil, err
		}
		appview, pds = b.String(), b.String()
		ws := *b
		ws.Scheme = map[string]string{"https": "wss", "http": "ws"}[b.Scheme]
		ws.Path = strings.TrimRight(ws.Path, "/") + "/subscribe"
		jet = ws.String()
	}
	var err error
	if jet, err = endpoint(o, "jetstream_url", jet, "ws", "wss"); err != nil {
		return nil, err
	}
	if appview, err = endpoint(o, "appview_url", appview, "http", "https"); err != nil {
		return nil, err
	}
	if pds, err = endpoint(o, "pds_url", pds, "http", "https"); err != nil {
		return nil, err
	}
	s := &Streamer{source: sc.Name, kind: sc.Kind, log: log, endpoint: jet, client: d.HTTPClient,
		userAgent: d.UserAgent, backoffMin: time.Second, backoffMax: time.Minute, now: now}
	if s.rewind, err = o.Duration("rewind", 5*time.Second, 0, 5*time.Minute); err != nil {
		return nil, err
	}
	if s.idle, err = o.Duration("idle_timeout", 90*time.Second, 5*time.Second, 10*time.Minute); err != nil {
		return nil, err
	}
	p := &Poller{source: sc.Name, kind: sc.Kind, log: log, appview: appview, now: now}
	if p.reposts, err = o.Bool("include_reposts", true); err != nil {
		return nil, err
	}
	if p.replies, err = o.Bool("include_replies", true); err != nil {
		return nil, err
	}
	if p.paging, err = platform.ReadPaging(o, 50, 100); err != nil {
		return nil, err
	}
	if err := o.Unknown(); err != nil {
		return nil, err
	}
	for i, t := range sc.Targets {
		if strings.HasPrefix(strings.TrimSpace(t), "jetstream") {
			_, err = jetstreamDIDs(t)
		} else {
			_, err = parsePollTarget(t)
		}
		if err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
	}
	switch a := sc.Auth; {
	case a.Identifier != "" && a.PasswordEnv != "":
		pw, err := secret.Lookup(a.PasswordEnv)
		if err != nil {
			return nil, fmt.Errorf("auth.password_env: %w", err)
		}
		p.session = &session{pds: pds, identifier: a.Identifier, password: pw}
	case a.Identifier != "" || a.PasswordEnv != "":
		return nil, errors.New("auth: set both identifier and password_env (an app password), or neither")
	}
	if s.client == nil {
		// Tests and tools without a crawler: a plain client. The crawler
		// always passes its guarded one.
		s.client = &http.Client{}
	}
	return &Adapter{streamer: s, poller: p}, nil
}

// endpoint reads an endpoint option, which must use one of schemes.
func endpoint(o *source.Options, key, def string, schemes ...string) (string, error) {
	v := strings.TrimRight(o.String(key, def), "/")
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != schemes[0] && u.Scheme != schemes[1]) {
		return "", fmt.Errorf("options.%s: %q: want a %s:// or %s:// URL", key, v, schemes[0], schemes[1])
	}
	return u.String(), nil
}
