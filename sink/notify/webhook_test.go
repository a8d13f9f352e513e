package notify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/sink/notify"
	"github.com/handlewatch/handlewatch/sink/notify/notifytest"
)

func TestWebhookRetriesThenDeliversOnce(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			rcv := notifytest.StartWebhook(t, "s3cret")
			rcv.FailNext(3, status)
			d := notify.NewDestination(notify.NewWebhook("hook", rcv.URL, "s3cret", nil), notify.DestinationOptions{Retry: fast})
			out := d.Dispatch(context.Background(), testAlert())
			if !out.Delivered || out.Attempts != 4 || out.Err != nil {
				t.Fatalf("outcome %+v", out)
			}
			ds := rcv.Deliveries()
			if len(ds) != 1 || rcv.Attempts() != 4 || rcv.BadSignatures() != 0 {
				t.Fatalf("deliveries %d attempts %d bad signatures %d", len(ds), rcv.Attempts(), rcv.BadSignatures())
			}
			a := testAlert()
			if ds[0].Key != a.Key() || ds[0].Payload.ID != a.Key() || ds[0].Payload.Type != "alert" ||
				ds[0].Payload.Alerts[0].ExcerptMarked != "⟦trading⟧ ⟦young⟧ collection, ⟦wickr: placeholder_01⟧" {
				t.Fatalf("delivery %s", ds[0].Body)
			}
		})
	}
}

func TestWebhookDeadLetterAndPermanent(t *testing.T) {
	rcv := notifytest.StartWebhook(t, "s3cret")
	rcv.FailAll(http.StatusInternalServerError)
	d := notify.NewDestination(notify.NewWebhook("hook", rcv.URL, "s3cret", nil), notify.DestinationOptions{Retry: fast})
	out := d.Dispatch(context.Background(), testAlert())
	if out.Delivered || out.Attempts != fast.Attempts || out.Err == nil || rcv.Attempts() != fast.Attempts {
		t.Fatalf("always failing: outcome %+v, %d attempts at the receiver", out, rcv.Attempts())
	}
	// A wrong secret is a 401: permanent, tried once.
	bad := notify.NewDestination(notify.NewWebhook("hook", rcv.URL, "wrong", nil), notify.DestinationOptions{Retry: fast})
	before := rcv.Attempts()
	out = bad.Dispatch(context.Background(), testAlert())
	var e *notify.Error
	if out.Delivered || out.Attempts != 1 || !errors.As(out.Err, &e) || !e.Permanent || rcv.Attempts() != before+1 {
		t.Fatalf("bad signature: outcome %+v", out)
	}
}

func TestWebhookHonoursRetryAfter(t *testing.T) {
	var hits []time.Time
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, time.Now())
		if len(hits) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if len(hits) == 2 && r.URL.Path == "/long" {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	d := notify.NewDestination(notify.NewWebhook("hook", srv+"/short", "k", nil), notify.DestinationOptions{Retry: fast})
	if out := d.Dispatch(context.Background(), testAlert()); !out.Delivered || out.Attempts != 2 {
		t.Fatalf("outcome %+v", out)
	}
	if gap := hits[1].Sub(hits[0]); gap < time.Second {
		t.Fatalf("retried after %s, Retry-After said 1s", gap)
	}
	// Asked to wait an hour: give up rather than hold every alert behind it.
	hits = nil
	d = notify.NewDestination(notify.NewWebhook("hook", srv+"/long", "k", nil), notify.DestinationOptions{Retry: fast})
	out := d.Dispatch(context.Background(), testAlert())
	if out.Delivered || out.Attempts != 2 {
		t.Fatalf("long Retry-After: %+v", out)
	}
}

func TestWebhookErrorsDoNotLeakTheURL(t *testing.T) {
	w := notify.NewWebhook("hook", "http://127.0.0.1:1/services/SECRET-PATH", "k", &http.Client{Timeout: time.Second})
	err := w.Send(context.Background(), notify.Single(testAlert()))
	if err == nil {
		t.Fatal("send to a closed port succeeded")
	}
	if msg := err.Error(); containsAny(msg, "SECRET-PATH") {
		t.Fatalf("error leaks the URL path: %s", msg)
	}
}

func TestWebhookPayloadGolden(t *testing.T) {
	a := testAlert()
	golden(t, "webhook_alert.json", indentJSON(t, notify.NewWebhookPayload(notify.Single(a))))
	b := testAlert()
	b.CaseID, b.Handle, b.Levels, b.Reasons = "telegram-0123456789abcdef", "tg_demo_77", []string{"escalation:sightings-10"}, []string{"reached 10 sightings"}
	b.App = "telegram"
	golden(t, "webhook_digest.json", indentJSON(t, notify.NewWebhookPayload(notify.Message{Key: "digest:x", Digest: true, Since: t0, Alerts: []notify.Alert{a, b}})))
}

func TestSignVerify(t *testing.T) {
	body := []byte(`{"a":1}`)
	now := time.Unix(1_800_000_000, 0)
	ts := "1800000000"
	sig := notify.Sign([]byte("k"), ts, body)
	// Known answer, computed independently with Python's hmac module.
	if want := "sha256=a776b22fd93f756bb625f275db2abe8a55e6c7d8b59d2533b90bc67b8569d2b7"; sig != want {
		t.Fatalf("Sign = %q, want %q", sig, want)
	}
	for _, tc := range []struct {
		name      string
		secret    string
		ts        string
		body      []byte
		now       time.Time
		wantError bool
	}{
		{"good", "k", ts, body, now, false},
		{"other secret", "x", ts, body, now, true},
		{"body changed", "k", ts, []byte(`{"a":2}`), now, true},
		{"stale", "k", ts, body, now.Add(10 * time.Minute), true},
		{"bad timestamp", "k", "yesterday", body, now, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := notify.Verify([]byte(tc.secret), sig, tc.ts, tc.body, tc.now, 5*time.Minute)
			if (err != nil) != tc.wantError {
				t.Fatalf("Verify = %v, want error %v", err, tc.wantError)
			}
		})
	}
}
