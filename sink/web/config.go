package web

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Role is what an account may do.
type Role string

const (
	// RoleModerator works the queue and acts on cases.
	RoleModerator Role = "moderator"
	// RoleResearcher sees statistics and downloads them, nothing else.
	RoleResearcher Role = "researcher"
	// RoleAdmin may do everything.
	RoleAdmin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleModerator, RoleResearcher, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Reviews reports whether r may see the queue, the cases, the sources and
// the audit trail, and act on cases.
func (r Role) Reviews() bool { return r == RoleModerator || r == RoleAdmin }

// Researches reports whether r may see the statistics and export them.
// Everyone may: the figures carry no handle and no crawled text.
func (r Role) Researches() bool { return r.Valid() }

// Config is the `sink.dashboard:` section.
type Config struct {
	// Users are the local accounts. Without any, the dashboard answers
	// every page with the login form and nobody can log in.
	Users []User `yaml:"users"`
	// SessionTTL is how long a login lasts without activity (default 12h).
	SessionTTL time.Duration `yaml:"session_ttl"`
}

// User is one local account; `handlewatch user add` prints one.
type User struct {
	Name string `yaml:"name"`
	Role Role   `yaml:"role"`
	// PasswordHash is a bcrypt hash, never the password.
	PasswordHash string `yaml:"password_hash"`
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	c.Users = slices.Clone(c.Users)
	return c
}

// Validate reports the first bad setting, naming its key.
func (c Config) Validate() error {
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		return fmt.Errorf("sink.dashboard.session_ttl: must be 1m to 30d")
	}
	seen := map[string]int{}
	for i, u := range c.Users {
		key := fmt.Sprintf("sink.dashboard.users[%d]", i)
		if err := validName(u.Name); err != nil {
			return fmt.Errorf("%s.name: %w", key, err)
		}
		if j, ok := seen[strings.ToLower(u.Name)]; ok {
			return fmt.Errorf("%s.name: %q is already users[%d]", key, u.Name, j)
		}
		seen[strings.ToLower(u.Name)] = i
		if !u.Role.Valid() {
			return fmt.Errorf("%s.role: %q: want moderator, researcher or admin", key, u.Role)
		}
		cost, err := bcrypt.Cost([]byte(u.PasswordHash))
		if err != nil {
			return fmt.Errorf("%s.password_hash: not a bcrypt hash (make one with `handlewatch user add`)", key)
		}
		if cost < MinCost {
			return fmt.Errorf("%s.password_hash: bcrypt cost %d is below %d", key, cost, MinCost)
		}
	}
	return nil
}

// MinCost is the lowest bcrypt cost accepted in the config.
const MinCost = bcrypt.DefaultCost

func validName(n string) error {
	if n == "" || len(n) > 64 {
		return fmt.Errorf("%q: 1 to 64 characters", n)
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '@') {
			return fmt.Errorf("%q: letters, digits, '-', '_', '.' and '@' only", n)
		}
	}
	return nil
}
