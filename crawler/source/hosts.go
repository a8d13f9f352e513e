package source

import (
	"net"
	"net/url"
	"strings"
)

// ApprovedHosts lists the hosts this source may contact: BaseURL's host and
// every entry of Hosts, lowercased. An entry without a port approves the
// scheme's default port only (80 for http/ws, 443 for https/wss); an entry
// with a port approves exactly that port.
func (c Config) ApprovedHosts() []string {
	var hosts []string
	if u, err := url.Parse(c.BaseURL); err == nil && u.Host != "" {
		hosts = append(hosts, hostEntry(u))
	}
	for _, h := range c.Hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// hostEntry is u's host as an approval entry: the hostname alone when the
// port is the scheme's default, hostname:port otherwise.
func hostEntry(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || port == defaultPort(u.Scheme) {
		return host
	}
	return net.JoinHostPort(host, port)
}

func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// Approves reports whether u may be contacted for this source: an http,
// https, ws or wss URL whose host (and port) is approved.
func (c Config) Approves(u *url.URL) bool {
	return HostApproved(c.ApprovedHosts(), u)
}

// HostApproved reports whether u's scheme is http, https, ws or wss and
// its host matches one of the approval entries (see ApprovedHosts).
func HostApproved(approved []string, u *url.URL) bool {
	if u == nil || defaultPort(u.Scheme) == "" || u.Hostname() == "" || u.User != nil {
		return false
	}
	entry := hostEntry(u)
	for _, a := range approved {
		if a == entry {
			return true
		}
		// A bracketed IPv6 entry without port: compare the bare address.
		if strings.HasPrefix(a, "[") && strings.HasSuffix(a, "]") && strings.Trim(a, "[]") == entry {
			return true
		}
	}
	return false
}
