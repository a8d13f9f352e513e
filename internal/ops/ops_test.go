package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEndpoints(t *testing.T) {
	o := New()
	ready := false
	o.AddCheck("nats", func(context.Context) error {
		if !ready {
			return errors.New("not connected")
		}
		return nil
	})
	mux := http.NewServeMux()
	o.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name, path string
		ready      bool
		status     int
		contains   string
	}{
		{"healthz", "/healthz", false, 200, `"ok"`},
		{"readyz failing names the check", "/readyz", false, 503, `"nats":"not connected"`},
		{"readyz ok", "/readyz", true, 200, `"ready"`},
		{"metrics", "/metrics", true, 200, "go_goroutines"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ready = tc.ready
			status, body := get(tc.path)
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Fatalf("GET %s = %d %q, want %d containing %q", tc.path, status, body, tc.status, tc.contains)
			}
		})
	}
}
