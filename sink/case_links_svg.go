package sink

import (
	"net/http"

	"github.com/handlewatch/handlewatch/sink/links"
)

// caseLinksSVG answers GET /api/cases/{id}/links.svg: the links as a
// small graph for the case page to embed (<img src=…>).
func (s *Sink) caseLinksSVG(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	g, err := links.Find(r.Context(), s.cases, c, 0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(links.SVG(g))
}
