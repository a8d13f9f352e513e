package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/handlewatch/handlewatch/sink/notify"
)

// Delivery is one request a receiver accepted.
type Delivery struct {
	Key     string // Idempotency-Key
	Body    []byte
	Payload notify.WebhookPayload
}

// Webhook is a receiver that checks every signature and fails on demand.
type Webhook struct {
	URL    string
	secret []byte

	mu        sync.Mutex
	failNext  int // answer the next n requests with failStatus
	delay     time.Duration
	failAll   bool
	status    int
	attempts  int
	badSig    int
	delivered []Delivery
}

// StartWebhook starts a receiver for deliveries signed with secret.
func StartWebhook(t testing.TB, secret string) *Webhook {
	w := &Webhook{secret: []byte(secret), status: http.StatusServiceUnavailable}
	srv := httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(srv.Close)
	w.URL = srv.URL + "/hook"
	return w
}

func (w *Webhook) serve(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	delay := w.delay
	w.mu.Unlock()
	time.Sleep(delay)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts++
	if err := notify.Verify(w.secret, r.Header.Get(notify.HeaderSignature), r.Header.Get(notify.HeaderTimestamp), body, time.Now(), 5*time.Minute); err != nil {
		w.badSig++
		http.Error(rw, err.Error(), http.StatusUnauthorized)
		return
	}
	if w.failAll || w.failNext > 0 {
		if w.failNext > 0 {
			w.failNext--
		}
		if w.status == http.StatusTooManyRequests {
			rw.Header().Set("Retry-After", "0")
		}
		http.Error(rw, "receiver down", w.status)
		return
	}
	d := Delivery{Key: r.Header.Get(notify.HeaderIdempotency), Body: body}
	if err := json.Unmarshal(body, &d.Payload); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.delivered = append(w.delivered, d)
	rw.WriteHeader(http.StatusNoContent)
}

// Delay makes every answer wait d: a slow receiver widens the windows in
// which two senders could race.
func (w *Webhook) Delay(d time.Duration) {
	w.mu.Lock()
	w.delay = d
	w.mu.Unlock()
}

// FailNext makes the next n requests fail with status.
func (w *Webhook) FailNext(n, status int) {
	w.mu.Lock()
	w.failNext, w.status = n, status
	w.mu.Unlock()
}

// FailAll makes every request fail with status (0 stops failing).
func (w *Webhook) FailAll(status int) {
	w.mu.Lock()
	w.failAll, w.status = status != 0, status
	w.mu.Unlock()
}

// Deliveries returns the accepted deliveries.
func (w *Webhook) Deliveries() []Delivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Delivery(nil), w.delivered...)
}

// Count is how many deliveries were accepted.
func (w *Webhook) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.delivered)
}

// Attempts is how many requests came, failed ones included.
func (w *Webhook) Attempts() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.attempts
}

// BadSignatures is how many requests failed signature verification.
func (w *Webhook) BadSignatures() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.badSig
}

// Slack is a stand-in for a Slack incoming webhook: it accepts JSON with
// text and blocks and answers "ok".
type Slack struct {
	URL string

	mu       sync.Mutex
	messages []map[string]any
	raw      [][]byte
}

// StartSlack starts the stand-in.
func StartSlack(t testing.TB) *Slack {
	s := &Slack{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil || m["blocks"] == nil {
			http.Error(rw, "invalid_payload", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.messages = append(s.messages, m)
		s.raw = append(s.raw, body)
		s.mu.Unlock()
		io.WriteString(rw, "ok")
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/services/T000/B000/XXXX"
	return s
}

// Count is how many messages arrived.
func (s *Slack) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Raw returns the bodies received.
func (s *Slack) Raw() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

// Mail is one message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // sent after STARTTLS
	User string // authenticated as
}

// SMTP is a real SMTP server on loopback.
type SMTP struct {
	Host   string
	Port   int
	CAFile string // PEM of the self-signed certificate, for the client's ca_file
	Pool   *x509.CertPool

	user, pass string

	mu       sync.Mutex
	mails    []Mail
	authFail int
	noTLS    int // MAIL attempts refused for lack of TLS
}

// SMTPOptions configure StartSMTP.
type SMTPOptions struct {
	User, Password string // required credentials
	NoTLS          bool   // do not offer STARTTLS
}

// StartSMTP starts a server that offers STARTTLS (unless NoTLS) and
// requires AUTH PLAIN with the given credentials over TLS before MAIL.
func StartSMTP(t testing.TB, o SMTPOptions) *SMTP {
	s := &SMTP{user: o.User, pass: o.Password}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: s, conn: c, noTLS: o.NoTLS}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = o.NoTLS
	if !o.NoTLS {
		cert, pemData := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.CAFile = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(s.CAFile, pemData, 0o600); err != nil {
			t.Fatal(err)
		}
		s.Pool = x509.NewCertPool()
		s.Pool.AppendCertsFromPEM(pemData)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	return s
}

// Mails returns the accepted messages.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Count is how many messages were accepted.
func (s *SMTP) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

// AuthFailures is how many AUTH attempts failed.
func (s *SMTP) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFail
}

type session struct {
	srv   *SMTP
	conn  *smtp.Conn
	noTLS bool
	user  string
	from  string
	to    []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.user || password != s.srv.pass {
			s.srv.mu.Lock()
			s.srv.authFail++
			s.srv.mu.Unlock()
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) tls() bool {
	_, ok := s.conn.TLSConnectionState()
	return ok
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.noTLS && !s.tls() {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue STARTTLS first"}
	}
	if s.srv.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, Mail{From: s.from, To: s.to, Data: b, TLS: s.tls(), User: s.user})
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned(t testing.TB) (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "handlewatch test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemData
}
