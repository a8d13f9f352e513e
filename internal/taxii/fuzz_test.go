package taxii_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/handlewatch/handlewatch/internal/taxii"
)

// FuzzObjectsQuery: any query a partner sends gets 200 or 400, never a
// panic or a 5xx.
func FuzzObjectsQuery(f *testing.F) {
	f.Add("added_after=2026-11-28T10:00:00Z&limit=2")
	f.Add("next=MjAyNi0xMS0yOFQxMDowMDowMFp8aWQ&match[type]=indicator")
	f.Add("match[version]=all,first,2026-11-28T10:00:00.000Z&limit=-1")
	s, err := taxii.NewServer(taxii.ServerConfig{PageSize: 3, Collections: []taxii.Collection{{ID: colA}},
		Partners: []taxii.Partner{{Name: "a", Token: tokA, Collections: []string{colA}}}, Source: fakeSource{colA: objs(7)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"objects/", "manifest/"} {
			req := httptest.NewRequest("GET", "/taxii2/root/collections/"+colA+"/"+path, nil)
			req.URL.RawQuery = q
			req.Header.Set("Authorization", "Bearer "+tokA)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
				t.Fatalf("%s?%s: %d %s", path, q, w.Code, w.Body)
			}
		}
	})
}
