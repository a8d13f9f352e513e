package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// maxBulk bounds the cases one bulk decision takes.
const maxBulk = 100

type bulkData struct {
	Decision wire.Decision
	Reason   string
	Cases    []*cases.Case
	Missing  int
	Next     string
	Idem     string
}

// bulkDecide: POST /queue/bulk {id…, decision, reason, step, next, idem,
// csrf}. Step preview shows how many cases (and which) the decision will
// take, changing nothing; step apply records one decision per case and
// goes back to the queue.
func (s *Server) bulkDecide(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	next := localPath(f.Get("next"), "/queue")
	d := wire.Decision(f.Get("decision"))
	ids := slices.Compact(slices.Sorted(slices.Values(f["id"])))
	switch {
	case d != wire.DecisionConfirm && d != wire.DecisionDismiss:
		s.ss.setFlash(r, "Bulk decisions are confirm or dismiss.")
		redirect(w, r, next)
		return
	case len(ids) == 0:
		s.ss.setFlash(r, "Select at least one case.")
		redirect(w, r, next)
		return
	case len(ids) > maxBulk:
		s.ss.setFlash(r, fmt.Sprintf("At most %d cases at once.", maxBulk))
		redirect(w, r, next)
		return
	case d == wire.DecisionDismiss && strings.TrimSpace(f.Get("reason")) == "":
		s.ss.setFlash(r, "Give a reason to dismiss cases.")
		redirect(w, r, next)
		return
	}
	if f.Get("step") != "apply" {
		data := bulkData{Decision: d, Reason: f.Get("reason"), Next: next, Idem: randomToken()}
		for _, id := range ids {
			c, err := s.b.Case(r.Context(), id)
			switch {
			case errors.Is(err, cases.ErrNotFound):
				data.Missing++
			case err != nil:
				s.serverError(w, r, err)
				return
			default:
				data.Cases = append(data.Cases, c)
			}
		}
		s.render(w, r, http.StatusOK, "bulk", fmt.Sprintf("%s %d cases?", d, len(data.Cases)), "queue", data)
		return
	}
	se := sessionOf(r)
	done, failed := 0, 0
	var last error
	for _, id := range ids {
		// One key per case and submission: a repeated submit records
		// nothing twice.
		if _, err := s.decide(r.Context(), se, id, d, f.Get("reason"), f.Get("idem")+":"+id); err != nil {
			failed++
			last = err
			continue
		}
		done++
	}
	msg := fmt.Sprintf("%d cases %s.", done, decisionLabel[d])
	if failed > 0 {
		msg += fmt.Sprintf(" %d failed: %s", failed, userMessage(last))
	}
	s.ss.setFlash(r, msg)
	redirect(w, r, next)
}
