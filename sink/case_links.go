package sink

import (
	"net/http"

	"github.com/handlewatch/handlewatch/sink/links"
)

// caseLinks answers GET /api/cases/{id}/links: the other cases sharing a
// handle value, an author, a profile or invite link or a post with this
// one, across apps and sources.
func (s *Sink) caseLinks(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	g, err := links.Find(r.Context(), s.cases, c, 0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if g.Links == nil {
		g.Links = []links.Link{}
	}
	writeJSON(w, http.StatusOK, g)
}
