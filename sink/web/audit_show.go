package web

import (
	"net/http"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// auditLimit is how many decisions the audit page lists.
const auditLimit = 200

// showAudit: GET /audit, the latest decisions: who, what, when, why.
func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) {
	var evs []wire.CaseEvent = s.b.Audit(auditLimit)
	s.render(w, r, http.StatusOK, "audit", "Audit", "audit", evs)
}
