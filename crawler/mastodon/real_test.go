package mastodon

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
)

func TestThroughRealFetcher(t *testing.T) {
	sc := config("tag:hoot", "public")
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("GET /api/v2/instance", func(w http.ResponseWriter, r *http.Request) {
		platformtest.ServeFixture(t, w, "instance_v2_mastodon.social_2026-08.json", "")
	})
	plat.Mux.HandleFunc("GET /api/v1/timelines/tag/hoot", func(w http.ResponseWriter, r *http.Request) {
		if r.Host != host || r.URL.Query().Get("limit") != "40" {
			t.Errorf("tag request: host %s query %v", r.Host, r.URL.Query())
		}
		platformtest.ServeFixture(t, w, "timeline_tag_hoot.json", "")
	})
	plat.Mux.HandleFunc("GET /api/v1/timelines/public", func(w http.ResponseWriter, r *http.Request) {
		t.Error("the disabled public timeline was requested")
	})
	f := platformtest.Real(t, sc, plat, host)
	p := newTestPoller(t, sc)
	b, err := p.Poll(context.Background(), f, tgt(sc, "tag:hoot"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.Golden(t, "tag_hoot.golden.json", b.Posts)
	if b.Cursor != "117020593741189701" {
		t.Errorf("cursor %q (from the recorded Link header)", b.Cursor)
	}
	if _, err := p.Poll(context.Background(), f, tgt(sc, "public"), ""); !errors.Is(err, source.ErrBlocked) {
		t.Errorf("public: err = %v, want ErrBlocked", err)
	}
}
