package web

import (
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/hotline"
)

// hotlineDraft: GET /cases/{id}/hotline-draft, a text file to file by hand
// with a hotline; nothing is submitted. Confirmed cases only.
func (s *Server) hotlineDraft(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := s.b.HotlineDraft(r.Context(), id)
	switch {
	case errors.Is(err, cases.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, "There is no such case.")
		return
	case errors.Is(err, hotline.ErrNotConfirmed):
		s.fail(w, r, http.StatusConflict, "Hotline drafts are for confirmed cases only.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.log.Info("hotline draft exported", zap.String("case_id", id), zap.String("user", sessionOf(r).user))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="hotline-draft-`+id+`.txt"`)
	_, _ = w.Write([]byte(d.Text()))
}
