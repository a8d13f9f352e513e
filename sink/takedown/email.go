package takedown

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// email sends notices by SMTP submission: to the target's abuse addresses
// (channel email, one message per post) or to the messaging app's abuse
// address (channel app_abuse, one message per handle). PLAIN
// authentication only ever crosses TLS (STARTTLS or implicit), except to a
// loopback server with tls: none.
type email struct {
	smtp     SMTPConfig
	password string
	tls      *tls.Config
	to       []string          // email
	contacts map[string]string // app_abuse
	now      func() time.Time
}

var _ channel = (*email)(nil)

func (c *email) recipients(r Request) []string {
	if c.contacts != nil {
		if addr := c.contacts[r.App]; addr != "" {
			return []string{addr}
		}
		return nil
	}
	return c.to
}

func (c *email) render(_ context.Context, r Request, n notice, _ bool) (rendered, error) {
	to := c.recipients(r)
	if len(to) == 0 {
		return rendered{}, &sendError{kind: errPermanent, msg: "no abuse address for " + r.App}
	}
	domain := c.smtp.From[strings.LastIndexByte(c.smtp.From, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", c.smtp.From)
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", n.subject))
	header("Date", n.data.Now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+r.ID+"."+strconv.Itoa(n.data.Notice)+"@"+domain+">")
	if n.data.Notice > 1 {
		header("In-Reply-To", "<"+r.ID+".1@"+domain+">")
	}
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	header("X-Handlewatch-Request", r.ID)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(n.text, "\r\n", "\n")
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")); err != nil {
		return rendered{}, err
	}
	if err := qp.Close(); err != nil {
		return rendered{}, err
	}
	return rendered{from: c.smtp.From, to: to, message: b.Bytes()}, nil
}

func (c *email) send(ctx context.Context, n rendered) (ack, error) {
	addr := net.JoinHostPort(c.smtp.Host, strconv.Itoa(c.smtp.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return ack{}, &sendError{kind: errTransient, msg: "connecting to " + addr + ": " + err.Error()}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tls != nil {
		tlsConfig = c.tls.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = c.smtp.Host
	}
	var cl *smtp.Client
	switch c.smtp.TLS {
	case "implicit":
		cl = smtp.NewClient(tls.Client(conn, tlsConfig))
	case "none":
		cl = smtp.NewClient(conn)
	default:
		if cl, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			conn.Close()
			return ack{}, smtpError("starting TLS with "+addr, err)
		}
	}
	defer cl.Close()
	if c.smtp.Username != "" {
		if err := cl.Auth(sasl.NewPlainClient("", c.smtp.Username, c.password)); err != nil {
			return ack{}, smtpError("authenticating to "+addr, err)
		}
	}
	if err := cl.Mail(n.from, nil); err != nil {
		return ack{}, smtpError("MAIL FROM", err)
	}
	for _, to := range n.to {
		if err := cl.Rcpt(to, nil); err != nil {
			return ack{}, smtpError("RCPT TO "+to, err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return ack{}, smtpError("DATA", err)
	}
	if _, err := w.Write(n.message); err != nil {
		return ack{}, smtpError("writing message", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return ack{}, smtpError("ending message", err)
	}
	_ = cl.Quit()
	return ack{detail: "smtp " + addr + ": 250 " + resp.StatusText}, nil
}

// smtpError sorts an SMTP failure: 4xx replies and network errors are
// transient, 535 and 530 refused credentials, other 5xx permanent.
func smtpError(what string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		kind := errPermanent
		switch {
		case se.Code >= 400 && se.Code < 500:
			kind = errTransient
		case se.Code == 535 || se.Code == 530:
			kind = errAuth
		}
		return &sendError{kind: kind, msg: fmt.Sprintf("%s: %d %s", what, se.Code, se.Message)}
	}
	return &sendError{kind: errTransient, msg: what + ": " + err.Error()}
}
