package reddit

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// tokenSlack renews a token this long before Reddit says it expires, so a
// listing request never races the expiry.
const tokenSlack = time.Minute

type tokenJSON struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   float64 `json:"expires_in"`
	Error       string  `json:"error"`
}

// accessToken returns the cached app-only token, fetching a new one
// (client_credentials grant, HTTP basic auth) when it is missing or about
// to expire. Polls of different targets share it.
func (p *Poller) accessToken(ctx context.Context, f source.Fetcher) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.token != "" && now.Before(p.exp) {
		return p.token, nil
	}
	req := &source.Request{
		Method: http.MethodPost,
		URL:    p.tokenURL,
		Header: http.Header{
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(p.clientID+":"+p.clientSecret))},
			"Content-Type":  {"application/x-www-form-urlencoded"},
		},
		Body:   []byte("grant_type=client_credentials"),
		Accept: platform.JSONAccept,
	}
	if p.userAgent != "" {
		req.Header.Set("User-Agent", p.userAgent)
	}
	var tok tokenJSON
	if _, err := platform.GetJSON(ctx, f, req, &tok); err != nil {
		if s := platform.StatusOf(err); s == http.StatusUnauthorized || s == http.StatusForbidden {
			return "", fmt.Errorf("%w: reddit rejected the OAuth client credentials (%d from %s): check auth.client_id_env / client_secret_env and the app's approval",
				source.ErrBlocked, s, p.tokenURL)
		}
		return "", fmt.Errorf("fetching reddit token: %w", err)
	}
	if tok.AccessToken == "" {
		return "", fmt.Errorf("%w: reddit token endpoint answered without a token (error %q): check auth.client_id_env / client_secret_env",
			source.ErrBlocked, tok.Error)
	}
	life := time.Duration(tok.ExpiresIn * float64(time.Second))
	if life <= 2*tokenSlack {
		life = 2 * tokenSlack
	}
	p.token, p.exp = tok.AccessToken, now.Add(life-tokenSlack)
	return p.token, nil
}

func (p *Poller) dropToken() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.token = ""
}
