package web

import "net/http"

// loginCookie carries the login form's CSRF token (double submit): there
// is no session yet to hold it.
const loginCookie = "hw_login"

type loginData struct {
	Token string
	Next  string
	Name  string
	Error string
	// NoUsers says that the config has no account at all.
	NoUsers bool
}

// showLogin: GET /login.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.ss.get(r); ok {
		redirect(w, r, localPath(r.URL.Query().Get("next"), "/"))
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginData{Next: localPath(r.URL.Query().Get("next"), "")})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.Token = randomToken()
	d.NoUsers = s.cfgUsers == 0
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: d.Token, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: s.ss.secure, SameSite: http.SameSiteStrictMode})
	s.render(w, r, status, "login", "Log in", "", d)
}
