package telegram

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/crawler/source"
)

func TestThroughRealFetcher(t *testing.T) {
	sc := source.Config{Name: "telegram-test", Kind: "telegram", Targets: []string{"habr_com", "not_existed_channel"}, Hosts: []string{"t.me"}}
	plat := platformtest.NewPlatform(t)
	plat.Mux.HandleFunc("GET /s/habr_com", func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "t.me" || r.URL.RawQuery != "" {
			t.Errorf("request %s%s", r.Host, r.URL)
		}
		platformtest.ServeFixture(t, w, "s_habr_com_2023-05.html", "text/html; charset=utf-8")
	})
	plat.Mux.HandleFunc("GET /s/not_existed_channel", func(w http.ResponseWriter, r *http.Request) {
		platformtest.ServeFixture(t, w, "s_not_existed_channel.html", "text/html; charset=utf-8")
	})
	f := platformtest.Real(t, sc, plat, "t.me")
	p := newTestPoller(t, sc)
	b, err := p.Poll(context.Background(), f, tgt(sc, "habr_com"), "")
	if err != nil {
		t.Fatal(err)
	}
	platformtest.Golden(t, "habr_com.golden.json", b.Posts)
	if _, err := p.Poll(context.Background(), f, tgt(sc, "not_existed_channel"), ""); !errors.Is(err, ErrNoPreview) {
		t.Errorf("missing channel: err = %v", err)
	}
}
