package stats

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/state"
)

func TestHandler(t *testing.T) {
	s := newStats(t, state.NewMemory())
	theFixture().observe(t, s)
	h := s.Handler()
	cases := []struct {
		name, method, query string
		status              int
		check               func(t *testing.T, rep Report)
	}{
		{"defaults: the last 30 days", "GET", "", 200, func(t *testing.T, rep Report) {
			if rep.From != "2026-02-02" || rep.To != "2026-03-03" || len(rep.Days) != 30 || rep.Overall.Findings != 13 {
				t.Fatalf("%s–%s, %d days, %d findings", rep.From, rep.To, len(rep.Days), rep.Overall.Findings)
			}
		}},
		{"range", "GET", "from=2026-03-01&to=2026-03-02&by_source=1", 200, checkReport},
		{"source", "GET", "from=2026-03-01&to=2026-03-02&source=masto-b", 200, func(t *testing.T, rep Report) {
			if rep.Source != "masto-b" || rep.Overall.Findings != 5 || rep.Overall.PostsScanned != 22000 {
				t.Fatalf("%+v", rep.Overall)
			}
		}},
		{"unknown source is empty", "GET", "from=2026-03-01&to=2026-03-01&source=nowhere", 200, func(t *testing.T, rep Report) {
			if rep.Overall.Findings != 0 || rep.Overall.Per10k != nil {
				t.Fatalf("%+v", rep.Overall)
			}
		}},
		{"bad day", "GET", "from=2026-3-1", 400, nil},
		{"reversed", "GET", "from=2026-03-02&to=2026-03-01", 400, nil},
		{"too long a span", "GET", "from=2024-01-01&to=2026-03-01", 400, nil},
		{"unknown parameter", "GET", "form=2026-03-01", 400, nil},
		{"repeated parameter", "GET", "source=a&source=b", 400, nil},
		{"bad by_source", "GET", "by_source=maybe", 400, nil},
		{"source with a separator", "GET", "source=a%7Capp%3Dwickr", 400, nil},
		{"post", "POST", "", 405, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/api/stats?"+tc.query, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("content type %q", ct)
			}
			if tc.check != nil {
				var rep Report
				if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
					t.Fatal(err)
				}
				tc.check(t, rep)
			} else if rec.Code != http.StatusMethodNotAllowed {
				var e map[string]string
				if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e["error"] == "" {
					t.Fatalf("error body %s", rec.Body)
				}
			}
		})
	}
}

// FuzzParseQuery feeds the endpoint's query parsing arbitrary query
// strings: it must never panic, and what it accepts must be sane.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{"", "from=2026-03-01&to=2026-03-02", "source=reddit-a&by_source=true",
		"from=2026-02-30", "to=9999-12-31&from=0001-01-01", "source=%ff%fe", "by_source=1&by_source=0", "a=b&c"} {
		f.Add(seed)
	}
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseQuery(v, now, 365*24*time.Hour)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if q.To.Before(q.From) || q.To.Sub(q.From) >= 365*24*time.Hour {
			t.Fatalf("accepted %s–%s", q.From, q.To)
		}
		if len(q.Source) > maxSourceLen || !utf8.ValidString(q.Source) || strings.Contains(q.Source, "|") {
			t.Fatalf("accepted source %q", q.Source)
		}
	})
}
