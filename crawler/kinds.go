package crawler

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/handlewatch/handlewatch/crawler/bluesky"
	"github.com/handlewatch/handlewatch/crawler/fetch"
	"github.com/handlewatch/handlewatch/crawler/file"
	forum "github.com/handlewatch/handlewatch/crawler/html"
	"github.com/handlewatch/handlewatch/crawler/lemmy"
	"github.com/handlewatch/handlewatch/crawler/mastodon"
	"github.com/handlewatch/handlewatch/crawler/reddit"
	"github.com/handlewatch/handlewatch/crawler/rss"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/crawler/telegram"
	"github.com/handlewatch/handlewatch/crawler/tumblr"
)

// Kinds are the source kinds a config may name.
var Kinds = []string{"bluesky", "file", "html", "lemmy", "mastodon", "reddit", "rss", "telegram", "tumblr"}

func knownKind(k string) bool { return slices.Contains(Kinds, k) }

// newAdapter builds the adapter of one source from its kind. This switch
// is the one place a kind is wired in. A constructor may return:
//   - a source.Poller (polled over HTTP through the Fetcher),
//   - a source.Streamer (its own protocol; HTTP through d.HTTPClient),
//   - a source.PerTarget, asked once per target for one of the two.
//
// A value that is both a Poller and a Streamer must implement PerTarget.
// Errors name the key inside the source ("targets[0]: …", "options.x: …");
// New prefixes "sources[i].".
func newAdapter(sc source.Config, d source.Deps) (any, error) {
	switch sc.Kind {
	case "rss":
		return rss.New(sc, d)
	case "html":
		return forum.New(sc, d)
	case "file":
		return file.New(sc, d)
	case "reddit":
		return reddit.New(sc, d)
	case "mastodon":
		return mastodon.New(sc, d)
	case "bluesky":
		return bluesky.New(sc, d)
	case "tumblr":
		return tumblr.New(sc, d)
	case "telegram":
		return telegram.New(sc, d)
	case "lemmy":
		return lemmy.New(sc, d)
	}
	return nil, fmt.Errorf("kind: unknown kind %q", sc.Kind)
}

// defaultHosts are the hosts a kind reaches when its source sets no
// base_url (the adapter then uses the platform's real endpoints); a
// source with a base_url approves only that host and its hosts: list.
var defaultHosts = map[string][]string{
	"reddit":   {"oauth.reddit.com", "www.reddit.com"},
	"bluesky":  {"public.api.bsky.app", "bsky.social", "jetstream1.us-east.bsky.network", "jetstream2.us-east.bsky.network", "jetstream1.us-west.bsky.network", "jetstream2.us-west.bsky.network"},
	"tumblr":   {"api.tumblr.com"},
	"telegram": {"t.me"},
}

// withDefaultHosts approves the kind's default hosts when sc has no
// base_url.
func withDefaultHosts(sc source.Config) source.Config {
	if sc.BaseURL == "" && defaultHosts[sc.Kind] != nil {
		sc.Hosts = append(slices.Clone(defaultHosts[sc.Kind]), sc.Hosts...)
	}
	return sc
}

// validateKind holds the checks of a kind that need no construction.
func validateKind(sc source.Config) error {
	switch sc.Kind {
	case "html":
		if sc.HTML == nil {
			return errors.New("html: the post, text and permalink selectors are required for kind html")
		}
		return forum.ValidateSelectors(sc.HTML)
	case "reddit":
		// Reddit itself answers unauthenticated JSON with a block page; a
		// mirror named by base_url may be read without credentials.
		a := sc.Auth
		onReddit := sc.BaseURL == "" || strings.HasSuffix(hostOf(sc.BaseURL), "reddit.com")
		if onReddit && (a.ClientIDEnv == "" || a.ClientSecretEnv == "") && sc.Options["fallback"] != "rss" {
			return errors.New("auth: reddit needs client_id_env and client_secret_env (OAuth), or options.fallback: rss")
		}
	}
	return nil
}

var forbiddenAddr = fetch.ForbiddenAddr

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
