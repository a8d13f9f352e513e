package web

import "net/http"

// routes is every page, with who may see it. Forms that change anything
// are POST and pass the CSRF check; reads are GET.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/{file}", s.staticFiles())

	mux.HandleFunc("GET /login", s.showLogin)
	mux.HandleFunc("POST /login", s.checkLogin)
	mux.Handle("POST /logout", s.requireLogin(s.csrf(http.HandlerFunc(s.logout))))

	mux.Handle("GET /{$}", s.requireLogin(http.HandlerFunc(s.home)))
	mux.Handle("GET /queue", s.reviewer(s.showQueue))
	mux.Handle("POST /queue/bulk", s.reviewerCSRF(s.bulkDecide))
	mux.Handle("GET /cases/{id}", s.reviewer(s.showCase))
	mux.Handle("POST /cases/{id}/decision", s.reviewerCSRF(s.decideCase))
	mux.Handle("GET /cases/{id}/hotline-draft", s.reviewer(s.hotlineDraft))
	mux.Handle("GET /sources", s.reviewer(s.showSources))
	mux.Handle("GET /audit", s.reviewer(s.showAudit))

	mux.Handle("GET /stats", s.researcher(s.showStats))
	mux.Handle("GET /stats.csv", s.researcher(s.statsCSV))

	mux.Handle("/", s.requireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is no such page.")
	})))
	return secureHeaders(http.NewCrossOriginProtection().Handler(mux))
}

func (s *Server) reviewer(h http.HandlerFunc) http.Handler {
	return s.requireLogin(s.requireRole(Role.Reviews, h))
}

func (s *Server) reviewerCSRF(h http.HandlerFunc) http.Handler {
	return s.requireLogin(s.requireRole(Role.Reviews, s.csrf(h)))
}

func (s *Server) researcher(h http.HandlerFunc) http.Handler {
	return s.requireLogin(s.requireRole(Role.Researches, h))
}
