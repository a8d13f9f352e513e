package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options build a Server.
type Options struct {
	Config  Config
	Backend Backend
	Log     *zap.Logger
	// Secure marks the cookies Secure (and __Host-): set it when the
	// dashboard is served over HTTPS.
	Secure bool
	Now    func() time.Time
}

// Server is the dashboard.
type Server struct {
	b        Backend
	log      *zap.Logger
	acc      *accounts
	ss       *sessions
	pages    map[string]*template.Template
	now      func() time.Time
	handler  http.Handler
	static   fs.FS
	cfgUsers int
}

// New builds the dashboard, checking the config (defaults filled in).
func New(o Options) (*Server, error) {
	if o.Backend == nil {
		return nil, errors.New("web: no backend")
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg := o.Config.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{b: o.Backend, log: o.Log, now: o.Now, acc: newAccounts(cfg.Users, o.Now),
		ss: newSessions(cfg.SessionTTL, o.Secure, o.Now), cfgUsers: len(cfg.Users)}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.static, err = fs.Sub(staticFS, "static"); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler serves every dashboard page.
func (s *Server) Handler() http.Handler { return s.handler }

var pageNames = []string{"login", "queue", "bulk", "case", "stats", "sources", "audit", "error"}

func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parsing template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// view is what every page template gets.
type view struct {
	Title string
	Nav   string // the menu entry to mark
	User  string
	Role  Role
	CSRF  string
	Flash string
	Data  any
}

type ctxKey struct{}

func withSession(ctx context.Context, s *session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// sessionOf is the request's session; handlers behind requireLogin always
// have one.
func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(ctxKey{}).(*session)
	return s
}

// render writes a page. The template runs into a buffer first, so an
// error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	v := view{Title: title, Nav: nav, Data: data}
	if se := sessionOf(r); se != nil {
		v.User, v.Role, v.CSRF = se.user, se.role, se.csrf
		v.Flash = s.ss.takeFlash(r)
	}
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("rendering page failed", zap.String("page", page), zap.Error(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail shows an error page with a short message for the person.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", http.StatusText(status), "", msg)
}

// serverError logs the cause once and shows little.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("dashboard request failed", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	s.fail(w, r, http.StatusInternalServerError, "Something went wrong; the cause is in the sink's log.")
}

// redirect answers a form with 303 See Other (Post/Redirect/Get).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath accepts only a path on this site as a redirect target.
func localPath(p, def string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return def
	}
	return p
}
