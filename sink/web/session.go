package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// maxSessions bounds the sessions kept; the oldest go first.
const maxSessions = 10000

// session is one login. Sessions live in this process: a deployment with
// several sink processes behind one address needs sticky sessions.
type session struct {
	user    string
	role    Role
	csrf    string
	expires time.Time
	flash   string // one message for the next page
}

// sessions keeps logins by the SHA-256 of their cookie value, so a dump
// of memory holds no usable cookie.
type sessions struct {
	ttl    time.Duration
	secure bool
	now    func() time.Time

	mu sync.Mutex
	m  map[[32]byte]*session
}

func newSessions(ttl time.Duration, secure bool, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, secure: secure, now: now, m: map[[32]byte]*session{}}
}

// cookieName: with HTTPS the __Host- prefix pins the cookie to this host,
// path / and Secure.
func (ss *sessions) cookieName() string {
	if ss.secure {
		return "__Host-hw_session"
	}
	return "hw_session"
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for user and sets its cookie.
func (ss *sessions) create(w http.ResponseWriter, user string, role Role) *session {
	tok := randomToken()
	s := &session{user: user, role: role, csrf: randomToken(), expires: ss.now().Add(ss.ttl)}
	ss.mu.Lock()
	if len(ss.m) >= maxSessions {
		ss.purge()
	}
	ss.m[sha256.Sum256([]byte(tok))] = s
	ss.mu.Unlock()
	http.SetCookie(w, ss.cookie(tok, int(ss.ttl/time.Second)))
	return s
}

func (ss *sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: ss.cookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: ss.secure, SameSite: http.SameSiteStrictMode}
}

// purge drops expired sessions, and if that is not enough, the ones
// expiring first. Called with mu held.
func (ss *sessions) purge() {
	now := ss.now()
	var oldestKey [32]byte
	var oldest time.Time
	for k, s := range ss.m {
		if now.After(s.expires) {
			delete(ss.m, k)
			continue
		}
		if oldest.IsZero() || s.expires.Before(oldest) {
			oldest, oldestKey = s.expires, k
		}
	}
	if len(ss.m) >= maxSessions {
		delete(ss.m, oldestKey)
	}
}

// get returns the request's live session and slides its expiry.
func (ss *sessions) get(r *http.Request) (*session, bool) {
	c, err := r.Cookie(ss.cookieName())
	if err != nil || c.Value == "" {
		return nil, false
	}
	key := sha256.Sum256([]byte(c.Value))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[key]
	if !ok {
		return nil, false
	}
	now := ss.now()
	if now.After(s.expires) {
		delete(ss.m, key)
		return nil, false
	}
	s.expires = now.Add(ss.ttl)
	cp := *s
	return &cp, true
}

// setFlash leaves a message for the session's next page.
func (ss *sessions) setFlash(r *http.Request, msg string) {
	ss.update(r, func(s *session) { s.flash = msg })
}

// takeFlash returns the session's message and forgets it.
func (ss *sessions) takeFlash(r *http.Request) string {
	var msg string
	ss.update(r, func(s *session) { msg, s.flash = s.flash, "" })
	return msg
}

func (ss *sessions) update(r *http.Request, fn func(*session)) {
	c, err := r.Cookie(ss.cookieName())
	if err != nil {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[sha256.Sum256([]byte(c.Value))]; ok {
		fn(s)
	}
}

// destroy ends the request's session and clears its cookie.
func (ss *sessions) destroy(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(ss.cookieName()); err == nil {
		ss.mu.Lock()
		delete(ss.m, sha256.Sum256([]byte(c.Value)))
		ss.mu.Unlock()
	}
	http.SetCookie(w, ss.cookie("", -1))
}

// sameToken compares two CSRF tokens in constant time.
func sameToken(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
