package sink

import "net/http"

// getCase: GET /api/cases/{id}, with every sighting kept.
func (s *Sink) getCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, c)
}
