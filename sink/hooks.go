package sink

import (
	"context"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// hooks connect the case flow to sink/takedown and sink/stats.
//
// HOOK: these are no-ops until both packages expose their managers; see
// the report. The call sites are final: finding after a live sighting,
// event after every applied case event (replayed, followed or our own).
type hooks struct{}

func (hooks) finding(ctx context.Context, f *wire.Finding, h wire.Handle, c *cases.Case) error {
	return nil
}

func (hooks) event(ctx context.Context, e *wire.CaseEvent, c *cases.Case, changed bool) error {
	return nil
}
