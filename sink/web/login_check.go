package web

import (
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// checkLogin: POST /login {name, password, token, next}. Five wrong
// passwords in a row hold the account (see accounts).
func (s *Server) checkLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(c.Value, r.PostForm.Get("token")) {
		s.fail(w, r, http.StatusForbidden, "The login form has expired. Reload the page and try again.")
		return
	}
	name, next := r.PostForm.Get("name"), localPath(r.PostForm.Get("next"), "")
	res := s.acc.login(name, r.PostForm.Get("password"))
	switch {
	case res.retry > 0:
		s.log.Warn("dashboard login throttled", zap.String("user", cut(name, 64)), zap.Duration("retry_in", res.retry))
		w.Header().Set("Retry-After", fmt.Sprint(int(res.retry/time.Second)))
		s.renderLogin(w, r, http.StatusTooManyRequests, loginData{Name: name, Next: next,
			Error: fmt.Sprintf("Too many wrong passwords for this account. Try again in %s.", res.retry)})
		return
	case !res.ok:
		s.log.Info("dashboard login failed", zap.String("user", cut(name, 64)))
		s.renderLogin(w, r, http.StatusUnauthorized, loginData{Name: name, Next: next, Error: "Wrong name or password."})
		return
	}
	// A fresh session on every login: a session id planted before the
	// login is worth nothing.
	s.ss.destroy(w, r)
	s.ss.create(w, res.user.Name, res.user.Role)
	s.log.Info("dashboard login", zap.String("user", res.user.Name), zap.String("role", string(res.user.Role)))
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.ss.secure})
	if next == "" {
		next = homeOf(res.user.Role)
	}
	redirect(w, r, next)
}

func homeOf(r Role) string {
	if r.Reviews() {
		return "/queue"
	}
	return "/stats"
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
