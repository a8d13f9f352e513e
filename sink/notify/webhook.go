package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Webhook headers. The signature is HMAC-SHA256 over the timestamp, a dot
// and the body, so a receiver can check both origin and freshness:
//
//	X-Handlewatch-Signature: sha256=hex(HMAC(secret, timestamp + "." + body))
const (
	HeaderSignature   = "X-Handlewatch-Signature"
	HeaderTimestamp   = "X-Handlewatch-Timestamp"
	HeaderEvent       = "X-Handlewatch-Event"
	HeaderIdempotency = "Idempotency-Key"
)

// maxResponse bounds how much of a receiver's answer is read.
const maxResponse = 64 << 10

// Webhook posts alerts as signed JSON to a generic endpoint.
type Webhook struct {
	name   string
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook returns a webhook notifier; client nil gets a client with a
// 10 s timeout.
func NewWebhook(name, url, secret string, client *http.Client) *Webhook {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Webhook{name: name, url: url, secret: []byte(secret), client: client, now: time.Now}
}

func (w *Webhook) Name() string { return w.name }
func (w *Webhook) Kind() string { return "webhook" }

// WebhookPayload is the JSON body of every webhook delivery: one alert,
// or a digest of several. Receivers dedupe on ID (also sent as
// Idempotency-Key).
type WebhookPayload struct {
	Schema int            `json:"schema"`
	Type   string         `json:"type"` // "alert" or "digest"
	ID     string         `json:"id"`
	Since  *time.Time     `json:"since,omitempty"` // a digest's window start
	Alerts []WebhookAlert `json:"alerts"`
}

// WebhookAlert is an Alert with its excerpt also rendered with the
// matched parts between ⟦ and ⟧.
type WebhookAlert struct {
	Alert
	ExcerptMarked string `json:"excerpt_marked"`
}

// NewWebhookPayload builds the body for m.
func NewWebhookPayload(m Message) WebhookPayload {
	p := WebhookPayload{Schema: wire.SchemaVersion, Type: "alert", ID: m.Key}
	if m.Digest {
		p.Type = "digest"
		since := m.Since.UTC()
		p.Since = &since
	}
	for _, a := range m.Alerts {
		if a.Permalinks == nil {
			a.Permalinks = []string{}
		}
		p.Alerts = append(p.Alerts, WebhookAlert{Alert: a, ExcerptMarked: Mark(a.Excerpt, MarkOpen, MarkClose, nil)})
	}
	return p
}

// Sign returns the signature header value for body sent at ts.
func Sign(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header the way a receiver should: constant
// time, and the timestamp no older than maxAge.
func Verify(secret []byte, header, ts string, body []byte, now time.Time, maxAge time.Duration) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("bad timestamp %q", ts)
	}
	if age := now.Sub(time.Unix(sec, 0)); age > maxAge || age < -maxAge {
		return fmt.Errorf("timestamp %s outside %s of now", ts, maxAge)
	}
	if !hmac.Equal([]byte(header), []byte(Sign(secret, ts, body))) {
		return fmt.Errorf("signature mismatch")
	}
	return nil
}

func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(NewWebhookPayload(m))
	if err != nil {
		return Permanent(fmt.Errorf("encoding webhook body: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("building webhook request: %w", err))
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "handlewatch-sink")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.secret, ts, body))
	req.Header.Set(HeaderIdempotency, m.Key)
	event := "alert"
	if m.Digest {
		event = "digest"
	}
	req.Header.Set(HeaderEvent, event)
	return doHTTP(w.client, req, w.now)
}

// doHTTP performs req and classifies the answer.
func doHTTP(client *http.Client, req *http.Request, now func() time.Time) error {
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the whole URL, and webhook URLs are often
		// secrets: keep the cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("posting to %s: %w", redactURL(req), err)
	}
	defer resp.Body.Close()
	detail, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return httpError(resp, now(), firstLine(string(detail), 200))
}

// redactURL names the host only: webhook paths are often secrets
// (Slack's always are).
func redactURL(req *http.Request) string { return req.URL.Scheme + "://" + req.URL.Host }

func firstLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
