package web

import "net/http"

// home: GET / leads to the queue (or, for researchers, the statistics).
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, homeOf(sessionOf(r).role))
}
