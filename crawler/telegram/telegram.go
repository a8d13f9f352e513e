package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const defaultSite = "https://t.me"

var htmlAccept = []string{"text/html"}

// Poller reads public channel previews.
type Poller struct {
	source, kind string
	log          *zap.Logger
	site         *url.URL
	backfill     int
	maxPages     int
	now          func() time.Time
}

var _ source.Poller = (*Poller)(nil)

// New builds the Telegram adapter of one source.
func New(sc source.Config, d source.Deps) (source.Poller, error) {
	return newPoller(sc, d, time.Now)
}

func newPoller(sc source.Config, d source.Deps, now func() time.Time) (*Poller, error) {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	site, err := sc.ParseBaseURL(defaultSite, "https://t.me or a mirror")
	if err != nil {
		return nil, err
	}
	p := &Poller{source: sc.Name, kind: sc.Kind, log: log.With(zap.String("source", sc.Name)), site: site, now: now}
	o := source.NewOptions(sc.Options)
	if p.backfill, err = o.Int("backfill_pages", 0, 0, 50); err != nil {
		return nil, err
	}
	if p.maxPages, err = o.Int("max_pages", 5, 1, 20); err != nil {
		return nil, err
	}
	if err := o.Unknown(); err != nil {
		return nil, err
	}
	for i, t := range sc.Targets {
		if _, err := channelName(t); err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
	}
	return p, nil
}

var channelPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

func channelName(t string) (string, error) {
	n := strings.TrimPrefix(strings.TrimSpace(t), "@")
	if !channelPattern.MatchString(n) {
		return "", fmt.Errorf("%q: not a Telegram channel username", t)
	}
	return n, nil
}

// Poll implements source.Poller.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	channel, err := channelName(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	var last int64
	if cursor != "" {
		if last, err = strconv.ParseInt(cursor, 10, 64); err != nil || last < 0 {
			p.log.Warn("telegram cursor unreadable, starting over", zap.String("target", t.Name), zap.String("cursor", cursor))
			last = 0
		}
	}
	m := meta{source: p.source, kind: p.kind, site: p.site, now: p.now()}
	pages := p.maxPages
	if last == 0 {
		pages = 1 + p.backfill
	}
	found := map[int64]wire.Post{}
	var before int64
	for n := 0; n < pages; n++ {
		pg, u, err := p.fetch(ctx, f, channel, before, m)
		if err != nil {
			if n > 0 {
				p.log.Warn("telegram paging stopped", zap.String("target", t.Name), zap.Error(err))
				break
			}
			return source.Batch{}, fmt.Errorf("polling telegram %s: %w", channel, err)
		}
		for _, bad := range pg.bad {
			if errors.Is(bad, source.ErrFlattened) {
				p.log.Warn("telegram page read flattened", zap.String("target", t.Name), zap.String("url", u), zap.Error(bad))
				continue
			}
			p.log.Warn("telegram message skipped", zap.String("target", t.Name), zap.Error(bad))
		}
		if n == 0 && len(pg.messages) == 0 {
			if !pg.channel && before == 0 {
				return source.Batch{}, fmt.Errorf("polling telegram %s: channel %s has no public preview or does not exist (%s shows no messages): %w",
					channel, channel, u, ErrNoPreview)
			}
			p.log.Info("telegram channel has no messages", zap.String("target", t.Name))
		}
		reached := false
		for _, msg := range pg.messages {
			if msg.num <= last {
				reached = true
				continue
			}
			found[msg.num] = msg.post
		}
		if reached || pg.before == 0 || (before != 0 && pg.before >= before) {
			break
		}
		if n == pages-1 && last != 0 {
			p.log.Warn("telegram channel not caught up: messages between polls may be missing",
				zap.String("target", t.Name), zap.Int("pages", pages))
		}
		before = pg.before
	}
	nums := make([]int64, 0, len(found))
	for n := range found {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	out := make([]wire.Post, 0, len(nums))
	for _, n := range nums {
		out = append(out, found[n])
	}
	next := cursor
	if len(nums) > 0 {
		next = strconv.FormatInt(nums[len(nums)-1], 10)
	}
	return source.Batch{Posts: out, Cursor: next}, nil
}

func (p *Poller) fetch(ctx context.Context, f source.Fetcher, channel string, before int64, m meta) (page, string, error) {
	u := p.site.ResolveReference(&url.URL{Path: "/s/" + channel})
	if before > 0 {
		u.RawQuery = url.Values{"before": {strconv.FormatInt(before, 10)}}.Encode()
	}
	resp, err := f.Fetch(ctx, &source.Request{URL: u.String(), Accept: htmlAccept})
	if err != nil {
		return page{}, u.String(), err
	}
	if ct := strings.ToLower(resp.Header.Get("Content-Type")); ct != "" && !strings.Contains(ct, "html") {
		return page{}, u.String(), fmt.Errorf("reading %s: content type %s, want HTML", u, ct)
	}
	pg, err := parsePage(resp.Body, channel, m)
	if err != nil {
		return page{}, u.String(), fmt.Errorf("reading %s: %w", u, err)
	}
	return pg, u.String(), nil
}
