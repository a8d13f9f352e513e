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

	t.Run("touch keeps a live key, not a gone one", func(t *testing.T) {
		s := open(t)
		if ok, _ := s.MarkSeen(ctx, "claim", 150*time.Millisecond); !ok {
			t.Fatal("MarkSeen = false")
		}
		for range 3 {
			time.Sleep(80 * time.Millisecond)
			if ok, err := s.Touch(ctx, "claim", 150*time.Millisecond); err != nil || !ok {
				t.Fatalf("Touch of a live key = %v, %v; want true", ok, err)
			}
		}
		if ok, _ := s.IsSeen(ctx, "claim"); !ok {
			t.Fatal("a touched key expired at its first TTL")
		}
		time.Sleep(250 * time.Millisecond)
		if ok, _ := s.IsSeen(ctx, "claim"); ok {
			t.Fatal("key still seen after its renewed TTL")
		}
		if ok, err := s.Touch(ctx, "claim", time.Minute); err != nil || ok {
			t.Fatalf("Touch of a gone key = %v, %v; want false", ok, err)
		}
		if ok, _ := s.IsSeen(ctx, "claim"); ok {
			t.Fatal("Touch brought a gone key back")
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

	t.Run("batch", func(t *testing.T) {
		s := open(t)
		b := state.Batch{
			Incrs: []state.BatchIncr{
				{Name: "b-findings", Period: state.Day, At: at, N: 1},
				{Name: "b-findings", Period: state.Day, At: at, N: 2}, // the same counter twice adds up
				{Name: "b-posts", Period: state.Hour, At: at, N: 5},
			},
			Distincts: []state.BatchDistinct{{Name: "b-handles", Period: state.Day, At: at, Members: []string{"kik:a", "kik:b", "kik:a"}}},
			SetAdds:   []state.BatchSetAdd{{Set: "b-apps", Members: []string{"kik", "wickr"}}, {Set: "b-empty"}},
		}
		for i := range 2 {
			if ok, err := s.ApplyBatch(ctx, b); err != nil || !ok {
				t.Fatalf("ApplyBatch #%d without Once = %v, %v; want applied", i, ok, err)
			}
		}
		if got, _ := s.Count(ctx, "b-findings", state.Day, at); got != 6 {
			t.Fatalf("Count(b-findings) = %d, want 6", got)
		}
		if got, _ := s.Count(ctx, "b-posts", state.Hour, at); got != 10 {
			t.Fatalf("Count(b-posts) = %d, want 10", got)
		}
		if got, _ := s.CountDistinct(ctx, "b-handles", state.Day, at); got != 2 {
			t.Fatalf("CountDistinct(b-handles) = %d, want 2", got)
		}
		if got, _ := s.SetMembers(ctx, "b-apps"); len(got) != 2 {
			t.Fatalf("SetMembers(b-apps) = %v", got)
		}
		// A batch counts the same as the single calls: Incr goes on from it.
		if got, _ := s.Incr(ctx, "b-posts", state.Hour, at, 1); got != 11 {
			t.Fatalf("Incr after batches = %d, want 11", got)
		}
		if ok, err := s.ApplyBatch(ctx, state.Batch{}); err != nil || !ok {
			t.Fatalf("empty batch = %v, %v", ok, err)
		}
		if _, err := s.ApplyBatch(ctx, state.Batch{Incrs: []state.BatchIncr{{Name: "x", Period: "week", At: at, N: 1}}}); err == nil {
			t.Fatal("batch with an unknown period: no error")
		}
		if got, _ := s.Count(ctx, "x", state.Day, at); got != 0 {
			t.Fatalf("a refused batch wrote %d", got)
		}
	})

	t.Run("batch once", func(t *testing.T) {
		s := open(t)
		b := state.Batch{Once: "finding:f1", OnceTTL: time.Hour,
			Incrs: []state.BatchIncr{{Name: "once", Period: state.Day, At: at, N: 1}}}
		var applied atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := s.ApplyBatch(ctx, b); err == nil && ok {
					applied.Add(1)
				}
			}()
		}
		wg.Wait()
		if applied.Load() != 1 {
			t.Fatalf("%d of 16 concurrent batches applied, want 1", applied.Load())
		}
		if got, _ := s.Count(ctx, "once", state.Day, at); got != 1 {
			t.Fatalf("Count = %d, want 1", got)
		}
		if ok, _ := s.IsSeen(ctx, "finding:f1"); !ok {
			t.Fatal("the Once key is not seen after the batch")
		}
		// Forget lets it count again (a release after a failure).
		if err := s.Forget(ctx, "finding:f1"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ApplyBatch(ctx, b); !ok {
			t.Fatal("batch after Forget not applied")
		}
		short := state.Batch{Once: "short", OnceTTL: 50 * time.Millisecond}
		if ok, _ := s.ApplyBatch(ctx, short); !ok {
			t.Fatal("short batch not applied")
		}
		time.Sleep(120 * time.Millisecond)
		if ok, _ := s.IsSeen(ctx, "short"); ok {
			t.Fatal("the Once key outlived OnceTTL")
		}
	})

	t.Run("marked batch", func(t *testing.T) {
		s := open(t)
		b := state.Batch{
			Incrs:   []state.BatchIncr{{Name: "m-posts", Period: state.Day, At: at, N: 1}, {Name: "m-twice", Period: state.Day, At: at, N: 2}},
			SetAdds: []state.BatchSetAdd{{Set: "m-sources", Members: []string{"feed"}}},
		}
		edge := uint64(1 << 20) // a mark chunk's first sequence
		steps := []struct {
			name   string
			set    string
			ranges []state.SeqRange
			fresh  int64
		}{
			{"new ranges", "posts@1", []state.SeqRange{{From: 1, To: 10}, {From: 20, To: 20}}, 11},
			{"the same again", "posts@1", []state.SeqRange{{From: 1, To: 10}, {From: 20, To: 20}}, 0},
			{"overlapping", "posts@1", []state.SeqRange{{From: 5, To: 15}, {From: 20, To: 21}}, 6},
			{"across a chunk boundary", "posts@1", []state.SeqRange{{From: edge - 2, To: edge + 1}}, 4},
			{"inside the last one", "posts@1", []state.SeqRange{{From: edge - 1, To: edge}}, 0},
			{"another set", "posts@2", []state.SeqRange{{From: 1, To: 10}}, 10},
			{"nothing", "posts@1", nil, 0},
		}
		var total int64
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				fresh, err := s.ApplyMarked(ctx, st.set, time.Hour, st.ranges, b)
				if err != nil || fresh != st.fresh {
					t.Fatalf("ApplyMarked(%s, %v) = %d, %v; want %d", st.set, st.ranges, fresh, err, st.fresh)
				}
				total += st.fresh
				if got, _ := s.Count(ctx, "m-posts", state.Day, at); got != total {
					t.Fatalf("Count(m-posts) = %d, want %d", got, total)
				}
				if got, _ := s.Count(ctx, "m-twice", state.Day, at); got != 2*total {
					t.Fatalf("Count(m-twice) = %d, want %d: N is per fresh sequence", got, 2*total)
				}
			})
		}
		if got, _ := s.SetMembers(ctx, "m-sources"); len(got) != 1 || got[0] != "feed" {
			t.Fatalf("SetMembers(m-sources) = %v", got)
		}
		if _, err := s.ApplyMarked(ctx, "posts@1", time.Hour, []state.SeqRange{{From: 9, To: 3}}, b); err == nil {
			t.Fatal("a reversed range: no error")
		}
		withOnce := b
		withOnce.Once = "x"
		if _, err := s.ApplyMarked(ctx, "posts@1", time.Hour, []state.SeqRange{{From: 100, To: 101}}, withOnce); err == nil {
			t.Fatal("a marked batch with a Once key: no error")
		}
		if got, _ := s.Count(ctx, "m-posts", state.Day, at); got != total {
			t.Fatalf("refused batches counted: %d, want %d", got, total)
		}
	})

	t.Run("marked batch concurrent", func(t *testing.T) {
		// Workers racing over overlapping ranges, as a recount after a
		// crash races the tallies it repeats: every sequence counts once.
		s := open(t)
		b := state.Batch{Incrs: []state.BatchIncr{{Name: "mc", Period: state.Day, At: at, N: 1}}}
		var fresh atomic.Int64
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					from := uint64((w*37 + i*13) % 900)
					n, err := s.ApplyMarked(ctx, "mc", time.Hour, []state.SeqRange{{From: from + 1, To: from + 100}}, b)
					if err != nil {
						t.Error(err)
						return
					}
					fresh.Add(n)
				}
			}()
		}
		wg.Wait()
		// Every range lies in 1..999 and together they cover all of it.
		n, err := s.ApplyMarked(ctx, "mc", time.Hour, []state.SeqRange{{From: 1, To: 1000}}, b)
		if err != nil {
			t.Fatal(err)
		}
		if got := fresh.Load() + n; got != 1000 {
			t.Fatalf("fresh sequences = %d, want 1000", got)
		}
		if got, _ := s.Count(ctx, "mc", state.Day, at); got != 1000 {
			t.Fatalf("Count = %d, want 1000", got)
		}
	})

	t.Run("ping", func(t *testing.T) {
		if err := open(t).Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
