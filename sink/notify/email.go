package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// STARTTLS policies.
const (
	StartTLSRequired      = "required"      // no TLS, no delivery
	StartTLSOpportunistic = "opportunistic" // TLS when the server offers it
	StartTLSNone          = "none"          // plain text (a local relay)
)

// EmailOptions configure an Email notifier.
type EmailOptions struct {
	Name     string
	Host     string
	Port     int
	Username string // empty: no AUTH
	Password string
	From     string
	To       []string
	StartTLS string      // required, opportunistic or none
	TLS      *tls.Config // RootCAs for a private CA; ServerName defaults to Host
	Timeout  time.Duration
	Now      func() time.Time
}

// Email sends alerts as plain-text e-mail over SMTP.
type Email struct {
	o    EmailOptions
	from *mail.Address
	to   []*mail.Address
}

var _ Notifier = (*Email)(nil)

// NewEmail checks the addresses and returns the notifier.
func NewEmail(o EmailOptions) (*Email, error) {
	from, err := mail.ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", o.From, err)
	}
	e := &Email{o: o, from: from}
	for _, t := range o.To {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return nil, fmt.Errorf("to %q: %w", t, err)
		}
		e.to = append(e.to, a)
	}
	if len(e.to) == 0 {
		return nil, errors.New("no recipients")
	}
	switch o.StartTLS {
	case StartTLSRequired, StartTLSOpportunistic, StartTLSNone:
	default:
		return nil, fmt.Errorf("starttls %q: want required, opportunistic or none", o.StartTLS)
	}
	if e.o.Timeout == 0 {
		e.o.Timeout = 30 * time.Second
	}
	if e.o.Now == nil {
		e.o.Now = time.Now
	}
	return e, nil
}

func (e *Email) Name() string { return e.o.Name }
func (e *Email) Kind() string { return "email" }

func (e *Email) Send(ctx context.Context, m Message) error {
	msg, err := e.compose(m)
	if err != nil {
		return Permanent(err)
	}
	return e.send(ctx, msg)
}

