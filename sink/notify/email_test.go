package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/sink/notify"
	"github.com/handlewatch/handlewatch/sink/notify/notifytest"
)

func emailer(t *testing.T, srv *notifytest.SMTP, mode, pass string) *notify.Email {
	t.Helper()
	o := notify.EmailOptions{Name: "mail", Host: srv.Host, Port: srv.Port, Username: "moderators", Password: pass,
		From: "handlewatch <alerts@example.org>", To: []string{"queue@example.org", "Lead <lead@example.org>"},
		StartTLS: mode, Timeout: 5 * time.Second, Now: func() time.Time { return t0 }}
	if srv.Pool != nil {
		o.TLS = &tls.Config{RootCAs: srv.Pool}
	}
	e, err := notify.NewEmail(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEmailOverSTARTTLSWithAuth(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{User: "moderators", Password: "pw"})
	d := notify.NewDestination(emailer(t, srv, notify.StartTLSRequired, "pw"), notify.DestinationOptions{Retry: fast})
	a := hostile()
	if out := d.Dispatch(context.Background(), a); !out.Delivered {
		t.Fatalf("outcome %+v", out)
	}
	ms := srv.Mails()
	if len(ms) != 1 || !ms[0].TLS || ms[0].User != "moderators" || ms[0].From != "alerts@example.org" || len(ms[0].To) != 2 {
		t.Fatalf("mails %+v", ms)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(ms[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subj := msg.Header.Get("Subject")
	if subj != "[handlewatch] New case: wickr, severity high" {
		t.Fatalf("subject %q", subj)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<hw-") || !strings.HasSuffix(id, "@example.org>") {
		t.Fatalf("Message-ID %q", id)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Fatalf("Date: %v", err)
	}
	for k, vs := range msg.Header {
		for _, v := range vs {
			if strings.Contains(v, "evil") || strings.Contains(v, "placeholder") {
				t.Fatalf("crawled text in header %s: %q", k, v)
			}
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Case:       " + a.CaseID, "⟦wickr: placeholder_01⟧", "http://127.0.0.1:8099/p?a=1&b=<x>|y", a.URL, "never fetches or stores media"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestEmailFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong password is permanent", func(t *testing.T) {
		srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{User: "moderators", Password: "pw"})
		d := notify.NewDestination(emailer(t, srv, notify.StartTLSRequired, "nope"), notify.DestinationOptions{Retry: fast})
		out := d.Dispatch(ctx, testAlert())
		var e *notify.Error
		if out.Delivered || out.Attempts != 1 || !errors.As(out.Err, &e) || !e.Permanent || srv.AuthFailures() != 1 {
			t.Fatalf("outcome %+v auth failures %d", out, srv.AuthFailures())
		}
	})
	t.Run("required STARTTLS not offered", func(t *testing.T) {
		srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{NoTLS: true})
		d := notify.NewDestination(emailer(t, srv, notify.StartTLSRequired, ""), notify.DestinationOptions{Retry: fast})
		if out := d.Dispatch(ctx, testAlert()); out.Delivered || out.Attempts != 1 || srv.Count() != 0 {
			t.Fatalf("outcome %+v", out)
		}
	})
	t.Run("untrusted certificate is permanent", func(t *testing.T) {
		srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{User: "moderators", Password: "pw"})
		srv.Pool = nil // the client does not trust the test CA
		d := notify.NewDestination(emailer(t, srv, notify.StartTLSOpportunistic, "pw"), notify.DestinationOptions{Retry: fast})
		if out := d.Dispatch(ctx, testAlert()); out.Delivered || out.Attempts != 1 {
			t.Fatalf("outcome %+v", out)
		}
	})
	t.Run("opportunistic without TLS on loopback", func(t *testing.T) {
		srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{NoTLS: true, User: "moderators", Password: "pw"})
		d := notify.NewDestination(emailer(t, srv, notify.StartTLSOpportunistic, "pw"), notify.DestinationOptions{Retry: fast})
		if out := d.Dispatch(ctx, testAlert()); !out.Delivered || srv.Count() != 1 || srv.Mails()[0].TLS {
			t.Fatalf("outcome %+v", out)
		}
	})
	t.Run("server down is retried", func(t *testing.T) {
		e, err := notify.NewEmail(notify.EmailOptions{Name: "m", Host: "127.0.0.1", Port: 1, From: "a@example.org",
			To: []string{"b@example.org"}, StartTLS: notify.StartTLSNone, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		d := notify.NewDestination(e, notify.DestinationOptions{Retry: fast})
		if out := d.Dispatch(ctx, testAlert()); out.Delivered || out.Attempts != fast.Attempts {
			t.Fatalf("outcome %+v", out)
		}
	})
}

func TestEmailDigest(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{User: "moderators", Password: "pw"})
	d := notify.NewDestination(emailer(t, srv, notify.StartTLSRequired, "pw"), notify.DestinationOptions{Digest: true, Retry: fast})
	a, b := testAlert(), hostile()
	b.CaseID = "wickr-other"
	d.Dispatch(context.Background(), a)
	d.Dispatch(context.Background(), b)
	if out, ok := d.Flush(context.Background()); !ok || !out.Delivered || srv.Count() != 1 {
		t.Fatalf("flush %+v", out)
	}
	msg, _ := mail.ReadMessage(bytes.NewReader(srv.Mails()[0].Data))
	if s := msg.Header.Get("Subject"); s != "[handlewatch] Digest: 2 cases" {
		t.Fatalf("subject %q", s)
	}
}

func TestEmailBodyGolden(t *testing.T) {
	golden(t, "email_alert.txt", []byte(notify.EmailBody(notify.Single(testAlert()))))
}

func TestNewEmailValidates(t *testing.T) {
	for _, o := range []notify.EmailOptions{
		{From: "not an address", To: []string{"a@example.org"}, StartTLS: "none"},
		{From: "a@example.org", StartTLS: "none"},
		{From: "a@example.org", To: []string{"b@example.org"}, StartTLS: "sometimes"},
	} {
		if _, err := notify.NewEmail(o); err == nil {
			t.Errorf("NewEmail(%+v) accepted", o)
		}
	}
}
