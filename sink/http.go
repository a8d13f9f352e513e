package sink

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// routes is the JSON API, one handler per file (case_*.go). Crawled text
// leaves here JSON-encoded only, under a CSP that forbids everything.
func (s *Sink) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /api/cases", s.read(s.listCases))
	mux.Handle("GET /api/cases/{id}", s.read(s.getCase))
	mux.Handle("POST /api/cases/{id}/decision", s.write(s.decideCase))
	mux.Handle("GET /api/cases/{id}/hotline-draft", s.read(s.hotlineDraft))
	mux.Handle("GET /api/stats", s.read(s.hooks.stats.Handler().ServeHTTP))
	mux.Handle("GET /api/cases/{id}/links", s.read(s.caseLinks))
	mux.Handle("GET /api/cases/{id}/links.svg", s.read(s.caseLinksSVG))
	if s.signals.TAXII() != nil {
		// TAXII has its own partner tokens and media type.
		mux.Handle("/taxii2/", s.signals.TAXII())
	}
	// The same paths without a method answer 405 in JSON rather than the
	// mux's plain text.
	mux.Handle("/api/cases", methodNotAllowed("GET, HEAD"))
	mux.Handle("/api/cases/{id}", methodNotAllowed("GET, HEAD"))
	mux.Handle("/api/cases/{id}/decision", methodNotAllowed("POST"))
	mux.Handle("/api/cases/{id}/hotline-draft", methodNotAllowed("GET, HEAD"))
	mux.Handle("/api/stats", methodNotAllowed("GET, HEAD"))
	mux.Handle("/api/cases/{id}/links", methodNotAllowed("GET, HEAD"))
	mux.Handle("/api/cases/{id}/links.svg", methodNotAllowed("GET, HEAD"))
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such resource")
	}))
	return s.withDashboard(secureHeaders(mux))
}

// secureHeaders sets on every response what keeps crawled text inert in
// a browser.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func methodNotAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use "+allow)
	})
}

// read guards a read-only endpoint: open when no token is configured,
// bearer token otherwise.
func (s *Sink) read(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token != "" && !s.authorized(r) {
			unauthorized(w)
			return
		}
		h(w, r)
	})
}

// write guards an endpoint that records something: it needs the token,
// and without one configured the API refuses and says how to enable it.
func (s *Sink) write(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token == "" {
			writeError(w, http.StatusForbidden, "the API is read-only: no API token is configured "+
				"(set sink.api_token_env to the name of an environment variable holding one)")
			return
		}
		if !s.authorized(r) {
			unauthorized(w)
			return
		}
		h(w, r)
	})
}

func (s *Sink) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	// Hashing first makes the comparison constant-time in the length too.
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(s.token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="handlewatch"`)
	writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
}

type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // <, > and & in crawled text as \u003c…
	_ = enc.Encode(v)
}

// serverError logs the cause once and tells the client little.
func (s *Sink) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("api request failed", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	writeError(w, http.StatusInternalServerError, "internal error")
}

// caseFor loads the case named in the path, answering 404 itself.
func (s *Sink) caseFor(w http.ResponseWriter, r *http.Request) (*cases.Case, bool) {
	id := r.PathValue("id")
	if !validCaseID(id) {
		writeError(w, http.StatusNotFound, "no such case")
		return nil, false
	}
	c, err := s.cases.Get(r.Context(), id)
	if errors.Is(err, cases.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such case")
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return c, true
}

// validCaseID checks the shape wire.CaseKey gives: app, '-', 16 hex.
func validCaseID(id string) bool {
	app, h, ok := strings.Cut(id, "-")
	if !ok || !wire.IsApp(app) || len(h) != 16 {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
