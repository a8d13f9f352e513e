package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// session is an app-password session on the PDS: createSession once,
// the accessJwt as bearer token, refreshSession when it expires, a new
// session when the refresh token is gone too. The PDS allows 30
// createSession calls per 5 minutes per account, so sessions are reused
// across polls and targets.
type session struct {
	pds        string
	identifier string
	password   string

	mu      sync.Mutex
	access  string
	refresh string
}

type sessionJSON struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
}

// get fetches path on the PDS with the session's token, renewing the
// token once when the PDS says it expired.
func (s *session) get(ctx context.Context, f source.Fetcher, path string) (*source.Response, error) {
	for attempt := 0; ; attempt++ {
		tok, err := s.token(ctx, f)
		if err != nil {
			return nil, err
		}
		req := &source.Request{URL: s.pds + path, Header: http.Header{"Authorization": {"Bearer " + tok}}}
		resp, err := platform.FetchJSON(ctx, f, req)
		if err == nil {
			return resp, nil
		}
		if attempt == 0 && expired(err) {
			s.renew(ctx, f, tok)
			continue
		}
		if st := platform.StatusOf(err); st == http.StatusUnauthorized || st == http.StatusForbidden {
			return nil, fmt.Errorf("%w: bluesky refused the session of %s (%d, %s): check auth.identifier and auth.password_env",
				source.ErrBlocked, s.identifier, st, xrpcError(err))
		}
		return nil, err
	}
}

func expired(err error) bool {
	switch xrpcError(err) {
	case "ExpiredToken", "InvalidToken":
		return true
	}
	return platform.StatusOf(err) == http.StatusUnauthorized
}

func (s *session) token(ctx context.Context, f source.Fetcher) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != "" {
		return s.access, nil
	}
	return s.create(ctx, f)
}

// renew replaces the token stale (unless another poll already did):
// refreshSession first, a new session if that fails.
func (s *session) renew(ctx context.Context, f source.Fetcher, stale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != stale {
		return
	}
	s.access = ""
	if s.refresh != "" {
		req := &source.Request{Method: http.MethodPost, URL: s.pds + "/xrpc/com.atproto.server.refreshSession",
			Header: http.Header{"Authorization": {"Bearer " + s.refresh}}}
		var out sessionJSON
		if _, err := platform.GetJSON(ctx, f, req, &out); err == nil && out.AccessJwt != "" {
			s.access, s.refresh = out.AccessJwt, out.RefreshJwt
			return
		}
		s.refresh = ""
	}
	// The next token() call creates a new session.
}

// create opens a session; the caller holds s.mu.
func (s *session) create(ctx context.Context, f source.Fetcher) (string, error) {
	body, _ := json.Marshal(map[string]string{"identifier": s.identifier, "password": s.password})
	req := &source.Request{Method: http.MethodPost, URL: s.pds + "/xrpc/com.atproto.server.createSession",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	var out sessionJSON
	if _, err := platform.GetJSON(ctx, f, req, &out); err != nil {
		if st := platform.StatusOf(err); st == http.StatusUnauthorized || st == http.StatusBadRequest || st == http.StatusForbidden {
			return "", fmt.Errorf("%w: bluesky refused to open a session for %s (%d, %s): check auth.identifier and the app password in auth.password_env",
				source.ErrBlocked, s.identifier, st, xrpcError(err))
		}
		return "", fmt.Errorf("opening a bluesky session: %w", err)
	}
	if out.AccessJwt == "" {
		return "", fmt.Errorf("opening a bluesky session: %s answered without an accessJwt", s.pds)
	}
	s.access, s.refresh = out.AccessJwt, out.RefreshJwt
	return s.access, nil
}
