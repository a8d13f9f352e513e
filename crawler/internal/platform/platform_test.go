package platform

import (
	"strings"
	"testing"

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
