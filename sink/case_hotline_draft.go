package sink

import (
	"errors"
	"net/http"

	"github.com/handlewatch/handlewatch/sink/hotline"
)

type hotlineResponse struct {
	Draft *hotline.Draft `json:"draft"`
	Text  string         `json:"text"` // the same, for hotlines without an API
}

// hotlineDraft: GET /api/cases/{id}/hotline-draft, for confirmed cases
// only. A draft to file by hand; nothing is submitted.
func (s *Sink) hotlineDraft(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	d, err := hotline.New(c, s.caseURL(c.ID), s.now())
	if errors.Is(err, hotline.ErrNotConfirmed) {
		writeError(w, http.StatusConflict, "hotline drafts are for confirmed cases only; this case is "+string(c.Status))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hotlineResponse{Draft: d, Text: d.Text()})
}