func (e *Email) send(ctx context.Context, msg []byte) error {
	addr := net.JoinHostPort(e.o.Host, strconv.Itoa(e.o.Port))
	dctx, cancel := context.WithTimeout(ctx, e.o.Timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", addr, err)
	}
	deadline, _ := dctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(dctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, e.o.Host)
	if err != nil {
		conn.Close()
		return smtpError("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(localName()); err != nil {
		return smtpError("EHLO", err)
	}
	secure := false
	if e.o.StartTLS != StartTLSNone {
		if ok, _ := c.Extension("STARTTLS"); ok {
			cfg := e.tlsConfig()
			if err := c.StartTLS(cfg); err != nil {
				// A certificate that does not verify is a configuration
				// problem: retrying will not fix it.
				var cve *tls.CertificateVerificationError
				if errors.As(err, &cve) {
					return Permanent(fmt.Errorf("STARTTLS with %s: %w", addr, err))
				}
				return smtpError("STARTTLS", err)
			}
			secure = true
		} else if e.o.StartTLS == StartTLSRequired {
			return Permanent(fmt.Errorf("%s does not offer STARTTLS and sink.email starttls is required", addr))
		}
	}
	if e.o.Username != "" {
		if !secure && !isLoopback(e.o.Host) {
			return Permanent(fmt.Errorf("refusing to send the password to %s without TLS", addr))
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return Permanent(fmt.Errorf("%s offers no AUTH", addr))
		}
		if err := c.Auth(saslAuth{sasl.NewPlainClient("", e.o.Username, e.o.Password)}); err != nil {
			return smtpError("AUTH", err)
		}
	}
	if err := c.Mail(e.from.Address); err != nil {
		return smtpError("MAIL FROM", err)
	}
	for _, t := range e.to {
		if err := c.Rcpt(t.Address); err != nil {
			return smtpError("RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpError("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return smtpError("DATA", err)
	}
	if err := c.Quit(); err != nil {
		// The message is accepted once DATA is; a failing QUIT must not
		// make us send it again.
		return nil
	}
	return nil
}

func (e *Email) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if e.o.TLS != nil {
		cfg = e.o.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = e.o.Host
	}
	return cfg
}

// smtpError: 5xx replies are permanent, 4xx and network errors are
// retried.
func smtpError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(fmt.Errorf("%s: %w", step, err))
	}
	return fmt.Errorf("%s: %w", step, err)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func localName() string {
	// EHLO names this host to the relay; "localhost" is what net/smtp
	// would send and gives nothing away.
	return "localhost"
}

// saslAuth adapts a go-sasl client to net/smtp.
type saslAuth struct{ c sasl.Client }

func (a saslAuth) Start(_ *smtp.ServerInfo) (string, []byte, error) { return a.c.Start() }

func (a saslAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	return a.c.Next(fromServer)
}

// compose builds the RFC 5322 message. Headers carry no crawled text: the
// subject names the app and severity only.
func (e *Email) compose(m Message) ([]byte, error) {
	var subject string
	if m.Digest {
		subject = fmt.Sprintf("[handlewatch] Digest: %d cases", len(m.Alerts))
	} else {
		a := m.Alerts[0]
		subject = "[handlewatch] " + a.Summary()
		if !wordSafe(a.App) || !wordSafe(string(a.Severity)) {
			return nil, fmt.Errorf("unexpected characters in app %q or severity %q", a.App, a.Severity)
		}
	}
	var to []string
	for _, t := range e.to {
		to = append(to, t.String())
	}
	domain := e.from.Address[strings.LastIndexByte(e.from.Address, '@')+1:]
	sum := sha256.Sum256([]byte(m.Key))
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", e.from.String())
	h("To", strings.Join(to, ", "))
	h("Subject", subject)
	h("Date", e.o.Now().Format(time.RFC1123Z))
	// The same alert always has the same Message-ID, so a retry after an
	// ambiguous failure is recognised by mail systems that dedupe on it.
	h("Message-ID", "<hw-"+hex.EncodeToString(sum[:16])+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	if !m.Digest {
		h("X-Handlewatch-Case", m.Alerts[0].CaseID)
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(EmailBody(m))); err != nil {
		return nil, fmt.Errorf("encoding body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encoding body: %w", err)
	}
	return b.Bytes(), nil
}

func wordSafe(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// EmailBody is the plain-text body for m.
func EmailBody(m Message) string {
	var b strings.Builder
	if m.Digest {
		fmt.Fprintf(&b, "handlewatch digest: %d cases since %s\n\n", len(m.Alerts), m.Since.UTC().Format(time.RFC3339))
		for i, a := range m.Alerts {
			if i == 500 {
				fmt.Fprintf(&b, "...and %d more: see the review queue.\n", len(m.Alerts)-500)
				break
			}
			fmt.Fprintf(&b, "- %s %s, severity %s, %d sightings: %s\n  %s\n", a.App, line(a.Handle), a.Severity,
				a.Sightings, strings.Join(a.Reasons, "; "), a.URL)
		}
		b.WriteString("\nText only: handlewatch never fetches or stores media.\n")
		return b.String()
	}
	a := m.Alerts[0]
	fmt.Fprintf(&b, "handlewatch alert: %s\n\n", strings.Join(a.Reasons, "; "))
	row := func(k, v string) { fmt.Fprintf(&b, "%-11s %s\n", k+":", v) }
	row("Case", a.CaseID)
	row("App", a.App)
	row("Handle", line(a.Handle))
	row("Severity", fmt.Sprintf("%s (score %.2f)", a.Severity, a.Score))
	row("Status", a.Status)
	row("Sightings", fmt.Sprintf("%d from %d sources, %d authors", a.Sightings, a.Sources, a.Authors))
	row("First seen", a.FirstSeen.UTC().Format(time.RFC3339))
	row("Last seen", a.LastSeen.UTC().Format(time.RFC3339))
	if a.Excerpt.Text != "" {
		fmt.Fprintf(&b, "\nEvidence%s, matched parts between %s and %s:\n\n", emailSource(a.Source), MarkOpen, MarkClose)
		for _, line := range strings.Split(Mark(a.Excerpt, MarkOpen, MarkClose, plain), "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
	if len(a.Permalinks) > 0 {
		b.WriteString("\nPosts:\n")
		for _, p := range a.Permalinks {
			b.WriteString("    " + line(p) + "\n")
		}
	}
	fmt.Fprintf(&b, "\nOpen the case: %s\n\nText only: handlewatch never fetches or stores media.\n", a.URL)
	return b.String()
}

func emailSource(src string) string {
	if src == "" {
		return ""
	}
	return " (posted on " + line(src) + ")"
}

// plain drops control characters other than newline and tab from crawled
// text so it cannot mangle the message.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "�"))
}

// line is plain text forced onto one line.
func line(s string) string { return strings.NewReplacer("\n", " ", "\t", " ").Replace(plain(s)) }
