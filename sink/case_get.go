package sink

import (
	"net/http"

	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// caseView is a case with its takedown requests: what a moderator needs on
// one page.
type caseView struct {
	*cases.Case
	Takedowns []takedown.Request `json:"takedowns"`
}

// getCase: GET /api/cases/{id}, with every sighting kept and the takedown
// requests filed for it.
func (s *Sink) getCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	view := caseView{Case: c, Takedowns: []takedown.Request{}}
	if s.hooks != nil && s.hooks.takedowns != nil {
		view.Takedowns = s.hooks.takedowns.Requests(c.ID)
	}
	writeJSON(w, http.StatusOK, view)
}
