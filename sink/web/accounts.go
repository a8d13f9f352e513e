package web

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Throttling: after MaxFailures wrong passwords in a row an account is
// held for a delay that doubles with each further failure, up to
// MaxLockout. Only a right password after the delay resets it.
const (
	MaxFailures  = 5
	FirstLockout = 30 * time.Second
	MaxLockout   = 15 * time.Minute
	// maxTracked bounds the failure records (names tried that do not
	// exist count too, so that guessing names costs the same).
	maxTracked = 10000
)

// accounts checks passwords and throttles guessing per account.
type accounts struct {
	users map[string]User // by lower-case name
	dummy []byte          // a hash to compare against for unknown names
	now   func() time.Time

	mu       sync.Mutex
	failures map[string]*failure
}

type failure struct {
	n     int       // wrong passwords in a row
	until time.Time // no attempt is checked before this
}

func newAccounts(users []User, now func() time.Time) *accounts {
	a := &accounts{users: map[string]User{}, now: now, failures: map[string]*failure{}}
	for _, u := range users {
		a.users[strings.ToLower(u.Name)] = u
	}
	// Unknown names cost one bcrypt comparison too, so timing does not
	// tell which names exist.
	a.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)
	return a
}

// loginResult is the outcome of one attempt.
type loginResult struct {
	user  User
	ok    bool
	retry time.Duration // > 0: throttled, try again after this
}

// login checks name and password. While the account is held it checks
// nothing and says how long to wait.
func (a *accounts) login(name, password string) loginResult {
	key := strings.ToLower(strings.TrimSpace(name))
	now := a.now()
	a.mu.Lock()
	if f := a.failures[key]; f != nil && now.Before(f.until) {
		a.mu.Unlock()
		return loginResult{retry: f.until.Sub(now).Round(time.Second) + time.Second}
	}
	a.mu.Unlock()

	u, known := a.users[key]
	hash := a.dummy
	if known {
		hash = []byte(u.PasswordHash)
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	ok := known && match

	a.mu.Lock()
	defer a.mu.Unlock()
	if ok {
		delete(a.failures, key)
		return loginResult{user: u, ok: true}
	}
	f := a.failures[key]
	if f == nil {
		if len(a.failures) >= maxTracked {
			a.prune(now)
		}
		f = &failure{}
		a.failures[key] = f
	}
	f.n++
	if f.n >= MaxFailures {
		d := FirstLockout << min(f.n-MaxFailures, 10)
		f.until = now.Add(min(d, MaxLockout))
	}
	return loginResult{}
}

// prune drops the records no longer holding anyone, or if none, all: a
// flood of names must not grow memory without bound.
func (a *accounts) prune(now time.Time) {
	for k, f := range a.failures {
		if f.n < MaxFailures || now.After(f.until) {
			delete(a.failures, k)
		}
	}
	if len(a.failures) >= maxTracked {
		clear(a.failures)
	}
}

// role is the current role of an account, or "" when it is gone from
// the config.
func (a *accounts) role(name string) Role {
	return a.users[strings.ToLower(name)].Role
}
