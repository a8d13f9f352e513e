package app

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestApplyMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	t.Run("default when GOMEMLIMIT is unset", func(t *testing.T) {
		t.Setenv("GOMEMLIMIT", "") // restored after the test
		if err := os.Unsetenv("GOMEMLIMIT"); err != nil {
			t.Fatal(err)
		}
		if got := ApplyMemoryLimit(); got != DefaultMemoryLimit || debug.SetMemoryLimit(-1) != DefaultMemoryLimit {
			t.Fatalf("limit %d, want %d", got, DefaultMemoryLimit)
		}
	})
	t.Run("GOMEMLIMIT wins", func(t *testing.T) {
		debug.SetMemoryLimit(1 << 40)
		t.Setenv("GOMEMLIMIT", "1TiB")
		if got := ApplyMemoryLimit(); got != 1<<40 {
			t.Fatalf("limit %d, want the one in force (%d)", got, int64(1<<40))
		}
	})
}
