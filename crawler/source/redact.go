package source

import (
	"net/url"
	"strings"
)

// secretParams are query parameters that carry credentials on the
// platforms we crawl (Tumblr's api_key must travel in the query string).
var secretParams = []string{"api_key", "apikey", "access_token", "token", "key", "client_secret", "password", "sig", "signature"}

// RedactURL is url.URL.Redacted that also hides credential query
// parameters, so no error, log line or pause reason carries a secret.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.RawQuery == "" {
		return u.Redacted()
	}
	q := u.Query()
	changed := false
	for k := range q {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				q.Set(k, "xxxxx")
				changed = true
			}
		}
	}
	if !changed {
		return u.Redacted()
	}
	c := *u
	c.RawQuery = q.Encode()
	return c.Redacted()
}
