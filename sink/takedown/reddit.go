package takedown

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// reddit files reports with POST /api/report on oauth.reddit.com: a form
// with the thing's fullname (t3_ post, t1_ comment), a reason of at most
// 100 characters and api_type=json, with a user bearer token (a script
// app's password grant, or a token from token_env). Reddit answers
// {"json":{"errors":[]}} and no report id: an empty error list is the
// acknowledgement.
type reddit struct {
	api      httpAPI
	base     string
	tokenURL string
	now      func() time.Time

	static                     string // token_env
	clientID, secret, username string
	password                   string

	mu      sync.Mutex
	token   string
	expires time.Time
}

var (
	_ channel = (*reddit)(nil)
	_ checker = (*reddit)(nil)
)

func (c *reddit) render(_ context.Context, r Request, n notice, _ bool) (rendered, error) {
	thing, err := redditFullname(r.Post)
	if err != nil {
		return rendered{}, err
	}
	form := url.Values{}
	form.Set("thing_id", thing)
	form.Set("reason", cutRunes(100, strings.Join(strings.Fields(n.text), " ")))
	form.Set("api_type", "json")
	return rendered{method: http.MethodPost, url: c.base + "/api/report",
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		body:   []byte(form.Encode())}, nil
}

func (c *reddit) send(ctx context.Context, n rendered) (ack, error) {
	token, err := c.bearer(ctx)
	if err != nil {
		return ack{}, err
	}
	req, err := http.NewRequestWithContext(ctx, n.method, n.url, strings.NewReader(string(n.body)))
	if err != nil {
		return ack{}, err
	}
	req.Header = n.header.Clone()
	bearer(req.Header, token)
	var out struct {
		JSON struct {
			Errors [][]any `json:"errors"`
		} `json:"json"`
	}
	if err := c.api.do(req, "filing reddit report", &out); err != nil {
		c.dropTokenOnAuth(err)
		return ack{}, err
	}
	if len(out.JSON.Errors) > 0 {
		msg := fmt.Sprint(out.JSON.Errors)
		kind := errPermanent
		if strings.Contains(msg, "RATELIMIT") {
			kind = errTransient
		}
		return ack{}, &sendError{kind: kind, msg: "filing reddit report: " + cutRunes(200, msg)}
	}
	return ack{accepted: true}, nil
}

// check reads the thing with /api/info: gone when Reddit no longer lists
// it, when removed_by_category is set, or when its text reads [removed]
// or [deleted].
func (c *reddit) check(ctx context.Context, r Request) (verdict, string, error) {
	thing, err := redditFullname(r.Post)
	if err != nil {
		return verdictUnknown, "", err
	}
	token, err := c.bearer(ctx)
	if err != nil {
		return verdictUnknown, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/info?raw_json=1&id="+url.QueryEscape(thing), nil)
	if err != nil {
		return verdictUnknown, "", err
	}
	bearer(req.Header, token)
	var out struct {
		Data struct {
			Children []struct {
				Data struct {
					RemovedByCategory *string `json:"removed_by_category"`
					Author            string  `json:"author"`
					Selftext          string  `json:"selftext"`
					Body              string  `json:"body"`
				} `json:"data"`
			} `json:"children"`
		} `json:"data"`
	}
	if err := c.api.do(req, "reading "+thing, &out); err != nil {
		c.dropTokenOnAuth(err)
		if se, ok := err.(*sendError); ok && (se.status == http.StatusNotFound || se.status == http.StatusGone) {
			return verdictGone, "api/info " + thing + ": " + se.msg, nil
		}
		return verdictUnknown, "", err
	}
	if len(out.Data.Children) == 0 {
		return verdictGone, "api/info " + thing + ": not listed", nil
	}
	d := out.Data.Children[0].Data
	switch {
	case d.RemovedByCategory != nil && *d.RemovedByCategory != "":
		return verdictGone, "api/info " + thing + ": removed_by_category=" + *d.RemovedByCategory, nil
	case d.Selftext == "[removed]" || d.Body == "[removed]" || d.Selftext == "[deleted]" || d.Body == "[deleted]":
		return verdictGone, "api/info " + thing + ": text reads [removed] or [deleted]", nil
	}
	return verdictUp, "api/info " + thing + ": listed", nil
}

func (c *reddit) dropTokenOnAuth(err error) {
	if kindOf(err) == errAuth && c.static == "" {
		c.mu.Lock()
		c.token = ""
		c.mu.Unlock()
	}
}

// bearer returns a user token: the static one, or one from the password
// grant, kept until a minute before it expires.
func (c *reddit) bearer(ctx context.Context) (string, error) {
	if c.static != "" {
		return c.static, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"password"}, "username": {c.username}, "password": {c.password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.clientID, c.secret)
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
	}
	if err := c.api.do(req, "getting reddit token", &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", &sendError{kind: errAuth, msg: "getting reddit token: " + out.Error}
	}
	c.token = out.AccessToken
	c.expires = c.now().Add(time.Duration(out.ExpiresIn)*time.Second - time.Minute)
	return c.token, nil
}

// redditFullname is the post's fullname: the id when it already is one,
// t1_ for a comment permalink (/r/x/comments/POST/slug/COMMENT/), t3_
// otherwise.
func redditFullname(p PostRef) (string, error) {
	id := p.PostID
	if strings.HasPrefix(id, "t1_") || strings.HasPrefix(id, "t3_") {
		return id, nil
	}
	if u, err := url.Parse(p.Permalink); err == nil {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		for i, s := range parts {
			if s == "comments" && i+1 < len(parts) {
				if i+3 < len(parts) && base36(parts[i+3]) {
					return "t1_" + parts[i+3], nil
				}
				if id == "" {
					id = parts[i+1]
				}
				break
			}
		}
	}
	if !base36(id) {
		return "", &sendError{kind: errUnresolvable, msg: "no reddit id in post " + p.PostID}
	}
	return "t3_" + id, nil
}

func base36(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
