package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode"

	"go.uber.org/zap"
)

// Handler serves GET /api/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&source=NAME&by_source=1
// as a JSON Report. Every parameter is optional: to defaults to today,
// from to 29 days before to; source restricts the report to one source;
// by_source adds per-source figures. The sink mounts it at /api/stats
// (behind its login); the handler itself ignores the path.
func (s *Stats) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method not allowed")
			return
		}
		q, err := parseQuery(r.URL.Query(), s.now(), s.cfg.Retention.D())
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		rep, err := s.ReportQuery(r.Context(), q)
		if err != nil {
			s.log.Error("building stats report failed", zap.Error(err))
			writeError(w, http.StatusInternalServerError, "the statistics are unavailable")
			return
		}
		_ = json.NewEncoder(w).Encode(rep)
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

const maxSourceLen = 100

// parseQuery reads the endpoint's parameters. The span is capped at the
// retention (older days are not kept), and a source name must be short
// and printable.
func parseQuery(v url.Values, now time.Time, retention time.Duration) (Query, error) {
	for k, vals := range v {
		switch k {
		case "from", "to", "source", "by_source":
			if len(vals) > 1 {
				return Query{}, fmt.Errorf("%s: give it once", k)
			}
		default:
			return Query{}, fmt.Errorf("unknown parameter %q (from, to, source, by_source)", cut(k, 40))
		}
	}
	q := Query{To: utcDay(now)}
	if s := v.Get("to"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return Query{}, errors.New("to: want a day as YYYY-MM-DD")
		}
		q.To = t
	}
	q.From = q.To.AddDate(0, 0, -29)
	if s := v.Get("from"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return Query{}, errors.New("from: want a day as YYYY-MM-DD")
		}
		q.From = t
	}
	if q.To.Before(q.From) {
		return Query{}, errors.New("from: after to")
	}
	if maxDays := int(retention / (24 * time.Hour)); q.To.Sub(q.From) >= time.Duration(maxDays)*24*time.Hour {
		return Query{}, fmt.Errorf("from: the span may not exceed the %d-day retention", maxDays)
	}
	if src := v.Get("source"); src != "" {
		if len(src) > maxSourceLen {
			return Query{}, fmt.Errorf("source: longer than %d bytes", maxSourceLen)
		}
		for _, r := range src {
			if !unicode.IsPrint(r) || r == '|' || r == unicode.ReplacementChar {
				return Query{}, errors.New("source: only printable characters, no '|'")
			}
		}
		q.Source = src
	}
	if b := v.Get("by_source"); b != "" {
		on, err := strconv.ParseBool(b)
		if err != nil {
			return Query{}, errors.New("by_source: want true or false")
		}
		q.BySource = on
	}
	return q, nil
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
