package crawler

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Bounds on what one post may carry: NATS refuses messages over 1 MiB by
// default, and no real post comes near these.
const (
	maxTextBytes = 256 << 10
	maxLinks     = 100
	maxFieldLen  = 2048
)

// housekeeping bounds the writes that must happen even when the run's
// context has ended: forgetting a post whose publish failed, saving the
// cursor of posts already published.
const housekeeping = 5 * time.Second

// runStats counts one run of a target.
type runStats struct {
	pages, published, duplicates, invalid int
}

// publish sends p once: it is marked seen first, so that of any number of
// crawlers only one publishes it, and forgotten again if the publish
// fails, so that the next run retries it. A post that cannot be
// published (no id…) is logged and skipped. A non-nil error means the
// run must stop without saving its cursor.
func (c *Crawler) publish(ctx context.Context, tg *target, p *wire.Post, st *runStats) error {
	if err := prepare(p, tg, time.Now()); err != nil {
		st.invalid++
		c.metrics.invalid.WithLabelValues(tg.t.Source.Name).Inc()
		tg.log.Warn("skipping post", zap.String("post_id", p.ID), zap.String("permalink", p.Permalink), zap.Error(err))
		return nil
	}
	key := p.Key()
	isNew, err := c.deps.Seen.MarkSeen(ctx, key, c.cfg.SeenTTL)
	if err != nil {
		return fmt.Errorf("marking %s seen: %w", key, err)
	}
	if !isNew {
		st.duplicates++
		c.metrics.duplicates.WithLabelValues(tg.t.Source.Name).Inc()
		return nil
	}
	if err := c.deps.Publisher.PublishPost(ctx, p); err != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), housekeeping)
		defer cancel()
		if ferr := c.deps.Seen.Forget(fctx, key); ferr != nil {
			// The post stays marked seen and will not be retried until the
			// key expires: say so loudly, this loses a post.
			tg.log.Error("post lost: publish failed and its seen key could not be removed",
				zap.String("post_key", key), zap.String("permalink", p.Permalink), zap.NamedError("publish_error", err), zap.Error(ferr))
		}
		return fmt.Errorf("publishing %s: %w", key, err)
	}
	st.published++
	c.metrics.published.WithLabelValues(tg.t.Source.Name).Inc()
	return nil
}

// prepare stamps p with its source and bounds what it carries: valid
// UTF-8, bounded text, only http(s) non-media links.
func prepare(p *wire.Post, tg *target, now time.Time) error {
	p.Schema = wire.SchemaVersion
	p.Source = tg.t.Source.Name
	p.SourceKind = tg.kind
	p.ID = strings.TrimSpace(p.ID)
	if p.FetchedAt.IsZero() {
		p.FetchedAt = now.UTC()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = p.FetchedAt
	}
	p.ID = bound(p.ID, maxFieldLen)
	p.Permalink = bound(p.Permalink, maxFieldLen)
	p.Author = bound(p.Author, maxFieldLen)
	p.AuthorURL = bound(p.AuthorURL, maxFieldLen)
	p.Lang = bound(p.Lang, 35)
	p.Text = bound(p.Text, maxTextBytes)
	p.Links = cleanLinks(p.Links)
	if p.Attachments < 0 {
		p.Attachments = 0
	}
	return p.Validate()
}

// bound makes s valid UTF-8 and at most n bytes, cut at a rune boundary.
func bound(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// cleanLinks keeps absolute http(s) links that are not media, each once.
func cleanLinks(links []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range links {
		l = strings.TrimSpace(l)
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || source.IsMediaURL(l) || seen[l] || len(l) > maxFieldLen {
			continue
		}
		seen[l] = true
		out = append(out, l)
		if len(out) == maxLinks {
			break
		}
	}
	return out
}
