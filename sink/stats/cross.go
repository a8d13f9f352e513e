package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// CrossSource counts how far handles travel: over the period, the
// distinct (app, handle) pairs found, how many of them were found on two
// or more sources, and how many handle values were found on two or more
// apps. Counts only: no handle leaves this function.
type CrossSource struct {
	Handles          int `json:"handles"`
	OnSeveralSources int `json:"on_two_or_more_sources"`
	Values           int `json:"handle_values"`
	OnSeveralApps    int `json:"on_two_or_more_apps"`
}

// CountCrossSource replays hw.findings.> and counts the findings of the
// UTC days [from, to]. It is exact (sets in memory), which is why only
// the offline `stats` command computes it.
func CountCrossSource(ctx context.Context, replay ReplayFunc, from, to time.Time) (CrossSource, error) {
	sources := map[string]map[string]bool{} // app:handle → sources
	apps := map[string]map[string]bool{}    // handle → apps
	from, to = utcDay(from), utcDay(to)
	err := replay(ctx, bus.StreamFindings, wire.SubjectFindings+".>", func(m bus.Msg) error {
		var f wire.Finding
		if json.Unmarshal(m.Data, &f) != nil || f.Validate() != nil {
			return nil // Rebuild counts it as skipped
		}
		if d := FindingDay(f); d.Before(from) || d.After(to) {
			return nil
		}
		for _, h := range f.Handles {
			k := wire.WatchMember(h.App, h.Handle)
			if sources[k] == nil {
				sources[k] = map[string]bool{}
			}
			sources[k][f.Post.Source] = true
			if apps[h.Handle] == nil {
				apps[h.Handle] = map[string]bool{}
			}
			apps[h.Handle][h.App] = true
		}
		return nil
	})
	if err != nil {
		return CrossSource{}, fmt.Errorf("counting handles across sources: %w", err)
	}
	c := CrossSource{Handles: len(sources), Values: len(apps)}
	for _, s := range sources {
		if len(s) >= 2 {
			c.OnSeveralSources++
		}
	}
	for _, a := range apps {
		if len(a) >= 2 {
			c.OnSeveralApps++
		}
	}
	return c, nil
}
