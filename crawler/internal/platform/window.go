package platform

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Window is the cursor of a newest-first listing that has no reliable
// "since" parameter (Reddit's /new, Lemmy's sort=New, Bluesky's author
// feed, Tumblr's tagged): the newest items returned so far, each with an
// order key that grows with time (a base36 id, a timestamp).
//
// Reddit's before= breaks when the anchor post is deleted, so we poll the
// newest page and keep what we returned: an item is new when it is not in
// the window and not older than the window's floor. The window keeps the
// Cap newest items it was given, so every item it returned at or above the
// floor is still in it: nothing comes back twice, and an item that shows
// up late (approved from a mod queue, federated late) is still caught as
// long as it sorts above the floor.
type Window struct {
	Cap   int
	items []windowItem // newest first
	set   map[string]bool
}

type windowItem struct {
	Key   string `json:"k"`
	Order int64  `json:"o"`
}

type windowJSON struct {
	V     int          `json:"v"`
	Items []windowItem `json:"w"`
}

// ParseWindow reads a cursor written by Encode; "" is an empty window.
func ParseWindow(cursor string, capacity int) (*Window, error) {
	w := &Window{Cap: capacity, set: map[string]bool{}}
	if cursor == "" {
		return w, nil
	}
	var j windowJSON
	if err := json.Unmarshal([]byte(cursor), &j); err != nil {
		return nil, fmt.Errorf("parsing window cursor: %w", err)
	}
	if j.V != 1 {
		return nil, fmt.Errorf("parsing window cursor: unknown version %d", j.V)
	}
	for _, it := range j.Items {
		w.add(it)
	}
	w.trim()
	return w, nil
}

// Empty reports a window that has seen nothing: the first poll.
func (w *Window) Empty() bool { return len(w.items) == 0 }

// Seen reports whether key was returned before.
func (w *Window) Seen(key string) bool { return w.set[key] }

// Floor is the order key below which items count as already handled; it
// only applies once the window is full.
func (w *Window) Floor() (int64, bool) {
	if len(w.items) < w.Cap || len(w.items) == 0 {
		return 0, false
	}
	return w.items[len(w.items)-1].Order, true
}

// IsNew reports whether an item is new to the window.
func (w *Window) IsNew(key string, order int64) bool {
	if w.set[key] {
		return false
	}
	floor, ok := w.Floor()
	return !ok || order >= floor
}

// Add records an item as returned.
func (w *Window) Add(key string, order int64) {
	if w.set[key] {
		return
	}
	w.add(windowItem{Key: key, Order: order})
	w.trim()
}

func (w *Window) add(it windowItem) {
	if w.set[it.Key] {
		return
	}
	w.set[it.Key] = true
	i, _ := slices.BinarySearchFunc(w.items, it.Order, func(e windowItem, o int64) int {
		switch {
		case e.Order > o:
			return -1
		case e.Order < o:
			return 1
		}
		return 0
	})
	w.items = slices.Insert(w.items, i, it)
}

func (w *Window) trim() {
	if w.Cap <= 0 {
		w.Cap = 1
	}
	for len(w.items) > w.Cap {
		last := w.items[len(w.items)-1]
		delete(w.set, last.Key)
		w.items = w.items[:len(w.items)-1]
	}
}

// Newest returns the newest key, "" when empty.
func (w *Window) Newest() string {
	if len(w.items) == 0 {
		return ""
	}
	return w.items[0].Key
}

// Encode writes the window as a cursor string.
func (w *Window) Encode() string {
	b, _ := json.Marshal(windowJSON{V: 1, Items: w.items})
	return string(b)
}

// Keep records the fresh items of a poll, already sorted oldest first, in
// the window and returns their posts, each once: the same post on two
// pages that shifted between requests, or reposted twice, counts the first
// time only, even when the window is too small to hold the whole poll.
func Keep[T any](w *Window, fresh []T, post func(T) (p wire.Post, order int64)) []wire.Post {
	out := make([]wire.Post, 0, len(fresh))
	kept := make(map[string]bool, len(fresh))
	for _, it := range fresh {
		p, order := post(it)
		if kept[p.ID] {
			continue
		}
		kept[p.ID] = true
		w.Add(p.ID, order)
		out = append(out, p)
	}
	return out
}
