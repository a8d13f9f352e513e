package web

import "net/http"

// auditLimit is how many decisions the audit page lists.
const auditLimit = 200

// showAudit: GET /audit, the latest decisions: who, what, when, why.
func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "audit", "Audit", "audit", s.b.Audit(auditLimit))
}
