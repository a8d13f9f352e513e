package tumblr

import (
	"context"
	"net/http"
	"testing"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
)

func TestThroughRealFetcher(t *testing.T) {
	sc := config(t, nil, "tag:online safety")
	sc.Hosts = []string{"api.tumblr.com"}
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("GET /v2/tagged", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Host != "api.tumblr.com" || q.Get("tag") != "online safety" || q.Get("api_key") != apiKey || q.Get("npf") != "true" {
			t.Errorf("tagged request: host %s query %v", r.Host, q)
		}
		platformtest.ServeFixture(t, w, "tagged_synthetic.json", "application/json; charset=utf-8")
	})
	f := platformtest.Real(t, sc, plat, "api.tumblr.com")
	b, err := newTestPoller(t, sc).Poll(context.Background(), f, tgt(sc, "tag:online safety"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.Golden(t, "tagged.golden.json", b.Posts)
}
