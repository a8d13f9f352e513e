package taxii_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/taxii"
)

const (
	colA = "11111111-1111-4111-8111-111111111111"
	colB = "22222222-2222-4222-8222-222222222222"
	tokA = "token-of-partner-a-0123456789"
	tokB = "token-of-partner-b-0123456789"
)

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

type fakeSource map[string][]taxii.Object

func (f fakeSource) Objects(_ context.Context, col, _ string) ([]taxii.Object, error) {
	return append([]taxii.Object(nil), f[col]...), nil
}

func objs(n int) []taxii.Object {
	var out []taxii.Object
	for i := range n {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
		at := t0.Add(time.Duration(i/2) * time.Minute) // pairs share a date_added
		out = append(out, taxii.Object{ID: id, Type: "indicator", Version: at, DateAdded: at,
			Raw: json.RawMessage(fmt.Sprintf(`{"type":"indicator","id":%q}`, id))})
	}
	// The source need not sort.
	out[0], out[n-1] = out[n-1], out[0]
	return out
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, err := taxii.NewServer(taxii.ServerConfig{Title: "test", PageSize: 3,
		Collections: []taxii.Collection{{ID: colA, Title: "A"}, {ID: colB, Title: "B"}},
		Partners: []taxii.Partner{{Name: "a", Token: tokA, Collections: []string{colA}},
			{Name: "b", Token: tokB, Collections: []string{colB}}},
		Source: fakeSource{colA: objs(7), colB: objs(1)}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, method, url, token, accept string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body
}

func TestAuthorisation(t *testing.T) {
	srv := newServer(t)
	root := srv.URL + "/taxii2/root/"
	tests := []struct {
		name, method, path, token, accept string
		want                              int
	}{
		{"discovery without token", "GET", "/taxii2/", "", "", 401},
		{"discovery with a wrong token", "GET", "/taxii2/", "not-a-partner-token-xx", "", 401},
		{"discovery", "GET", "/taxii2/", tokA, taxii.MediaType, 200},
		{"api root", "GET", "/taxii2/root/", tokA, "", 200},
		{"own collection", "GET", "/taxii2/root/collections/" + colA + "/", tokA, "", 200},
		{"other partner's collection", "GET", "/taxii2/root/collections/" + colB + "/", tokA, "", 403},
		{"other partner's objects", "GET", "/taxii2/root/collections/" + colB + "/objects/", tokA, "", 403},
		{"other partner's manifest", "GET", "/taxii2/root/collections/" + colA + "/manifest/", tokB, "", 403},
		{"no such collection", "GET", "/taxii2/root/collections/33333333-3333-4333-8333-333333333333/", tokA, "", 404},
		{"objects with a bad token", "GET", "/taxii2/root/collections/" + colA + "/objects/", "x" + tokA, "", 401},
		{"TAXII 2.0 only", "GET", "/taxii2/root/", tokA, "application/vnd.oasis.taxii+json; version=2.0", 406},
		{"write refused", "POST", "/taxii2/root/collections/" + colA + "/objects/", tokA, "", 403},
		{"bad added_after", "GET", "/taxii2/root/collections/" + colA + "/objects/?added_after=yesterday", tokA, "", 400},
		{"bad next", "GET", "/taxii2/root/collections/" + colA + "/objects/?next=zzz", tokA, "", 400},
		{"unknown resource", "GET", "/taxii2/root/status/abc/", tokA, "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, srv.URL+tt.path, tt.token, tt.accept)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tt.want, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != taxii.MediaType {
				t.Errorf("content type %q", ct)
			}
			if tt.want >= 400 && body["http_status"] != fmt.Sprint(tt.want) {
				t.Errorf("error body %v", body)
			}
			if tt.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	_, body := do(t, "GET", root, tokA, "")
	if v, _ := body["versions"].([]any); len(v) != 1 || v[0] != taxii.MediaType {
		t.Errorf("api root versions %v", body)
	}
}

// A partner is told only of its own collections.
func TestCollectionsListOnlyOwn(t *testing.T) {
	srv := newServer(t)
	c := &taxii.Client{Token: tokA}
	cs, err := c.Collections(context.Background(), srv.URL+"/taxii2/root/")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].ID != colA || !cs[0].CanRead || cs[0].CanWrite {
		t.Fatalf("%+v", cs)
	}
	d, err := c.Discovery(context.Background(), srv.URL+"/taxii2/")
	if err != nil || len(d.APIRoots) != 1 || !strings.HasSuffix(d.APIRoots[0], "/taxii2/root/") {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestPaging(t *testing.T) {
	srv := newServer(t)
	col := srv.URL + "/taxii2/root/collections/" + colA + "/"
	c := &taxii.Client{Token: tokA}
	ctx := context.Background()

	// next: pages of 3, in date_added then id order, no repeats, headers
	// bracketing each page.
	var got []string
	var pages int
	cursor, err := c.Poll(ctx, col, time.Time{}, 0, func(p taxii.Page) error {
		pages++
		for _, o := range p.Objects {
			var h struct{ ID string }
			_ = json.Unmarshal(o, &h)
			got = append(got, h.ID)
		}
		if p.DateAddedFirst.IsZero() || p.DateAddedLast.Before(p.DateAddedFirst) {
			t.Errorf("page headers %v %v", p.DateAddedFirst, p.DateAddedLast)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 3 || len(got) != 7 {
		t.Fatalf("%d pages, %d objects: %v", pages, len(got), got)
	}
	for i, id := range got {
		if want := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i); id != want {
			t.Fatalf("object %d is %s, want %s", i, id, want)
		}
	}
	if !cursor.Equal(t0.Add(3 * time.Minute)) {
		t.Fatalf("cursor %v", cursor)
	}

	// added_after is strict: from the cursor nothing is new.
	again, err := c.Poll(ctx, col, cursor, 0, func(p taxii.Page) error {
		if len(p.Objects) != 0 {
			t.Errorf("repeat: %d objects", len(p.Objects))
		}
		return nil
	})
	if err != nil || !again.Equal(cursor) {
		t.Fatalf("%v %v", again, err)
	}

	// added_after in the middle: objects 4..6 (date_added t0+2m, t0+3m).
	p, err := c.Objects(ctx, col, taxii.Query{AddedAfter: t0.Add(90 * time.Second), Limit: 10})
	if err != nil || len(p.Objects) != 3 || p.More {
		t.Fatalf("%d objects more=%v %v", len(p.Objects), p.More, err)
	}
	// limit 1 yields more with a next token.
	p, err = c.Objects(ctx, col, taxii.Query{Limit: 1})
	if err != nil || len(p.Objects) != 1 || !p.More || p.Next == "" {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestManifestAndObject(t *testing.T) {
	srv := newServer(t)
	col := srv.URL + "/taxii2/root/collections/" + colA + "/"
	resp, body := do(t, "GET", col+"manifest/?limit=2", tokA, "")
	if resp.StatusCode != 200 || body["more"] != true {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	recs, _ := body["objects"].([]any)
	if len(recs) != 2 {
		t.Fatalf("%v", body)
	}
	r0 := recs[0].(map[string]any)
	if r0["media_type"] != taxii.StixMediaType || r0["date_added"] == "" || r0["version"] == "" {
		t.Fatalf("%v", r0)
	}
	id := "indicator--00000000-0000-4000-8000-000000000004"
	resp, body = do(t, "GET", col+"objects/"+id+"/", tokA, "")
	if objs, _ := body["objects"].([]any); resp.StatusCode != 200 || len(objs) != 1 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", col+"objects/"+id+"/versions/", tokA, "")
	if v, _ := body["versions"].([]any); resp.StatusCode != 200 || len(v) != 1 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	resp, _ = do(t, "GET", col+"objects/indicator--99999999-0000-4000-8000-000000000004/", tokA, "")
	if resp.StatusCode != 404 {
		t.Fatalf("missing object: %d", resp.StatusCode)
	}
	resp, body = do(t, "GET", col+"objects/?match[type]=sighting", tokA, "")
	if resp.StatusCode != 200 || body["objects"] != nil {
		t.Fatalf("type filter: %v", body)
	}
}

func TestServerConfig(t *testing.T) {
	src := fakeSource{}
	for name, cfg := range map[string]taxii.ServerConfig{
		"short token":        {Source: src, Collections: []taxii.Collection{{ID: colA}}, Partners: []taxii.Partner{{Name: "a", Token: "short"}}},
		"shared token":       {Source: src, Partners: []taxii.Partner{{Name: "a", Token: tokA}, {Name: "b", Token: tokA}}},
		"unknown collection": {Source: src, Partners: []taxii.Partner{{Name: "a", Token: tokA, Collections: []string{colB}}}},
		"no source":          {},
		"repeated id":        {Source: src, Collections: []taxii.Collection{{ID: colA}, {ID: colA}}},
	} {
		if _, err := taxii.NewServer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
