package cases_test

import (
	"testing"

	"github.com/handlewatch/handlewatch/internal/state/statetest"

	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/cases/casestest"
)

func TestMemory(t *testing.T) {
	casestest.Run(t, func(t *testing.T, max int) cases.Store { return cases.NewMemory(max) })
}

// TestRedis runs the suite against the real server; a missing server is a
// failure, never a skip.
func TestRedis(t *testing.T) {
	casestest.Run(t, func(t *testing.T, max int) cases.Store {
		r := statetest.OpenRedis(t, "cases")
		return cases.NewRedis(r.Client(), r.Prefix(), max)
	})
}
