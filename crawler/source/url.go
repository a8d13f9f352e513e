package source

import (
	"fmt"
	"net/url"
	"strings"
)

// ResolveURL makes href absolute against base and returns it when it is
// an http(s) URL with a host, else nil. An absolute href is kept as
// written; a relative one needs a base (nil: dropped). Every link,
// permalink and author URL an adapter reads goes through it, so "https:"
// or " /path" mean the same to every source.
func ResolveURL(base *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" {
		return nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil
	}
	if !u.IsAbs() {
		if base == nil {
			return nil
		}
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}

// AbsoluteURL is ResolveURL as a string, "" when there is no URL.
func AbsoluteURL(base *url.URL, href string) string {
	if u := ResolveURL(base, href); u != nil {
		return u.String()
	}
	return ""
}

// ParseBaseURL reads the source's base_url, trailing slashes trimmed, as
// an absolute http(s) URL; def stands in when base_url is unset ("": it
// is required). want says what the kind expects, for the error
// ("https://t.me or a mirror").
func (c Config) ParseBaseURL(def, want string) (*url.URL, error) {
	raw := strings.TrimRight(c.BaseURL, "/")
	if c.BaseURL == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || raw == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("base_url: %q: want %s", c.BaseURL, want)
	}
	return u, nil
}
