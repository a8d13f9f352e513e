package takedown

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// bluesky files reports with com.atproto.moderation.createReport through
// the reporting account's PDS, with a bearer session from
// com.atproto.server.createSession (an app password). The post's strongRef
// (uri + cid) comes from app.bsky.feed.getPosts, which the PDS proxies to
// the AppView; a handle in a permalink is resolved with
// com.atproto.identity.resolveHandle.
type bluesky struct {
	api        httpAPI
	base       string
	identifier string
	password   string
	reasonType string
	proxyDID   string

	mu     sync.Mutex
	access string // the session's accessJwt
}

var (
	_ channel = (*bluesky)(nil)
	_ checker = (*bluesky)(nil)
)

func newBluesky(t TargetConfig, api httpAPI, password string) *bluesky {
	return &bluesky{api: api, base: strings.TrimRight(t.BaseURL, "/"), identifier: t.Identifier,
		password: password, reasonType: t.ReasonType, proxyDID: t.ProxyDID}
}

type strongRef struct {
	Type string `json:"$type"`
	URI  string `json:"uri"`
	CID  string `json:"cid"`
}

func (c *bluesky) render(ctx context.Context, r Request, n notice, offline bool) (rendered, error) {
	uri, err := c.postURI(ctx, r.Post, offline)
	if err != nil {
		return rendered{}, err
	}
	cid := "<getPosts cid>"
	if !offline {
		if cid, err = c.cid(ctx, uri); err != nil {
			return rendered{}, err
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		ReasonType string    `json:"reasonType"`
		Reason     string    `json:"reason"`
		Subject    strongRef `json:"subject"`
	}{c.reasonType, cutRunes(2000, n.text), strongRef{"com.atproto.repo.strongRef", uri, cid}}); err != nil {
		return rendered{}, err
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	h := http.Header{"Content-Type": {"application/json"}}
	if c.proxyDID != "" {
		h.Set("Atproto-Proxy", c.proxyDID+"#atproto_labeler")
	}
	return rendered{method: http.MethodPost, url: c.base + "/xrpc/com.atproto.moderation.createReport",
		header: h, body: body}, nil
}

func (c *bluesky) send(ctx context.Context, n rendered) (ack, error) {
	var out struct {
		ID json.Number `json:"id"`
	}
	err := c.authed(ctx, func(token string) error {
		req, err := http.NewRequestWithContext(ctx, n.method, n.url, bytes.NewReader(n.body))
		if err != nil {
			return err
		}
		req.Header = n.header.Clone()
		bearer(req.Header, token)
		return c.api.do(req, "filing bluesky report", &out)
	})
	if err != nil {
		return ack{}, err
	}
	return ack{reportID: out.ID.String(), accepted: true}, nil
}

// check asks for the post: an empty getPosts answer means it was deleted
// or taken down.
func (c *bluesky) check(ctx context.Context, r Request) (verdict, string, error) {
	uri, err := c.postURI(ctx, r.Post, false)
	if err != nil {
		if kindOf(err) == errGone {
			return verdictGone, err.Error(), nil
		}
		return verdictUnknown, "", err
	}
	_, err = c.cid(ctx, uri)
	switch {
	case err == nil:
		return verdictUp, "getPosts " + uri + ": found", nil
	case kindOf(err) == errGone:
		return verdictGone, "getPosts " + uri + ": not found", nil
	}
	return verdictUnknown, "", err
}

// postURI is the post's at:// URI: the post id when it is one, else built
// from the bsky.app permalink.
func (c *bluesky) postURI(ctx context.Context, p PostRef, offline bool) (string, error) {
	if strings.HasPrefix(p.PostID, "at://") {
		return p.PostID, nil
	}
	u, err := url.Parse(p.Permalink)
	if err != nil {
		return "", &sendError{kind: errUnresolvable, msg: "bad bluesky permalink " + p.Permalink}
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "profile" || parts[2] != "post" || parts[1] == "" || parts[3] == "" {
		return "", &sendError{kind: errUnresolvable, msg: "no bluesky post in permalink " + p.Permalink}
	}
	actor, rkey := parts[1], parts[3]
	if !strings.HasPrefix(actor, "did:") {
		if offline {
			actor = "<resolveHandle " + actor + ">"
		} else if actor, err = c.resolveHandle(ctx, actor); err != nil {
			return "", err
		}
	}
	return "at://" + actor + "/app.bsky.feed.post/" + rkey, nil
}

func (c *bluesky) resolveHandle(ctx context.Context, handle string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.base+"/xrpc/com.atproto.identity.resolveHandle?handle="+url.QueryEscape(handle), nil)
	if err != nil {
		return "", err
	}
	var out struct {
		DID string `json:"did"`
	}
	if err := c.api.do(req, "resolving handle "+handle, &out); err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.DID, "did:") {
		return "", &sendError{kind: errUnresolvable, msg: "resolving handle " + handle + ": no did"}
	}
	return out.DID, nil
}

func (c *bluesky) cid(ctx context.Context, uri string) (string, error) {
	var out struct {
		Posts []struct {
			URI string `json:"uri"`
			CID string `json:"cid"`
		} `json:"posts"`
	}
	err := c.authed(ctx, func(token string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			c.base+"/xrpc/app.bsky.feed.getPosts?uris="+url.QueryEscape(uri), nil)
		if err != nil {
			return err
		}
		bearer(req.Header, token)
		return c.api.do(req, "fetching post "+uri, &out)
	})
	if err != nil {
		return "", err
	}
	for _, p := range out.Posts {
		if p.URI == uri && p.CID != "" {
			return p.CID, nil
		}
	}
	return "", &sendError{kind: errGone, msg: "post " + uri + " no longer exists"}
}

// authed runs call with the session token, creating the session first and
// once more if the token was refused (expired or revoked).
func (c *bluesky) authed(ctx context.Context, call func(token string) error) error {
	for try := 0; ; try++ {
		token, err := c.session(ctx, try > 0)
		if err != nil {
			return err
		}
		err = call(token)
		if err == nil || try > 0 || !expiredToken(err) {
			return err
		}
	}
}

func expiredToken(err error) bool {
	var se *sendError
	if !errors.As(err, &se) {
		return false
	}
	return se.kind == errAuth || (se.status == http.StatusBadRequest &&
		(strings.Contains(se.msg, "ExpiredToken") || strings.Contains(se.msg, "InvalidToken")))
}

func (c *bluesky) session(ctx context.Context, renew bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.access != "" && !renew {
		return c.access, nil
	}
	body, _ := json.Marshal(map[string]string{"identifier": c.identifier, "password": c.password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/xrpc/com.atproto.server.createSession", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		AccessJwt string `json:"accessJwt"`
	}
	if err := c.api.do(req, "creating bluesky session for "+c.identifier, &out); err != nil {
		var se *sendError
		// A refused app password is an auth failure, whatever the status.
		if errors.As(err, &se) && (se.status == http.StatusUnauthorized || se.status == http.StatusBadRequest) {
			se.kind = errAuth
		}
		return "", err
	}
	if out.AccessJwt == "" {
		return "", &sendError{kind: errAuth, msg: "creating bluesky session: no accessJwt in " + strconv.Quote(c.identifier) + "'s answer"}
	}
	c.access = out.AccessJwt
	return c.access, nil
}
