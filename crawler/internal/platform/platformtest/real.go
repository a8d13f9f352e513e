package platformtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/crawler/fetch"
	"github.com/handlewatch/handlewatch/crawler/fetch/fetchtest"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// Platform is an httptest server standing in for a platform's hosts: it
// serves /robots.txt (allow all) and the handlers a test mounts on the
// platform's real paths.
type Platform struct {
	*httptest.Server
	Mux *http.ServeMux
}

// NewPlatform starts a platform stand-in; it stops with the test.
func NewPlatform(t testing.TB) *Platform {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	p := &Platform{Server: httptest.NewServer(mux), Mux: mux}
	t.Cleanup(p.Close)
	return p
}

// ServeFixture writes testdata/name with the status and headers of its
// .headers.json twin when there is one, else 200 with contentType.
func ServeFixture(t testing.TB, w http.ResponseWriter, name, contentType string) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Error(err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	status := http.StatusOK
	hp := filepath.Join("testdata", strings.TrimSuffix(name, filepath.Ext(name))+".headers.json")
	if _, err := os.Stat(hp); err == nil {
		rec := LoadRecorded(t, hp)
		status = rec.Status
		for k, vs := range rec.Header {
			if strings.EqualFold(k, "Date") || strings.EqualFold(k, "Content-Length") {
				continue
			}
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
	} else {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Real returns the crawler's own Fetcher for source sc, with every host
// in hosts routed to the platform stand-in: the approved-host check,
// robots.txt, the content-type gate and the body cap all run as in
// production. sc.Hosts must approve the hosts (as crawler/kinds.go does).
func Real(t testing.TB, sc source.Config, p *Platform, hosts ...string) source.Fetcher {
	return realHosts(t, p.Server, hosts).Fetcher(sc)
}

// RealHTTPClient is Real for streaming adapters: the crawler's guarded
// HTTP client, with hosts routed to srv.
func RealHTTPClient(t testing.TB, sc source.Config, srv *httptest.Server, hosts ...string) *http.Client {
	return realHosts(t, srv, hosts).HTTPClient(sc)
}

func realHosts(t testing.TB, srv *httptest.Server, hosts []string) *fetch.Hosts {
	routes := map[string]*httptest.Server{}
	for _, h := range hosts {
		routes[h] = srv
	}
	return fetch.NewHosts(fetch.Options{
		UserAgent: "handlewatch-test/1 (+https://example.org/contact)", AllowPrivate: true,
		Timeout: 10 * time.Second, MaxBodyBytes: 4 << 20, Rate: 1000, Burst: 100,
		BackoffBase: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond, RobotsTTL: time.Hour,
		Transport: fetchtest.Rewrite(routes), Log: zaptest.NewLogger(t),
	})
}
