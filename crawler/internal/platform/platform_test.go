package platform

import (
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

func TestWindow(t *testing.T) {
	w, err := ParseWindow("", 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"a", "b", "c", "d"} {
		if !w.IsNew(k, int64(i+1)) {
			t.Fatalf("%s should be new", k)
		}
		w.Add(k, int64(i+1))
	}
	w2, err := ParseWindow(w.Encode(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if w2.Newest() != "d" {
		t.Errorf("newest = %q", w2.Newest())
	}
	if w2.IsNew("a", 1) {
		t.Error("a is below the floor: not new")
	}
	if w2.IsNew("c", 3) || w2.IsNew("d", 4) {
		t.Error("c and d were returned")
	}
	if !w2.IsNew("late", 3) {
		t.Error("an unseen item at the floor is new (late arrival)")
	}
	if !w2.IsNew("e", 5) {
		t.Error("e is new")
	}
	if _, err := ParseWindow("{not json", 3); err == nil {
		t.Error("bad cursor accepted")
	}
}

func TestPaging(t *testing.T) {
	pg, err := ReadPaging(source.NewOptions(nil), 50, 100)
	if err != nil || pg != (Paging{Limit: 50, MaxPages: 5, Window: 500}) {
		t.Fatalf("defaults = %+v, %v", pg, err)
	}
	for key, val := range map[string]string{"limit": "101", "max_pages": "0", "window": "99"} {
		if _, err := ReadPaging(source.NewOptions(map[string]string{key: val}), 50, 100); err == nil || !strings.Contains(err.Error(), "options."+key) {
			t.Errorf("%s=%s: err = %v, want the key named", key, val, err)
		}
	}
	pg = Paging{Limit: 10, MaxPages: 4, Window: 100}
	w, pages, err := pg.Start("")
	if err != nil || !w.Empty() || pages != 1 {
		t.Errorf("first poll: empty %v, %d pages, %v; want an empty window and 1 page", w.Empty(), pages, err)
	}
	w.Add("a", 1)
	w, pages, err = pg.Start(w.Encode())
	if err != nil || !w.Seen("a") || pages != 4 || w.Cap != 100 {
		t.Errorf("later poll: seen a %v, %d pages, cap %d, %v", w.Seen("a"), pages, w.Cap, err)
	}
	w, pages, err = pg.Start("{not json")
	if err == nil || w == nil || !w.Empty() || pages != 1 {
		t.Errorf("bad cursor: %v, %d pages, %v; want an empty window, 1 page and the error", w, pages, err)
	}
}

func TestKeep(t *testing.T) {
	type item struct {
		id    string
		order int64
	}
	w, _ := ParseWindow("", 2)
	fresh := []item{{"a", 1}, {"b", 2}, {"c", 3}, {"a", 1}, {"c", 3}, {"d", 4}}
	out := Keep(w, fresh, func(it item) (wire.Post, int64) { return wire.Post{ID: it.id}, it.order })
	var ids []string
	for _, p := range out {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "a,b,c,d" {
		t.Errorf("kept %s, want a,b,c,d: each once, though the window holds only two", got)
	}
	if w.Newest() != "d" || !w.Seen("c") || w.Seen("a") {
		t.Errorf("window newest %q, seen c %v, seen a %v: want the two newest", w.Newest(), w.Seen("c"), w.Seen("a"))
	}
}

func TestCollect(t *testing.T) {
	type it struct {
		id    string
		order int64
	}
	key := func(x it) (string, int64) { return x.id, x.order }
	boom := errors.New("boom")
	// The listing holds e, d, c, b, a (newest first), two a page.
	listing := [][]it{{{"e", 5}, {"d", 4}}, {{"c", 3}, {"b", 2}}, {{"a", 1}}}
	pageOf := func(failAt int) func(n int) (Page[it], error) {
		return func(n int) (Page[it], error) {
			if n == failAt {
				return Page[it]{}, boom
			}
			return Page[it]{Items: listing[n], More: n < len(listing)-1}, nil
		}
	}
	window := func(keys ...string) *Window {
		w, _ := ParseWindow("", 100)
		for i, k := range keys {
			w.Add(k, int64(i+1))
		}
		return w
	}
	for _, tc := range []struct {
		name     string
		w        *Window
		pages    int
		failAt   int
		want     string
		err      bool
		warnings int
	}{
		{name: "stops at the end of the listing", w: window("z"), pages: 5, failAt: -1, want: "e,d,c,b,a"},
		{name: "stops where it caught up", w: window("a", "b"), pages: 5, failAt: -1, want: "e,d,c"},
		{name: "runs out of pages and says so", w: window("z"), pages: 2, failAt: -1, want: "e,d,c,b", warnings: 1},
		{name: "first poll reads one page, quietly", w: window(), pages: 1, failAt: -1, want: "e,d"},
		{name: "a later page's error keeps what came before", w: window("z"), pages: 5, failAt: 1, want: "e,d", warnings: 1},
		{name: "the first page's error is the poll's", w: window("z"), pages: 5, failAt: 0, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zap.WarnLevel)
			got, err := Collect(zap.New(core), "test", tc.w, tc.pages, key, pageOf(tc.failAt))
			if tc.err {
				if !errors.Is(err, boom) || got != nil {
					t.Fatalf("= %v, %v; want the error alone", got, err)
				}
				return
			}
			var ids []string
			for _, x := range got {
				ids = append(ids, x.id)
			}
			if err != nil || strings.Join(ids, ",") != tc.want {
				t.Errorf("= %s, %v; want %s", strings.Join(ids, ","), err, tc.want)
			}
			if logs.Len() != tc.warnings {
				t.Errorf("%d warnings, want %d: %v", logs.Len(), tc.warnings, logs.All())
			}
		})
	}
	t.Run("a later page's error with nothing found is the poll's", func(t *testing.T) {
		w := window("z")
		got, err := Collect(zap.NewNop(), "test", w, 5, key, func(n int) (Page[it], error) {
			if n == 1 {
				return Page[it]{}, boom
			}
			return Page[it]{Bad: []error{errors.New("undecodable")}, More: true}, nil
		})
		if !errors.Is(err, boom) || got != nil {
			t.Errorf("= %v, %v; want the error", got, err)
		}
	})
}

// TestUnmarshalSaysWhere: syntax and type errors give the byte they are
// at; other errors and success are json.Unmarshal's.
func TestUnmarshalSaysWhere(t *testing.T) {
	for _, tc := range []struct {
		body string
		want string // "" for no error
	}{
		{`{"a":1}`, ""},
		{`{"a":1,}`, "at byte 8: "},
		{`{"a":"x"}`, "at byte 8: "},
		{`[` + strings.Repeat("[", 20000), "at byte "},
	} {
		t.Run(tc.body[:min(len(tc.body), 12)], func(t *testing.T) {
			var v struct{ A int }
			err := Unmarshal([]byte(tc.body), &v)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("err = %v, want it to start %q", err, tc.want)
			}
		})
	}
}
