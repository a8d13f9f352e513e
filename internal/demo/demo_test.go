package demo

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/sink/notify"
)

func TestFeedGrowsAndReceiverVerifies(t *testing.T) {
	s := New(zaptest.NewLogger(t), "k", time.Minute)
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	s.start = now
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	items := func() int {
		resp, err := http.Get(srv.URL + "/feed.xml")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
			t.Fatalf("content type %q", ct)
		}
		var doc rssDoc
		if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return len(doc.Channel.Items)
	}
	if got := items(); got != len(seedPosts) {
		t.Fatalf("feed has %d items at start, want %d", got, len(seedPosts))
	}
	now = now.Add(2*time.Minute + time.Second)
	if got := items(); got != len(seedPosts)+2 {
		t.Fatalf("feed has %d items after two intervals, want %d", got, len(seedPosts)+2)
	}

	body := []byte(`{"case_id":"wickr-1"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	old := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)
	cases := []struct {
		name, ts, sig string
		status        int
	}{
		{"good signature", ts, notify.Sign([]byte("k"), ts, body), http.StatusNoContent},
		{"wrong key", ts, notify.Sign([]byte("other"), ts, body), http.StatusUnauthorized},
		{"no signature", ts, "", http.StatusUnauthorized},
		{"replayed: signed an hour ago", old, notify.Sign([]byte("k"), old, body), http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/hooks/alerts", bytes.NewReader(body))
			req.Header.Set("X-Handlewatch-Timestamp", tc.ts)
			req.Header.Set("X-Handlewatch-Signature", tc.sig)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	if a := s.Alerts(); len(a) != 4 || !a[0].Verified || a[1].Verified {
		t.Fatalf("alerts = %+v", a)
	}
	// Crawled text is escaped on the alerts page.
	s.mu.Lock()
	s.alerts = append(s.alerts, Alert{Body: `<script>alert(1)</script>`})
	s.mu.Unlock()
	resp, err := http.Get(srv.URL + "/alerts")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(page), "<script>") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatal("alerts page does not escape crawled text or lacks a CSP")
	}
}
