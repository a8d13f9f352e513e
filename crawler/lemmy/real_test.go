package lemmy

import (
	"context"
	"net/http"
	"testing"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
)

func TestThroughRealFetcher(t *testing.T) {
	sc := config(nil, "c/privacy")
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("GET /api/v3/post/list", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Host != host || q.Get("community_name") != "privacy" || q.Get("sort") != "New" || q.Get("limit") != "50" {
			t.Errorf("post list request: host %s query %v", r.Host, q)
		}
		platformtest.ServeFixture(t, w, "post_list_page1_synthetic.json", "application/json")
	})
	f := platformtest.Real(t, sc, plat, host)
	b, err := newTestPoller(t, sc).Poll(context.Background(), f, tgt(sc, "c/privacy"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.Golden(t, "posts.golden.json", b.Posts)
}
