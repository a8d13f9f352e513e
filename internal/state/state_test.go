package state_test

import (
	"testing"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/state/statetest"
)

func TestMemory(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return state.NewMemory() })
}

// TestRedis runs the suite against the real server. It is never skipped:
// .ci/run starts Redis, and a missing server is a failure, not a pass.
func TestRedis(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return statetest.OpenRedis(t, "state") })
}
