package platform

import "go.uber.org/zap"

// Page is what one request of a newest-first listing returned.
type Page[T any] struct {
	Items []T     // as the API lists them, newest first
	Bad   []error // entries that did not decode, skipped
	More  bool    // another page follows and is worth asking for
}

// Collect reads one poll of a newest-first listing: up to pages pages
// through read (n counts from 0), keeping the items the window has not
// returned. It stops at the first page that reaches an item the window
// holds (caught up) or that says no more follow; on a later poll that runs
// out of pages first, posts between polls may be missing, and it says so.
// An error on a later page ends the paging with what the earlier pages
// found (logged; it surfaces on the next poll if it persists); when they
// found nothing, or on the first page, it is the poll's error. name is the
// platform, for the log lines.
func Collect[T any](log *zap.Logger, name string, w *Window, pages int,
	key func(T) (id string, order int64), read func(n int) (Page[T], error)) ([]T, error) {
	first := w.Empty()
	var fresh []T
	for n := 0; n < pages; n++ {
		pg, err := read(n)
		if err != nil {
			if n > 0 && len(fresh) > 0 {
				log.Warn(name+" paging stopped", zap.Error(err))
				break
			}
			return nil, err
		}
		for _, bad := range pg.Bad {
			log.Warn(name+" item skipped", zap.Error(bad))
		}
		caughtUp := false
		for _, it := range pg.Items {
			if !w.IsNew(key(it)) {
				caughtUp = true
				continue
			}
			fresh = append(fresh, it)
		}
		if caughtUp || !pg.More {
			break
		}
		if n == pages-1 && !first {
			log.Warn(name+" listing not caught up: items between polls may be missing",
				zap.Int("pages", pages), zap.Int("new", len(fresh)))
		}
	}
	return fresh, nil
}
