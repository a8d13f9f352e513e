package taxii_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/taxii"
)

// specServer answers like the examples of the TAXII 2.1 specification,
// and checks that the client asks the way the specification says.
func specServer(t *testing.T, token string) *httptest.Server {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "spec", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	serve := func(w http.ResponseWriter, name string, status int) {
		h := map[string]string{"Content-Type": taxii.MediaType}
		if b, err := os.ReadFile(filepath.Join("testdata", "spec", name+".headers.json")); err == nil {
			_ = json.Unmarshal(b, &h)
		}
		for k, v := range h {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write(read(name + ".json"))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != taxii.MediaType {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			serve(w, "error_401", 401)
			return
		}
		switch r.URL.Path {
		case "/taxii2/":
			serve(w, "discovery", 200)
		case "/api1/collections/":
			serve(w, "collections", 200)
		case "/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/":
			q := r.URL.Query()
			if q.Get("added_after") != "2014-01-01T00:00:00.000000Z" {
				t.Errorf("added_after %q", q.Get("added_after"))
			}
			switch q.Get("next") {
			case "":
				serve(w, "objects_page1", 200)
			case "2a9e8b87-ac2f-4d31-a28e-1d7f3b5a2c8b":
				serve(w, "objects_page2", 200)
			default:
				t.Errorf("next %q", q.Get("next"))
				w.WriteHeader(400)
			}
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientAgainstSpecExamples(t *testing.T) {
	const token = "partner-token-0123456789"
	srv := specServer(t, token)
	c := &taxii.Client{Token: token}
	ctx := context.Background()

	d, err := c.Discovery(ctx, srv.URL+"/taxii2/")
	if err != nil || d.Default != "https://example.com/api2/" || len(d.APIRoots) != 3 {
		t.Fatalf("discovery %+v %v", d, err)
	}
	cs, err := c.Collections(ctx, srv.URL+"/api1/")
	if err != nil || len(cs) != 2 || cs[0].ID != "91a7b528-80eb-42ed-a74d-c6fbd5a26116" || !cs[0].CanRead || cs[0].CanWrite {
		t.Fatalf("collections %+v %v", cs, err)
	}
	var ids []string
	after := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	cursor, err := c.Poll(ctx, srv.URL+"/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/", after, 0, func(p taxii.Page) error {
		for _, o := range p.Objects {
			var h struct{ ID string }
			_ = json.Unmarshal(o, &h)
			ids = append(ids, h.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"indicator--cd981c25-8042-4166-8945-51178443bdac", "indicator--6b616fc1-1505-48e3-8b2c-0d19337bff38"}
	if len(ids) != 2 || ids[0] != want[0] || ids[1] != want[1] {
		t.Fatalf("ids %v", ids)
	}
	if !cursor.Equal(time.Date(2016, 11, 3, 12, 30, 59, 1000000, time.UTC)) {
		t.Fatalf("cursor %v", cursor)
	}

	// The spec's error message comes back as a typed error with its title.
	bad := &taxii.Client{Token: "wrong-token-0123456789"}
	_, err = bad.Discovery(ctx, srv.URL+"/taxii2/")
	var he *taxii.HTTPError
	if !errors.As(err, &he) || he.Status != 401 || he.Title != "Error condition XYZ" || he.Temporary() {
		t.Fatalf("%v", err)
	}
}

// A failing page handler leaves the cursor at the last page taken, so the
// next poll repeats rather than skips.
func TestPollKeepsCursorOnError(t *testing.T) {
	const token = "partner-token-0123456789"
	srv := specServer(t, token)
	c := &taxii.Client{Token: token}
	after := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	cursor, err := c.Poll(context.Background(), srv.URL+"/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/", after, 0,
		func(p taxii.Page) error {
			n++
			if n == 2 {
				return errors.New("store down")
			}
			return nil
		})
	if err == nil || !cursor.Equal(time.Date(2014, 5, 8, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("%v %v", cursor, err)
	}
}

func TestClientRefusesOtherContent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>login</html>"))
	}))
	defer srv.Close()
	if _, err := (&taxii.Client{}).Discovery(context.Background(), srv.URL); err == nil {
		t.Fatal("an HTML page was taken for TAXII")
	}
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(503)
	}))
	defer srv2.Close()
	_, err := (&taxii.Client{}).Discovery(context.Background(), srv2.URL)
	var he *taxii.HTTPError
	if !errors.As(err, &he) || !he.Temporary() || he.RetryAfter != 7*time.Second {
		t.Fatalf("%v", err)
	}
}
