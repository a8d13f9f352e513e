package statetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
)

// Run runs the conformance suite against stores made by open. Each subtest
// gets a fresh store; open must give it a namespace of its own.
func Run(t *testing.T, open func(t *testing.T) state.Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)

	t.Run("seen", func(t *testing.T) {
		s := open(t)
		if ok, err := s.IsSeen(ctx, "a"); err != nil || ok {
			t.Fatalf("IsSeen(new) = %v, %v", ok, err)
		}
		if ok, err := s.MarkSeen(ctx, "a", time.Hour); err != nil || !ok {
			t.Fatalf("first MarkSeen = %v, %v; want true", ok, err)
		}
		if ok, err := s.MarkSeen(ctx, "a", time.Hour); err != nil || ok {
			t.Fatalf("second MarkSeen = %v, %v; want false", ok, err)
		}
		if ok, _ := s.IsSeen(ctx, "a"); !ok {
			t.Fatal("IsSeen after MarkSeen = false")
		}
		if err := s.Forget(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.MarkSeen(ctx, "a", time.Hour); !ok {
			t.Fatal("MarkSeen after Forget = false")
		}
	})

	t.Run("seen expires", func(t *testing.T) {
		s := open(t)
		if ok, _ := s.MarkSeen(ctx, "short", 50*time.Millisecond); !ok {
			t.Fatal("MarkSeen = false")
		}
		time.Sleep(120 * time.Millisecond)
		if ok, _ := s.IsSeen(ctx, "short"); ok {
			t.Fatal("key still seen after its TTL")
		}
	})

	t.Run("seen concurrent: one winner", func(t *testing.T) {
		s := open(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := s.MarkSeen(ctx, "race", time.Minute); err == nil && ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d callers won MarkSeen, want 1", wins.Load())
		}
	})

	t.Run("cursors", func(t *testing.T) {
		s := open(t)
		if _, ok, err := s.Cursor(ctx, "src/t"); err != nil || ok {
			t.Fatalf("Cursor(missing) ok=%v err=%v", ok, err)
		}
		for _, v := range []string{"t3_abc", "t3_def", ""} {
			if err := s.SetCursor(ctx, "src/t", v); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.Cursor(ctx, "src/t")
			if err != nil || !ok || got != v {
				t.Fatalf("Cursor = %q, %v, %v; want %q", got, ok, err, v)
			}
		}
	})

	t.Run("counters", func(t *testing.T) {
		s := open(t)
		tests := []struct {
			period state.Period
			other  time.Time // a time in another window of the same period
		}{
			{state.Hour, at.Add(time.Hour)},
			{state.Day, at.Add(24 * time.Hour)},
		}
		for _, tc := range tests {
			t.Run(string(tc.period), func(t *testing.T) {
				name := "c-" + string(tc.period)
				for i, want := range []int64{1, 3, 6} {
					got, err := s.Incr(ctx, name, tc.period, at, int64(i+1))
					if err != nil || got != want {
						t.Fatalf("Incr #%d = %d, %v; want %d", i, got, err, want)
					}
				}
				if got, _ := s.Count(ctx, name, tc.period, at.Add(time.Minute)); got != 6 {
					t.Fatalf("Count same window = %d, want 6", got)
				}
				if got, _ := s.Count(ctx, name, tc.period, tc.other); got != 0 {
					t.Fatalf("Count other window = %d, want 0", got)
				}
			})
		}
		if _, err := s.Incr(ctx, "x", state.Period("week"), at, 1); err == nil {
			t.Fatal("Incr with unknown period: no error")
		}
	})

	t.Run("counters concurrent quota", func(t *testing.T) {
		s := open(t)
		const limit = 10
		var granted atomic.Int32
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.Incr(ctx, "quota", state.Day, at, 1)
				if err == nil && n <= limit {
					granted.Add(1)
				}
			}()
		}
		wg.Wait()
		if granted.Load() != limit {
			t.Fatalf("%d granted under a quota of %d", granted.Load(), limit)
		}
	})

	t.Run("distinct", func(t *testing.T) {
		s := open(t)
		var members []string
		for i := range 500 {
			members = append(members, fmt.Sprintf("handle_%03d", i%200))
		}
		if err := s.AddDistinct(ctx, "handles/kik", state.Day, at, members...); err != nil {
			t.Fatal(err)
		}
		got, err := s.CountDistinct(ctx, "handles/kik", state.Day, at)
		if err != nil {
			t.Fatal(err)
		}
		if got < 196 || got > 204 { // HyperLogLog: within 2 %
			t.Fatalf("CountDistinct = %d, want about 200", got)
		}
		if got, _ := s.CountDistinct(ctx, "handles/kik", state.Day, at.Add(24*time.Hour)); got != 0 {
			t.Fatalf("CountDistinct next day = %d, want 0", got)
		}
	})

	t.Run("sets", func(t *testing.T) {
		s := open(t)
		if err := s.AddToSet(ctx, "cleared", "kik:a", "kik:b", "kik:a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.InSet(ctx, "cleared", "kik:a"); !ok {
			t.Fatal("InSet(kik:a) = false")
		}
		if err := s.RemoveFromSet(ctx, "cleared", "kik:a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.InSet(ctx, "cleared", "kik:a"); ok {
			t.Fatal("InSet after remove = true")
		}
		got, err := s.SetMembers(ctx, "cleared")
		if err != nil || len(got) != 1 || got[0] != "kik:b" {
			t.Fatalf("SetMembers = %v, %v", got, err)
		}
		if got, _ := s.SetMembers(ctx, "empty"); len(got) != 0 {
			t.Fatalf("SetMembers(empty) = %v", got)
		}
	})

	t.Run("ping", func(t *testing.T) {
		if err := open(t).Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
