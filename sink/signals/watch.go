package signals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// Shadowed reports whether the case's handle belongs on the imported
// watchlist at now: a partner's indicator still stands and no moderator
// has decided (confirmed handles are known; dismissed and cleared ones
// were rejected).
func Shadowed(c *cases.Case, now time.Time) bool {
	if c.App == "" || c.Handle == "" {
		return false
	}
	switch c.Status {
	case cases.StatusNew, cases.StatusEscalated:
		return len(c.LiveImports(now)) > 0
	}
	return false
}

// SyncWatch puts the case's handle on wire.WatchlistImported or takes it
// off, as Shadowed says. Idempotent: replays and repeats heal.
func SyncWatch(ctx context.Context, sets state.Sets, c *cases.Case, now time.Time) error {
	if c.App == "" || c.Handle == "" {
		return nil
	}
	member := wire.WatchMember(c.App, c.Handle)
	var err error
	if Shadowed(c, now) {
		err = sets.AddToSet(ctx, wire.WatchlistImported, member)
	} else {
		err = sets.RemoveFromSet(ctx, wire.WatchlistImported, member)
	}
	if err != nil {
		return fmt.Errorf("updating the imported watchlist for %s: %w", c.ID, err)
	}
	return nil
}

// CaseGetter reads one case.
type CaseGetter interface {
	Get(ctx context.Context, id string) (*cases.Case, error)
}

// Sweep takes expired indicators' handles off the imported watchlist: an
// expiry is no event, so someone has to look at the clock.
func Sweep(ctx context.Context, sets state.Sets, cs CaseGetter, now time.Time) (removed int, err error) {
	members, err := sets.SetMembers(ctx, wire.WatchlistImported)
	if err != nil {
		return 0, fmt.Errorf("reading the imported watchlist: %w", err)
	}
	var errs []error
	for _, m := range members {
		app, handle, ok := strings.Cut(m, ":")
		if !ok {
			errs = append(errs, sets.RemoveFromSet(ctx, wire.WatchlistImported, m))
			removed++
			continue
		}
		c, err := cs.Get(ctx, wire.CaseKey(app, handle))
		if errors.Is(err, cases.ErrNotFound) {
			c = &cases.Case{App: app, Handle: handle}
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		if !Shadowed(c, now) {
			if err := sets.RemoveFromSet(ctx, wire.WatchlistImported, m); err != nil {
				errs = append(errs, err)
				continue
			}
			removed++
		}
	}
	return removed, errors.Join(errs...)
}
