package fetch

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// forbiddenPrefixes are ranges no crawl may reach besides what netip's
// predicates already catch: CGNAT, "this network", IETF and documentation
// blocks, benchmarking, reserved, Teredo, discard and site-local.
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fec0::/10"),
}

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	nat64l = netip.MustParsePrefix("64:ff9b:1::/48")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// ForbiddenAddr reports whether ip is private, loopback, link-local,
// CGNAT, unique-local, multicast, unspecified or reserved — including an
// IPv4 address mapped or embedded (NAT64, 6to4) in IPv6.
func ForbiddenAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.Zone() != "" {
		return true
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip), nat64l.Contains(ip):
			return ForbiddenAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixTo4.Contains(ip):
			return ForbiddenAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	if ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return true
	}
	return false
}

// checkDialAddr refuses a forbidden address: it runs in the dialer on the
// address actually dialled, after DNS, so no name can smuggle one in.
func checkDialAddr(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return refused(address, ReasonPrivate, "dialling %q: not an IP address", address)
	}
	if ForbiddenAddr(ip) {
		return refused(address, ReasonPrivate, "%s resolves to a private or reserved address; set crawler.allow_private_networks only for tests and the demo", ip)
	}
	return nil
}

// NewDialer returns a dialer that refuses forbidden addresses unless
// allowPrivate.
func NewDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			return checkDialAddr(address)
		}
	}
	return d
}

// NewTransport returns the production transport: the guarded dialer, no
// proxy from the environment (a proxy would hide the dialled address),
// HTTP/2 and bounded timeouts.
func NewTransport(allowPrivate bool, responseHeaderTimeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           NewDialer(allowPrivate).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// guard is one source's RoundTripper: every request it carries, redirect
// hops included, goes to an approved host and never to a private address
// given as a literal; a gzip body the server sent unasked is decoded here
// so the body cap counts decoded bytes.
type guard struct {
	base         http.RoundTripper
	approved     []string
	allowPrivate bool
	// robots, when set, vets each redirect hop against robots.txt too.
	robots func(ctx context.Context, u *url.URL) error
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.check(req.URL); err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols && !resp.Uncompressed &&
		strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") &&
		req.Method != http.MethodHead {
		resp.Body = &gzipBody{raw: resp.Body}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
	// colly decodes gzip itself when Uncompressed is false, after its
	// size limit: never let it.
	resp.Uncompressed = true
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// check applies the approval, scheme, media and literal-address rules.
func (g *guard) check(u *url.URL) error {
	return checkURL(u, g.approved, g.allowPrivate)
}

func checkURL(u *url.URL, approved []string, allowPrivate bool) error {
	raw := source.RedactURL(u)
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss":
	default:
		return refused(raw, ReasonScheme, "scheme %q", u.Scheme)
	}
	if !source.HostApproved(approved, u) {
		return refused(raw, ReasonHost, "approved: %s", strings.Join(approved, ", "))
	}
	if !source.IsFetchableURL(u) {
		return refused(raw, ReasonMedia, "")
	}
	if !allowPrivate {
		if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && ForbiddenAddr(ip) {
			return refused(raw, ReasonPrivate, "%s is a private or reserved address; set crawler.allow_private_networks only for tests and the demo", ip)
		}
	}
	return nil
}

// maxRedirects bounds a redirect chain (RFC 9309 asks robots.txt readers
// to follow at least five).
const maxRedirects = 5

// checkRedirect vets every redirect hop before it is followed.
func (g *guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return refused(source.RedactURL(req.URL), ReasonRedirects, "more than %d redirects", maxRedirects)
	}
	if err := g.check(req.URL); err != nil {
		return fmt.Errorf("not following redirect from %s: %w", source.RedactURL(via[len(via)-1].URL), err)
	}
	if prev := via[len(via)-1]; !strings.EqualFold(prev.URL.Host, req.URL.Host) {
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
	}
	if g.robots != nil && robotsApply(req.Method, req.Header) {
		if err := g.robots(req.Context(), req.URL); err != nil {
			return fmt.Errorf("not following redirect from %s: %w", source.RedactURL(via[len(via)-1].URL), err)
		}
	}
	return nil
}

// gzipBody decodes a gzip stream lazily, so an empty body is not an error
// until read.
type gzipBody struct {
	raw io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (b *gzipBody) Read(p []byte) (int, error) {
	if b.zr == nil && b.err == nil {
		b.zr, b.err = gzip.NewReader(b.raw)
		if b.err != nil {
			b.err = fmt.Errorf("decoding gzip body: %w", b.err)
		}
	}
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.zr.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("decoding gzip body: %w", err)
	}
	return n, err
}

func (b *gzipBody) Close() error { return b.raw.Close() }
