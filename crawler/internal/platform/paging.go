package platform

import "github.com/handlewatch/handlewatch/crawler/source"

// Paging is how an adapter polls a newest-first listing through a Window:
// Limit items a request, at most MaxPages requests a poll, Window items
// remembered by the cursor.
type Paging struct {
	Limit    int
	MaxPages int
	Window   int
}

// ReadPaging reads the paging options every windowed listing takes: limit
// (1 to maxLimit, the API's own cap; def when unset), max_pages (1 to 10,
// default 5) and window (100 to 5000, default 500).
func ReadPaging(o *source.Options, def, maxLimit int) (Paging, error) {
	var pg Paging
	var err error
	if pg.Limit, err = o.Int("limit", def, 1, maxLimit); err != nil {
		return Paging{}, err
	}
	if pg.MaxPages, err = o.Int("max_pages", 5, 1, 10); err != nil {
		return Paging{}, err
	}
	if pg.Window, err = o.Int("window", 500, 100, 5000); err != nil {
		return Paging{}, err
	}
	return pg, nil
}

// Start reads a poll's window cursor and says how many pages the poll may
// read: one on the first poll (an empty window has nothing to catch up
// to), MaxPages after. A cursor it cannot read is not worth a stuck
// target: Start then returns an empty window together with the error, for
// the caller to log, and the poll starts over from the newest page (seen
// keys drop the repeats).
func (pg Paging) Start(cursor string) (*Window, int, error) {
	w, err := ParseWindow(cursor, pg.Window)
	if err != nil {
		w, _ = ParseWindow("", pg.Window)
	}
	if w.Empty() {
		return w, 1, err
	}
	return w, pg.MaxPages, err
}
