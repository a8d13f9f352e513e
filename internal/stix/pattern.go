package stix

import (
	"errors"
	"fmt"
	"strings"
)

// AccountPattern is the STIX pattern of one messaging account:
// [user-account:account_type = 'app' AND user-account:account_login = 'login'].
func AccountPattern(accountType, login string) string {
	return "[user-account:account_type = " + quote(accountType) + " AND user-account:account_login = " + quote(login) + "]"
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ErrPatternShape means the pattern is valid STIX, perhaps, but not the one
// shape we act on.
var ErrPatternShape = errors.New("only [user-account:account_type = '…' AND user-account:account_login = '…'] is understood")

// ParseAccountPattern reads the pattern AccountPattern writes, with the
// comparisons in either order and any spacing; user_id stands in for a
// missing account_login. Anything wider (OR, other objects, operators
// other than '=', qualifiers) is refused: acting on half of a pattern
// would put the wrong account on the watchlist.
func ParseAccountPattern(p string) (accountType, login string, err error) {
	s := strings.TrimSpace(p)
	inner, ok := strings.CutPrefix(s, "[")
	if !ok {
		return "", "", fmt.Errorf("pattern %q: %w", truncate(p, 80), ErrPatternShape)
	}
	inner, ok = strings.CutSuffix(inner, "]")
	if !ok {
		return "", "", fmt.Errorf("pattern %q: %w", truncate(p, 80), ErrPatternShape)
	}
	props := map[string]string{}
	rest := inner
	for i := 0; ; i++ {
		if i > 3 {
			return "", "", fmt.Errorf("pattern %q: too many comparisons: %w", truncate(p, 80), ErrPatternShape)
		}
		var path, val string
		path, val, rest, err = comparison(rest)
		if err != nil {
			return "", "", fmt.Errorf("pattern %q: %w", truncate(p, 80), err)
		}
		prop, ok := strings.CutPrefix(path, "user-account:")
		if !ok || (prop != "account_type" && prop != "account_login" && prop != "user_id") {
			return "", "", fmt.Errorf("pattern %q: property %s: %w", truncate(p, 80), path, ErrPatternShape)
		}
		if _, dup := props[prop]; dup {
			return "", "", fmt.Errorf("pattern %q: %s compared twice", truncate(p, 80), prop)
		}
		props[prop] = val
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		after, ok := strings.CutPrefix(rest, "AND")
		if !ok || after == "" || (after[0] != ' ' && after[0] != '\t' && after[0] != '\n') {
			return "", "", fmt.Errorf("pattern %q: %w", truncate(p, 80), ErrPatternShape)
		}
		rest = after
	}
	accountType, login = props["account_type"], props["account_login"]
	if login == "" {
		login = props["user_id"]
	}
	if accountType == "" || login == "" {
		return "", "", fmt.Errorf("pattern %q: needs account_type and account_login: %w", truncate(p, 80), ErrPatternShape)
	}
	return accountType, login, nil
}

// comparison reads "object:path = 'value'" from the front of s.
func comparison(s string) (path, val, rest string, err error) {
	s = strings.TrimLeft(s, " \t\n\r")
	i := strings.IndexAny(s, " \t\n\r=")
	if i <= 0 {
		return "", "", "", ErrPatternShape
	}
	path, s = s[:i], strings.TrimLeft(s[i:], " \t\n\r")
	s, ok := strings.CutPrefix(s, "=")
	if !ok {
		return "", "", "", fmt.Errorf("%s: only '=' is understood: %w", path, ErrPatternShape)
	}
	s = strings.TrimLeft(s, " \t\n\r")
	if !strings.HasPrefix(s, "'") {
		return "", "", "", fmt.Errorf("%s: want a quoted string", path)
	}
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		switch c := s[j]; c {
		case '\\':
			if j+1 >= len(s) || (s[j+1] != '\\' && s[j+1] != '\'') {
				return "", "", "", fmt.Errorf("%s: bad escape in string", path)
			}
			b.WriteByte(s[j+1])
			j++
		case '\'':
			return path, b.String(), s[j+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", "", fmt.Errorf("%s: unterminated string", path)
}
