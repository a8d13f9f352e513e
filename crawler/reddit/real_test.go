package reddit

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// The same recorded listing through the crawler's real Fetcher (approved
// hosts, content-type gate, body cap) must give the same posts as through
// the fake one.
func TestThroughRealFetcher(t *testing.T) {
	sc := oauthConfig(t, "r/popular")
	sc.Hosts = []string{"oauth.reddit.com", "www.reddit.com"}
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("POST /api/v1/access_token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if r.Host != "www.reddit.com" || !ok || id != "client-id" || secret != "client-secret" ||
			r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			t.Errorf("token request: host %s basic %v form %v", r.Host, ok, r.PostForm)
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write([]byte(tokenJSONBody))
	})
	plat.Mux.HandleFunc("GET /r/popular/new", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Host != "oauth.reddit.com" || r.Header.Get("Authorization") != "bearer test-token-1" ||
			q.Get("limit") != "100" || q.Get("raw_json") != "1" {
			t.Errorf("listing request: host %s auth %q query %v", r.Host, r.Header.Get("Authorization"), q)
		}
		platformtest.ServeFixture(t, w, "listing_r_popular_hot_2026-04.json", "")
	})
	f := platformtest.Real(t, sc, plat, "oauth.reddit.com", "www.reddit.com")
	b, err := newTestPoller(t, sc).Poll(context.Background(), f, tgt(sc, "r/popular"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.AssertNoMedia(t, b.Posts)
	platformtest.Golden(t, "r_popular.golden.json", b.Posts)
}

func TestBlockPageThroughRealFetcher(t *testing.T) {
	sc := source.Config{Name: "reddit-anon", Kind: "reddit", Targets: []string{"r/popular"},
		Hosts: []string{"oauth.reddit.com", "www.reddit.com"}}
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("GET /r/popular/new.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(platformtest.ReadFile(t, "blocked_403_whoa.html"))
	})
	f := platformtest.Real(t, sc, plat, "oauth.reddit.com", "www.reddit.com")
	_, err := newTestPoller(t, sc).Poll(context.Background(), f, tgt(sc, "r/popular"), "")
	if !errors.Is(err, source.ErrBlocked) || !strings.Contains(err.Error(), "options.fallback: rss") || !strings.Contains(err.Error(), "block page") {
		t.Errorf("err = %v, want ErrBlocked saying what to configure", err)
	}
}
