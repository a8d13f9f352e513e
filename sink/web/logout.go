package web

import (
	"net/http"

	"go.uber.org/zap"
)

// logout: POST /logout {csrf}.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.log.Info("dashboard logout", zap.String("user", sessionOf(r).user))
	s.ss.destroy(w, r)
	redirect(w, r, "/login")
}
