package web

import (
	"net/http"

	"github.com/handlewatch/handlewatch/sink/stats"
)

type statsData struct {
	Filter  statsFilter
	Query   string
	Report  stats.Report
	Tables  []table
	Problem string
}

// showStats: GET /stats?from=&to=&source=, charts with their numbers.
func (s *Server) showStats(w http.ResponseWriter, r *http.Request) {
	f, err := parseStatsFilter(r.URL.Query(), s.now())
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "stats", "Statistics", "stats", statsData{Filter: f, Problem: err.Error()})
		return
	}
	tables, rep, err := s.statsTables(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "stats", "Statistics", "stats", statsData{Filter: f, Query: f.query(), Report: rep, Tables: tables})
}
