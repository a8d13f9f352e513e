package web

import "net/http"

type sourcesData struct {
	Health    []SourceHealth
	Available bool
}

// showSources: GET /sources, each crawl target's health.
func (s *Server) showSources(w http.ResponseWriter, r *http.Request) {
	h, ok := s.b.Sources()
	s.render(w, r, http.StatusOK, "sources", "Sources", "sources", sourcesData{Health: h, Available: ok})
}
