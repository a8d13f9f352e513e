package takedown

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// The re-checks that verify a removal. Each is one cheap request and
// answers up, gone or unknown; unknown (403, 429, 5xx, network) changes
// nothing. Only gone closes a request as removed; only up allows a
// re-notice.
//
//   - the platform's own API where the target has one: Mastodon
//     GET /api/v1/statuses/ID (404/410), Reddit /api/info
//     (removed_by_category, [removed], not listed), Bluesky getPosts
//     (empty);
//   - Telegram channel posts: t.me/s/CHANNEL?before=ID+1 lists the post
//     as data-post="…/ID" while it exists (the data-post prefix can differ
//     from the channel name, so only the id is compared);
//   - Telegram handles (app_abuse): t.me/s/HANDLE shows the channel info
//     or the account's page title while it exists, and the bare
//     "Contact @HANDLE" page without either once it is gone
//     (testdata/tme_not_existed.html);
//   - any other http(s) permalink: HEAD (GET when HEAD is refused), 404 or
//     410 is gone; a redirect to another host is unknown.
//
// Handles of other apps have no public page to check: their requests stay
// at sent, without re-notices, until give_up_after closes them.

type checkFunc func(ctx context.Context, r Request) (verdict, string, error)

// checkerFor picks the cheapest documented check for r, or nil when there
// is none.
func (m *Manager) checkerFor(t *target, r Request) checkFunc {
	if r.Kind == KindHandle {
		if r.App == "telegram" {
			return m.telegramHandle
		}
		return nil
	}
	if c, ok := t.ch.(checker); ok {
		return c.check
	}
	if r.Post.SourceKind == "telegram" || isTelegramPermalink(r.Post.Permalink) {
		return m.telegramPost
	}
	if u, err := url.Parse(r.Post.Permalink); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return m.permalink
	}
	return nil
}

// permalink follows redirects only within the permalink's host: a removed
// post that redirects elsewhere (a home or login page answering 200) must
// not read as up, so such a redirect is unknown.
func (m *Manager) permalink(ctx context.Context, r Request) (verdict, string, error) {
	u := r.Post.Permalink
	orig, err := url.Parse(u)
	if err != nil {
		return verdictUnknown, "", err
	}
	client := *m.api.client
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != orig.Host || len(via) >= 5 {
			return http.ErrUseLastResponse
		}
		return nil
	}
	api := httpAPI{client: &client, userAgent: m.api.userAgent}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return verdictUnknown, "", err
	}
	v, status, detail := statusCheck(api, req, "HEAD "+u)
	if status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return verdictUnknown, "", err
		}
		return statusVerdict(api, req, "GET "+u)
	}
	return v, detail, nil
}

// statusVerdict judges by status alone: 2xx up, 404 or 410 gone.
func statusVerdict(api httpAPI, req *http.Request, what string) (verdict, string, error) {
	v, _, detail := statusCheck(api, req, what)
	return v, detail, nil
}

func statusCheck(api httpAPI, req *http.Request, what string) (verdict, int, string) {
	req.Header.Set("User-Agent", api.userAgent)
	resp, err := api.client.Do(req)
	if err != nil {
		return verdictUnknown, 0, what + ": " + err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	detail := fmt.Sprintf("%s: %d", what, resp.StatusCode)
	switch {
	case resp.StatusCode/100 == 2:
		return verdictUp, resp.StatusCode, detail
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return verdictGone, resp.StatusCode, detail
	}
	return verdictUnknown, resp.StatusCode, detail
}

func isTelegramPermalink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Host == "t.me" || u.Host == "telegram.me")
}

var dataPostRE = regexp.MustCompile(`data-post="[^"/]+/(\d+)"`)

// telegramPost looks for the post on the channel's preview page.
func (m *Manager) telegramPost(ctx context.Context, r Request) (verdict, string, error) {
	u, err := url.Parse(r.Post.Permalink)
	if err != nil {
		return verdictUnknown, "", err
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) > 0 && parts[0] == "s" {
		parts = parts[1:]
	}
	if len(parts) < 2 {
		return verdictUnknown, "", fmt.Errorf("no telegram post in %s", r.Post.Permalink)
	}
	channel, idText := parts[0], parts[1]
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return verdictUnknown, "", fmt.Errorf("no telegram post id in %s", r.Post.Permalink)
	}
	page := m.telegramURL + "/s/" + url.PathEscape(channel) + "?before=" + strconv.FormatInt(id+1, 10)
	body, status, err := m.fetchPage(ctx, page)
	if err != nil || status != http.StatusOK {
		return verdictUnknown, fmt.Sprintf("GET %s: %d", page, status), err
	}
	posts := dataPostRE.FindAllStringSubmatch(body, -1)
	for _, p := range posts {
		if p[1] == idText {
			return verdictUp, "GET " + page + ": post listed", nil
		}
	}
	if len(posts) > 0 {
		return verdictGone, "GET " + page + ": channel lists other posts, not " + idText, nil
	}
	if telegramPlaceholder(body) {
		return verdictGone, "GET " + page + ": channel no longer exists", nil
	}
	return verdictUnknown, "GET " + page + ": no posts listed", nil
}

// telegramHandle checks the handle's public page.
func (m *Manager) telegramHandle(ctx context.Context, r Request) (verdict, string, error) {
	page := m.telegramURL + "/s/" + url.PathEscape(r.Handle)
	body, status, err := m.fetchPage(ctx, page)
	if err != nil || status != http.StatusOK {
		return verdictUnknown, fmt.Sprintf("GET %s: %d", page, status), err
	}
	switch {
	case strings.Contains(body, "tgme_channel_info") || strings.Contains(body, "tgme_page_title"):
		return verdictUp, "GET " + page + ": account page shown", nil
	case telegramPlaceholder(body):
		return verdictGone, "GET " + page + ": only the bare contact page (no such account)", nil
	}
	return verdictUnknown, "GET " + page + ": unrecognised page", nil
}

// telegramPlaceholder recognises the page t.me shows for a name that does
// not exist: the generic user icon and no title.
func telegramPlaceholder(body string) bool {
	return strings.Contains(body, "tgme_icon_user") && !strings.Contains(body, "tgme_page_title") &&
		!strings.Contains(body, "tgme_channel_info")
}

func (m *Manager) fetchPage(ctx context.Context, u string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("User-Agent", m.api.userAgent)
	req.Header.Set("Accept", "text/html")
	resp, err := m.api.client.Do(req)
	if err != nil {
		return "", 0, nil // unknown, not an error worth more than the verdict
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", resp.StatusCode, nil
	}
	return string(b), resp.StatusCode, nil
}
