package sink

import (
	"net/http"
	"strconv"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

type caseList struct {
	Cases      []*cases.Case `json:"cases"`
	NextOffset *int          `json:"next_offset,omitempty"`
}

// listCases: GET /api/cases?status=&app=&severity=&limit=&offset=
// Newest (last seen) first; each case with its latest sighting.
func (s *Sink) listCases(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := cases.Query{Status: cases.Status(v.Get("status")), App: v.Get("app")}
	if q.Status != "" && !q.Status.Valid() {
		writeError(w, http.StatusBadRequest, "status: want new, escalated, confirmed, dismissed or cleared")
		return
	}
	if q.App != "" && !wire.IsApp(q.App) {
		writeError(w, http.StatusBadRequest, "app: not a known messaging app")
		return
	}
	if sv := v.Get("severity"); sv != "" {
		sev, err := wire.ParseSeverity(sv)
		if err != nil {
			writeError(w, http.StatusBadRequest, "severity: want low, medium, high or critical")
			return
		}
		q.Severity = sev
	}
	var ok bool
	if q.Limit, ok = intParam(w, v.Get("limit"), "limit", cases.DefaultLimit, 1, cases.MaxLimit); !ok {
		return
	}
	if q.Offset, ok = intParam(w, v.Get("offset"), "offset", 0, 0, 1_000_000); !ok {
		return
	}
	p, err := s.cases.List(r.Context(), q)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := caseList{Cases: p.Cases}
	if out.Cases == nil {
		out.Cases = []*cases.Case{}
	}
	if p.More {
		n := q.Offset + len(p.Cases)
		out.NextOffset = &n
	}
	writeJSON(w, http.StatusOK, out)
}

func intParam(w http.ResponseWriter, s, name string, def, lo, hi int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		writeError(w, http.StatusBadRequest, name+": want a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return 0, false
	}
	return n, true
}
