package crawler

import (
	"context"
	"fmt"
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

// publish sends p once. It is published first and marked seen after, so
// a crash or a failed write in between can only publish it again, never
// lose it: the post key is the JetStream message id, so the server drops a
// repeat inside its duplicate window, and the detector and sink are
// idempotent beyond it. Two crawlers racing on one target are caught the
// same way. A post that cannot be published (no id…) is logged and
// skipped. A non-nil error means the run must stop without saving its
// cursor.
func (c *Crawler) publish(ctx context.Context, tg *target, p *wire.Post, st *runStats) error {
	fresh, err := c.fresh(ctx, tg, p, st)
	if err != nil || !fresh {
		return err
	}
	if err := c.deps.Publisher.PublishPost(ctx, p); err != nil {
		return fmt.Errorf("publishing %s: %w", p.Key(), err)
	}
	c.published(ctx, tg, st, p)
	return nil
}

// publishPage sends a page of posts as publish sends each, in one call
// when the Publisher takes pages (PagePublisher): one round of
// acknowledgements a page instead of one a post.
func (c *Crawler) publishPage(ctx context.Context, tg *target, posts []wire.Post, st *runStats) error {
	pp, ok := c.deps.Publisher.(PagePublisher)
	if !ok || len(posts) < 2 {
		for i := range posts {
			if err := c.publish(ctx, tg, &posts[i], st); err != nil {
				return err
			}
		}
		return nil
	}
	page := make([]*wire.Post, 0, len(posts))
	keys := make(map[string]bool, len(posts))
	for i := range posts {
		p := &posts[i]
		fresh, err := c.fresh(ctx, tg, p, st)
		if err != nil {
			return err
		}
		if !fresh {
			continue
		}
		if key := p.Key(); keys[key] {
			st.duplicates++ // the same post twice on one page
			c.metrics.duplicates.WithLabelValues(tg.t.Source.Name).Inc()
			continue
		} else {
			keys[key] = true
		}
		page = append(page, p)
	}
	if len(page) == 0 {
		return nil
	}
	if err := pp.PublishPosts(ctx, page); err != nil {
		return fmt.Errorf("publishing a page of %d posts: %w", len(page), err)
	}
	c.published(ctx, tg, st, page...)
	return nil
}

// fresh prepares p and reports whether it is new: false for an invalid
// post (logged and counted) and for one already seen.
func (c *Crawler) fresh(ctx context.Context, tg *target, p *wire.Post, st *runStats) (bool, error) {
	if err := prepare(p, tg, time.Now()); err != nil {
		st.invalid++
		c.metrics.invalid.WithLabelValues(tg.t.Source.Name).Inc()
		tg.log.Warn("skipping post", zap.String("post_id", p.ID), zap.String("permalink", p.Permalink), zap.Error(err))
		return false, nil
	}
	key := p.Key()
	seen, err := c.deps.Seen.IsSeen(ctx, key)
	if err != nil {
		return false, fmt.Errorf("checking %s seen: %w", key, err)
	}
	if seen {
		st.duplicates++
		c.metrics.duplicates.WithLabelValues(tg.t.Source.Name).Inc()
		return false, nil
	}
	return true, nil
}

// published counts posts the Publisher accepted and marks them seen.
func (c *Crawler) published(ctx context.Context, tg *target, st *runStats, posts ...*wire.Post) {
	st.published += len(posts)
	c.metrics.published.WithLabelValues(tg.t.Source.Name).Add(float64(len(posts)))
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), housekeeping)
	defer cancel()
	for _, p := range posts {
		key := p.Key()
		if _, err := c.deps.Seen.MarkSeen(mctx, key, c.cfg.SeenTTL); err != nil {
			// Published, but the next run may publish it again: JetStream's
			// message-id dedupe drops the repeat.
			tg.log.Warn("post published but not marked seen", zap.String("post_key", key), zap.Error(err))
		}
	}
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

// cleanLinks keeps absolute http(s) links that are not media, each once,
// at most maxLinks of them.
func cleanLinks(links []string) []string {
	out, _ := source.CleanLinks(links)
	if len(out) > maxLinks {
		out = out[:maxLinks]
	}
	return out
}
