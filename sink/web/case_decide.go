package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// decisionAnswer is what the page's script gets instead of a redirect.
type decisionAnswer struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Decision string `json:"decision,omitempty"`
	Actor    string `json:"actor,omitempty"`
	Error    string `json:"error,omitempty"`
	// NextIdem is the token for the form's next submission.
	NextIdem string `json:"next_idem"`
}

// decideCase: POST /cases/{id}/decision {decision, reason, idem, next,
// csrf}. A form gets 303 back to next (Post/Redirect/Get) with the
// outcome as a flash; the page's script (Accept: application/json) gets
// the case's new status, to update the row it came from in place.
func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	next := localPath(r.PostForm.Get("next"), "/cases/"+id)
	d := wire.Decision(r.PostForm.Get("decision"))
	var c *cases.Case
	err := ErrInvalid
	if d.Valid() {
		c, err = s.decide(r.Context(), sessionOf(r), id, d, r.PostForm.Get("reason"), r.PostForm.Get("idem"))
	} else {
		err = fmt.Errorf("%w: pick confirm, dismiss, escalate or clear", ErrInvalid)
	}
	if wantJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if err != nil {
			w.WriteHeader(statusOf(err))
			_ = json.NewEncoder(w).Encode(decisionAnswer{ID: id, Error: userMessage(err), NextIdem: r.PostForm.Get("idem")})
			return
		}
		a := decisionAnswer{ID: c.ID, Status: string(c.Status), NextIdem: randomToken()}
		if c.Decision != nil {
			a.Decision, a.Actor = string(c.Decision.Decision), c.Decision.Actor
		}
		_ = json.NewEncoder(w).Encode(a)
		return
	}
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return
		}
		s.ss.setFlash(r, userMessage(err))
		redirect(w, r, next)
		return
	}
	s.ss.setFlash(r, "Case "+c.App+" "+c.Handle+" "+decisionLabel[d]+".")
	redirect(w, r, next)
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, cases.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
