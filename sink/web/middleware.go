package web

import (
	"net/http"
	"net/url"
	"strings"
)

// CSP allows this site's own script and style files and nothing else: no
// inline script or style, no frames, no plugins, no images (media is never
// rendered), forms only to this site.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'none'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// requireLogin sends a request without a live session to the login page,
// remembering where it was going.
func (s *Server) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		se, ok := s.ss.get(r)
		if ok && s.acc.role(se.user) != se.role {
			// The account was removed or its role changed in the config.
			s.ss.destroy(w, r)
			ok = false
		}
		if !ok {
			to := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			redirect(w, r, to)
			return
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), se)))
	})
}

// requireRole refuses with 403 what the session's role may not do.
func (s *Server) requireRole(may func(Role) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if se := sessionOf(r); se == nil || !may(se.role) {
			s.fail(w, r, http.StatusForbidden, "Your role may not do this.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// maxForm bounds a form body.
const maxForm = 64 << 10

// csrf refuses with 403 a form whose token is not the session's.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
			return
		}
		se := sessionOf(r)
		if se == nil || !sameToken(r.PostForm.Get("csrf"), se.csrf) {
			s.fail(w, r, http.StatusForbidden, "The form has expired or did not come from this page. Go back, reload and try again.")
			return
		}
		next.ServeHTTP(w, r)
	})
}
