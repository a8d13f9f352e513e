package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// feedAccess is one feed's access for local and remote posts: "public",
// "authenticated" or "disabled".
type feedAccess struct {
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

type timelinesAccess struct {
	LiveFeeds         feedAccess `json:"live_feeds"`
	HashtagFeeds      feedAccess `json:"hashtag_feeds"`
	TrendingLinkFeeds feedAccess `json:"trending_link_feeds"`
}

type instanceJSON struct {
	Domain        string `json:"domain"`
	Version       string `json:"version"`
	Configuration struct {
		TimelinesAccess *timelinesAccess `json:"timelines_access"`
	} `json:"configuration"`
}

// timelines returns the instance's timelines_access, reading
// /api/v2/instance at most once an hour. nil means the server does not
// say (before 4.5): every feed is assumed readable.
func (p *Poller) timelines(ctx context.Context, f source.Fetcher) (*timelinesAccess, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if !p.accessAt.IsZero() && now.Sub(p.accessAt) < instanceTTL {
		return p.access, nil
	}
	u := p.base.String() + "/api/v2/instance"
	resp, err := p.get(ctx, f, u)
	if err != nil {
		if platform.StatusOf(err) == http.StatusNotFound {
			// Mastodon before 4.0 has no v2 instance: nothing to honour.
			p.access, p.accessAt = nil, now
			return nil, nil
		}
		return nil, fmt.Errorf("reading instance configuration: %w", err)
	}
	var inst instanceJSON
	if err := platform.DecodeJSON(resp, &inst); err != nil {
		return nil, fmt.Errorf("reading instance configuration %s: %w", u, err)
	}
	p.access, p.accessAt = inst.Configuration.TimelinesAccess, now
	if a := p.access; a != nil {
		p.log.Info("mastodon timelines access", zap.String("instance", p.base.Host), zap.String("version", inst.Version),
			zap.String("live_local", a.LiveFeeds.Local), zap.String("live_remote", a.LiveFeeds.Remote),
			zap.String("hashtag_local", a.HashtagFeeds.Local), zap.String("hashtag_remote", a.HashtagFeeds.Remote))
	}
	return p.access, nil
}

// allowed decides how a feed may be read: scope "" (local and remote),
// "local" or "remote", or an error wrapping source.ErrBlocked when the
// instance disables what the target asks for (or wants a token we lack).
func (p *Poller) allowed(ctx context.Context, f source.Fetcher, feed, want string) (string, error) {
	ta, err := p.timelines(ctx, f)
	if err != nil || ta == nil {
		return want, err
	}
	fa := ta.HashtagFeeds
	if feed == "live_feeds" {
		fa = ta.LiveFeeds
	}
	ok := func(v string) bool { return v == "" || v == "public" || (v == "authenticated" && p.token != "") }
	local, remote := ok(fa.Local), ok(fa.Remote)
	switch {
	case want == "local" && local, want == "remote" && remote:
		return want, nil
	case want == "" && local && remote:
		return "", nil
	case want == "" && local:
		p.log.Info("mastodon feed open for local posts only", zap.String("feed", feed), zap.String("remote", fa.Remote))
		return "local", nil
	case want == "" && remote:
		p.log.Info("mastodon feed open for remote posts only", zap.String("feed", feed), zap.String("local", fa.Local))
		return "remote", nil
	}
	hint := "use tag: or account: targets"
	if fa.Local == "authenticated" || fa.Remote == "authenticated" {
		hint = "set auth.token_env to an access token, or use tag: or account: targets"
	}
	return "", fmt.Errorf("%w: %s sets configuration.timelines_access.%s to local=%q remote=%q: %s",
		source.ErrBlocked, p.base.Host, feed, fa.Local, fa.Remote, hint)
}

// accountID resolves an acct to the instance's account id, once.
func (p *Poller) accountID(ctx context.Context, f source.Fetcher, acct string) (string, error) {
	p.mu.Lock()
	id, ok := p.accounts[acct]
	p.mu.Unlock()
	if ok {
		return id, nil
	}
	u := p.base.String() + "/api/v1/accounts/lookup?" + url.Values{"acct": {acct}}.Encode()
	resp, err := p.get(ctx, f, u)
	if err != nil {
		if platform.StatusOf(err) == http.StatusNotFound {
			return "", fmt.Errorf("looking up %s on %s: %w", acct, p.base.Host, errNoAccount)
		}
		return "", fmt.Errorf("looking up %s: %w", acct, err)
	}
	var a accountJSON
	if err := platform.DecodeJSON(resp, &a); err != nil || a.ID == "" {
		return "", fmt.Errorf("looking up %s: %s answered without an account id (%v)", acct, u, err)
	}
	p.mu.Lock()
	p.accounts[acct] = a.ID
	p.mu.Unlock()
	return a.ID, nil
}
