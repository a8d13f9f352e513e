package detector

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// StaticWatchlist is a fixed set of known and cleared handles, by
// wire.WatchMember ("app:handle"). The zero value is empty.
type StaticWatchlist struct {
	KnownSet, ClearedSet, ImportedSet map[string]bool
}

var (
	_ Watchlist         = StaticWatchlist{}
	_ ImportedWatchlist = StaticWatchlist{}
)

// Imported reports whether a partner shared the handle.
func (s StaticWatchlist) Imported(app, handle string) bool {
	return s.ImportedSet[wire.WatchMember(app, handle)]
}

// Known reports whether the handle is on the known list.
func (s StaticWatchlist) Known(app, handle string) bool {
	return s.KnownSet[wire.WatchMember(app, handle)]
}

// Cleared reports whether moderators cleared the handle.
func (s StaticWatchlist) Cleared(app, handle string) bool {
	return s.ClearedSet[wire.WatchMember(app, handle)]
}

// LoadWatchlistFiles reads files of known handles: one "app:handle" a
// line, blank lines and "#" comments ignored. The app must be one of the
// wire contract's; the handle is taken as written, so it must already be
// canonical (lowercase where the app is case-insensitive, no "@").
func LoadWatchlistFiles(paths []string) (map[string]bool, error) {
	known := map[string]bool{}
	for _, path := range paths {
		if err := readWatchlistFile(path, known); err != nil {
			return nil, err
		}
	}
	return known, nil
}

func readWatchlistFile(path string, known map[string]bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading watchlist: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		app, handle, ok := strings.Cut(line, ":")
		app, handle = strings.TrimSpace(app), strings.TrimSpace(handle)
		switch {
		case !ok || handle == "":
			return fmt.Errorf("%s:%d: want app:handle, got %q", path, n, line)
		case !wire.IsApp(app):
			return fmt.Errorf("%s:%d: unknown app %q (want one of %s)", path, n, app, strings.Join(wire.Apps, ", "))
		}
		known[wire.WatchMember(app, handle)] = true
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading watchlist %s: %w", path, err)
	}
	return nil
}

// sharedWatchlist answers from an in-memory copy of the state store's
// watchlist sets plus the configured files; refresh replaces the copy, so
// the hot path never waits on I/O.
type sharedWatchlist struct {
	files   atomic.Pointer[map[string]bool]
	known   atomic.Pointer[map[string]bool]
	cleared atomic.Pointer[map[string]bool]
	// imported are the partners' handles (shadow only).
	imported atomic.Pointer[map[string]bool]
}

var (
	_ Watchlist         = (*sharedWatchlist)(nil)
	_ ImportedWatchlist = (*sharedWatchlist)(nil)
)

func (w *sharedWatchlist) Imported(app, handle string) bool {
	return (*w.imported.Load())[wire.WatchMember(app, handle)]
}

func (w *sharedWatchlist) importedLen() int { return len(*w.imported.Load()) }

func newSharedWatchlist() *sharedWatchlist {
	w := &sharedWatchlist{}
	empty := map[string]bool{}
	w.files.Store(&empty)
	w.known.Store(&empty)
	w.cleared.Store(&empty)
	w.imported.Store(&empty)
	return w
}

func (w *sharedWatchlist) Known(app, handle string) bool {
	m := wire.WatchMember(app, handle)
	return (*w.known.Load())[m] || (*w.files.Load())[m]
}

// Cleared wins over Known: a moderator's clear is the last word.
func (w *sharedWatchlist) Cleared(app, handle string) bool {
	return (*w.cleared.Load())[wire.WatchMember(app, handle)]
}

// refresh re-reads both sets; on error the previous copy stays.
func (w *sharedWatchlist) refresh(ctx context.Context, sets state.Sets) (known, cleared int, err error) {
	k, err := members(ctx, sets, wire.WatchlistKnown)
	if err != nil {
		return 0, 0, err
	}
	c, err := members(ctx, sets, wire.WatchlistCleared)
	if err != nil {
		return 0, 0, err
	}
	im, err := members(ctx, sets, wire.WatchlistImported)
	if err != nil {
		return 0, 0, err
	}
	w.known.Store(&k)
	w.cleared.Store(&c)
	w.imported.Store(&im)
	return len(k), len(c), nil
}

func members(ctx context.Context, sets state.Sets, set string) (map[string]bool, error) {
	list, err := sets.SetMembers(ctx, set)
	if err != nil {
		return nil, fmt.Errorf("reading watchlist %s: %w", set, err)
	}
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m, nil
}
