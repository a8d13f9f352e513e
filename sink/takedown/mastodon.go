package takedown

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// mastodon files reports with POST /api/v1/reports on the instance the
// post was crawled from (its status ids are that instance's), resolving
// the author's account id with GET /api/v1/accounts/lookup?acct=.
type mastodon struct {
	api      httpAPI
	base     string
	host     string
	token    string
	category string
	ruleIDs  []string
	forward  bool
}

var (
	_ channel = (*mastodon)(nil)
	_ checker = (*mastodon)(nil)
)

func newMastodon(t TargetConfig, api httpAPI, token string) *mastodon {
	u, _ := url.Parse(t.BaseURL)
	forward := true
	if t.Forward != nil {
		forward = *t.Forward
	}
	return &mastodon{api: api, base: strings.TrimRight(t.BaseURL, "/"), host: u.Host, token: token,
		category: t.Category, ruleIDs: t.RuleIDs, forward: forward}
}

func (c *mastodon) render(ctx context.Context, r Request, n notice, offline bool) (rendered, error) {
	statusID, acct, err := mastodonIDs(r.Post, c.host)
	if err != nil {
		return rendered{}, err
	}
	accountID := "<lookup acct=" + acct + ">"
	if !offline {
		if accountID, err = c.lookup(ctx, acct); err != nil {
			return rendered{}, err
		}
	}
	form := url.Values{}
	form.Set("account_id", accountID)
	form.Add("status_ids[]", statusID)
	form.Set("comment", cutRunes(1000, n.text))
	form.Set("category", c.category)
	for _, id := range c.ruleIDs {
		form.Add("rule_ids[]", id)
	}
	form.Set("forward", strconv.FormatBool(c.forward))
	return rendered{method: http.MethodPost, url: c.base + "/api/v1/reports",
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		body:   []byte(form.Encode())}, nil
}

func (c *mastodon) lookup(ctx context.Context, acct string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/accounts/lookup?acct="+url.QueryEscape(acct), nil)
	if err != nil {
		return "", err
	}
	bearer(req.Header, c.token)
	var account struct {
		ID string `json:"id"`
	}
	if err := c.api.do(req, "looking up account "+acct, &account); err != nil {
		if se, ok := err.(*sendError); ok && se.status == http.StatusNotFound {
			return "", &sendError{kind: errGone, status: se.status, msg: "account " + acct + " no longer exists"}
		}
		return "", err
	}
	if account.ID == "" {
		return "", &sendError{kind: errPermanent, msg: "looking up account " + acct + ": no id in the answer"}
	}
	return account.ID, nil
}

func (c *mastodon) send(ctx context.Context, n rendered) (ack, error) {
	req, err := http.NewRequestWithContext(ctx, n.method, n.url, strings.NewReader(string(n.body)))
	if err != nil {
		return ack{}, err
	}
	req.Header = n.header.Clone()
	bearer(req.Header, c.token)
	var report struct {
		ID string `json:"id"`
	}
	if err := c.api.do(req, "filing mastodon report", &report); err != nil {
		return ack{}, err
	}
	return ack{reportID: report.ID, accepted: true}, nil
}

// check asks the instance for the status: 404 or 410 means it was deleted
// or suspended.
func (c *mastodon) check(ctx context.Context, r Request) (verdict, string, error) {
	statusID, _, err := mastodonIDs(r.Post, c.host)
	if err != nil {
		return verdictUnknown, "", err
	}
	u := c.base + "/api/v1/statuses/" + url.PathEscape(statusID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return verdictUnknown, "", err
	}
	bearer(req.Header, c.token)
	return statusVerdict(c.api, req, "GET "+u)
}

// mastodonIDs works out the status id and the author's acct (relative to
// the instance at host) from the post.
func mastodonIDs(p PostRef, host string) (statusID, acct string, err error) {
	statusID = p.PostID
	perma, _ := url.Parse(p.Permalink)
	if !allDigits(statusID) && perma != nil {
		statusID = lastSegment(perma.Path)
	}
	if !allDigits(statusID) {
		return "", "", &sendError{kind: errUnresolvable, msg: "no mastodon status id in post " + p.PostID}
	}
	acct = strings.TrimPrefix(strings.TrimSpace(p.Author), "@")
	if acct == "" || strings.ContainsAny(acct, " /") {
		acct = ""
		for _, s := range []string{p.AuthorURL, p.Permalink} {
			if u, err := url.Parse(s); err == nil && u.Host != "" {
				for _, seg := range strings.Split(u.Path, "/") {
					if name, ok := strings.CutPrefix(seg, "@"); ok && name != "" {
						acct = name
						if u.Host != host && !strings.Contains(name, "@") {
							acct = name + "@" + u.Host
						}
						break
					}
				}
			}
			if acct != "" {
				break
			}
		}
	}
	acct = strings.TrimSuffix(acct, "@"+host)
	if acct == "" {
		return "", "", &sendError{kind: errUnresolvable, msg: "no mastodon author in post " + p.PostID}
	}
	return statusID, acct, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
