package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// servers runs each test against the embedded server and against the real
// one on 127.0.0.1:4222 (Debian's 2.9 in CI).
func servers(t *testing.T, fn func(t *testing.T, b *bus.Bus)) {
	t.Run("embedded", func(t *testing.T) { fn(t, bustest.Embedded(t, "")) })
	t.Run("external", func(t *testing.T) { fn(t, bustest.External(t)) })
}

type collected struct {
	mu   sync.Mutex
	msgs []bus.Msg
}

func (c *collected) add(m bus.Msg) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collected) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func consume(t *testing.T, b *bus.Bus, spec bus.ConsumerSpec, h bus.Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Consume(ctx, spec, h) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Consume: %v", err)
		}
	}
}

func TestPublishDedupeAndConsume(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		post := wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: "1", Text: "hello"}
		for i, wantDup := range []bool{false, true} {
			dup, err := b.Publish(ctx, post.Subject(), post.Key(), post)
			if err != nil || dup != wantDup {
				t.Fatalf("publish #%d: dup=%v err=%v, want dup=%v", i, dup, err, wantDup)
			}
		}
		var got collected
		stop := consume(t, b, bus.ConsumerSpec{Stream: bus.StreamPosts, Durable: "detector"},
			func(_ context.Context, m bus.Msg) error { got.add(m); return nil })
		waitFor(t, "one message", func() bool { return got.len() == 1 })
		stop()
		m := got.msgs[0]
		if m.Subject != "hw.posts.rss.s" || m.MsgID != "s/1" {
			t.Fatalf("got subject %q msg id %q", m.Subject, m.MsgID)
		}
		var back wire.Post
		if err := json.Unmarshal(m.Data, &back); err != nil || back.Text != "hello" {
			t.Fatalf("payload %s: %v", m.Data, err)
		}
		// Acked on a work queue: the stream is empty now.
		st, _ := b.JetStream().Stream(ctx, b.StreamName(bus.StreamPosts))
		info, _ := st.Info(ctx)
		if info.State.Msgs != 0 {
			t.Fatalf("%d messages left in the work queue after ack", info.State.Msgs)
		}
	})
}

func TestPoisonIsTerminatedAndFailuresAreBounded(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		for i := range 3 {
			f := wire.Finding{Schema: 1, ID: fmt.Sprint(i), Post: wire.PostRef{Source: "s", ID: fmt.Sprint(i)}}
			if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		calls := map[string]int{}
		stop := consume(t, b, bus.ConsumerSpec{Stream: bus.StreamFindings, Durable: "sink", MaxDeliver: 3,
			Backoff: []time.Duration{10 * time.Millisecond}},
			func(_ context.Context, m bus.Msg) error {
				mu.Lock()
				calls[m.MsgID]++
				mu.Unlock()
				switch m.MsgID {
				case "0":
					return bus.Poison(errors.New("bad schema"))
				case "1":
					return errors.New("receiver down")
				}
				return nil
			})
		waitFor(t, "deliveries", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return calls["0"] == 1 && calls["1"] == 3 && calls["2"] == 1
		})
		time.Sleep(200 * time.Millisecond) // no further redelivery
		stop()
		mu.Lock()
		defer mu.Unlock()
		if calls["0"] != 1 || calls["1"] != 3 || calls["2"] != 1 {
			t.Fatalf("deliveries = %v, want poison once, failing 3 times (MaxDeliver), good once", calls)
		}
		// Both given up on are kept as dead letters with their reasons.
		got := map[string]bus.DeadLetter{}
		if err := b.DeadLetters(ctx, func(d bus.DeadLetter) error { got[d.MsgID] = d; return nil }); err != nil {
			t.Fatal(err)
		}
		if d := got["0"]; len(got) != 2 || !d.Poison || d.Stream != bus.StreamFindings || d.Consumer != "sink" ||
			!strings.Contains(d.Reason, "bad schema") || !strings.Contains(string(d.Data), `"id":"0"`) {
			t.Fatalf("dead letters = %+v, want the poison one with its reason and data", got)
		}
		if d := got["1"]; d.Poison || d.Delivered != 3 || !strings.Contains(d.Reason, "receiver down") {
			t.Fatalf("dead letter of the failing message = %+v", d)
		}
	})
}

func TestReplay(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		if err := b.Replay(ctx, bus.StreamCases, "", func(bus.Msg) error { return errors.New("called on empty") }); err != nil {
			t.Fatalf("replay of empty stream: %v", err)
		}
		for i := range 5 {
			e := wire.CaseEvent{Schema: 1, ID: fmt.Sprint(i), CaseID: "c", Type: wire.EventDecision,
				Decision: wire.DecisionConfirm, Actor: "m"}
			if _, err := b.Publish(ctx, e.Subject(), e.ID, e); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		err := b.Replay(ctx, bus.StreamCases, "hw.cases.decision", func(m bus.Msg) error {
			ids = append(ids, m.MsgID)
			return nil
		})
		if err != nil || fmt.Sprint(ids) != "[0 1 2 3 4]" {
			t.Fatalf("replayed %v, %v", ids, err)
		}
		// Replay reads, it does not consume: a second replay sees the same.
		n := 0
		if err := b.Replay(ctx, bus.StreamCases, "", func(bus.Msg) error { n++; return nil }); err != nil || n != 5 {
			t.Fatalf("second replay saw %d, %v", n, err)
		}
		// A replay stopped early (from 2, the stream's end is 5 when it
		// starts: the sink's start-up replay racing new messages) leaves
		// no consumer behind with the rest pending on it.
		if _, err := b.ReplayFrom(ctx, bus.StreamCases, "", 2, func(bus.Msg) error { return nil }); err != nil {
			t.Fatal(err)
		}
		st, err := b.JetStream().Stream(ctx, b.StreamName(bus.StreamCases))
		if err != nil {
			t.Fatal(err)
		}
		names := st.ConsumerNames(ctx)
		var left []string
		for name := range names.Name() {
			left = append(left, name)
		}
		if len(left) > 0 {
			t.Fatalf("consumers left after the replays: %v", left)
		}
	})
}

func TestCursors(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		c, err := b.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := c.Cursor(ctx, "reddit/r/x new"); ok || err != nil {
			t.Fatalf("missing cursor: ok=%v err=%v", ok, err)
		}
		if err := c.SetCursor(ctx, "reddit/r/x new", "t3_abc"); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := c.Cursor(ctx, "reddit/r/x new"); v != "t3_abc" || !ok || err != nil {
			t.Fatalf("cursor = %q %v %v", v, ok, err)
		}
	})
}

// TestEmbeddedKeepsDataAcrossRestart: the embedded server's data dir is the
// log of record when no external NATS is configured.
func TestEmbeddedKeepsDataAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	log := zaptest.NewLogger(t)
	b, err := bus.Open(ctx, bus.Config{DataDir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	e := wire.CaseEvent{Schema: 1, ID: "x", CaseID: "c", Type: wire.EventDecision, Decision: wire.DecisionDismiss, Actor: "m"}
	if _, err := b.Publish(ctx, e.Subject(), e.ID, e); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b, err = bus.Open(ctx, bus.Config{DataDir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if dup, err := b.Publish(ctx, e.Subject(), e.ID, e); err != nil || !dup {
		t.Fatalf("republish after restart: dup=%v err=%v, want a duplicate", dup, err)
	}
	n := 0
	if err := b.Replay(ctx, bus.StreamCases, "", func(bus.Msg) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("after restart replay saw %d, %v", n, err)
	}
	if err := b.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  bus.Config
		ok   bool
	}{
		{"defaults", bus.Config{}, true},
		{"bad namespace", bus.Config{Namespace: "a.b"}, false},
		{"too many replicas", bus.Config{Replicas: 9}, false},
		{"tiny findings retention", bus.Config{FindingsRetention: time.Second}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.WithDefaults().Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestFollowSeesEveryMessageInEveryProcess(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		publish := func(i int) {
			e := wire.CaseEvent{Schema: 1, ID: fmt.Sprint(i), CaseID: "c", Type: wire.EventDecision, Decision: wire.DecisionConfirm, Actor: "m"}
			if _, err := b.Publish(ctx, e.Subject(), e.ID, e); err != nil {
				t.Fatal(err)
			}
		}
		publish(1)
		publish(2)
		var mu sync.Mutex
		seen := map[string][]uint64{}
		failedOnce := false
		var wg sync.WaitGroup
		for _, who := range []string{"a", "b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = b.Follow(ctx, bus.StreamCases, 2, func(_ context.Context, m bus.Msg) error {
					mu.Lock()
					defer mu.Unlock()
					if who == "a" && m.Seq == 3 && !failedOnce {
						failedOnce = true
						return errors.New("transient")
					}
					if m.Subject != "hw.cases.decision" {
						t.Errorf("subject %q not mapped back to the wire form", m.Subject)
					}
					seen[who] = append(seen[who], m.Seq)
					return nil
				})
			}()
		}
		publish(3)
		waitFor(t, "both followers", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(seen["a"]) == 2 && len(seen["b"]) == 2
		})
		cancel()
		wg.Wait()
		if fmt.Sprint(seen["a"]) != "[2 3]" || fmt.Sprint(seen["b"]) != "[2 3]" {
			t.Fatalf("followers saw %v, want [2 3] each (from seq 2, the failed one retried in order)", seen)
		}
	})
}

// TestDeferredAck: with DeferAck a handled message stays pending (not
// redelivered while it is held, not removed from the work queue) until
// Msg.Ack, and every message names its stream by name and creation time.
func TestDeferredAck(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		const n = 20
		for i := range n {
			post := wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: fmt.Sprint(i), Text: "hello"}
			if _, err := b.Publish(ctx, post.Subject(), post.Key(), post); err != nil {
				t.Fatal(err)
			}
		}
		var got collected
		spec := bus.ConsumerSpec{Stream: bus.StreamPosts, Durable: "detector", DeferAck: true, MaxAckPending: 5000}
		stop := consume(t, b, spec, func(_ context.Context, m bus.Msg) error { got.add(m); return nil })
		defer stop()
		waitFor(t, "every message", func() bool { return got.len() == n })
		cons, err := b.JetStream().Consumer(ctx, b.StreamName(bus.StreamPosts), "detector")
		if err != nil {
			t.Fatal(err)
		}
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending != n || info.Config.MaxAckPending != 5000 {
			t.Fatalf("held: %d pending acks (max %d), want %d (max 5000)", info.NumAckPending, info.Config.MaxAckPending, n)
		}
		if floor, _ := b.AckFloor(ctx, bus.StreamPosts, "detector"); floor != 0 {
			t.Fatalf("ack floor %d before any ack", floor)
		}
		st, _ := b.JetStream().Stream(ctx, b.StreamName(bus.StreamPosts))
		sinfo, _ := st.Info(ctx)
		want := fmt.Sprintf("%s@%d", b.StreamName(bus.StreamPosts), sinfo.Created.UnixNano())
		got.mu.Lock()
		msgs := append([]bus.Msg(nil), got.msgs...)
		got.mu.Unlock()
		for _, m := range msgs {
			if m.Stream != want {
				t.Fatalf("message stream %q, want %q", m.Stream, want)
			}
			if err := m.Ack(); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the work queue empty after the acks", func() bool {
			info, err := st.Info(ctx)
			return err == nil && info.State.Msgs == 0
		})
		if got.len() != n {
			t.Fatalf("%d deliveries of %d messages: a held message was redelivered", got.len(), n)
		}
		if err := (bus.Msg{}).Ack(); err == nil {
			t.Fatal("Ack of a message without a delivery: no error")
		}
	})
}

// TestSlowHandlerKeepsItsMessage: a handler that runs for several of the
// server's ack waits keeps its message (in-progress acks while it runs):
// it is not delivered again meanwhile.
func TestSlowHandlerKeepsItsMessage(t *testing.T) {
	for _, deferAck := range []bool{false, true} {
		t.Run(fmt.Sprintf("defer_ack=%v", deferAck), func(t *testing.T) {
			servers(t, func(t *testing.T, b *bus.Bus) {
				ctx := context.Background()
				b.SetServerAckWait(time.Second)
				post := wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: "slow", Text: "hello"}
				if _, err := b.Publish(ctx, post.Subject(), post.Key(), post); err != nil {
					t.Fatal(err)
				}
				var got collected
				spec := bus.ConsumerSpec{Stream: bus.StreamPosts, Durable: "slow", DeferAck: deferAck}
				stop := consume(t, b, spec, func(_ context.Context, m bus.Msg) error {
					got.add(m)
					if got.len() == 1 {
						time.Sleep(3500 * time.Millisecond) // three and a half server ack waits
					}
					if deferAck {
						return m.Ack()
					}
					return nil
				})
				waitFor(t, "the message", func() bool { return got.len() >= 1 })
				time.Sleep(5 * time.Second) // the handler's 3.5 s, then time for a redelivery
				stop()
				got.mu.Lock()
				defer got.mu.Unlock()
				if len(got.msgs) != 1 {
					t.Fatalf("%d deliveries: the slow handler's message came again while in hand", len(got.msgs))
				}
			})
		})
	}
}

// TestPublishEncodesAsEncodingJSON: what Publish sends is encoding/json's
// encoding of the wire types byte for byte, odd text included (HTML,
// invalid UTF-8, line separators, control characters).
func TestPublishEncodesAsEncodingJSON(t *testing.T) {
	b := bustest.Embedded(t, "")
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 14, 0, 0, 123456789, time.FixedZone("x", 3600))
	var want [][]byte
	for i, s := range []string{"plain", "<a href='x'>&amp;</a>", "bad \xff\xfe utf8", "line\u2028sep\u2029", "ctl\t\n\r\x00\x1f\x7f",
		"emoji 😀 ｔ．ｍｅ", `"quoted\"`} {
		post := &wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: fmt.Sprint(i), Text: s, Author: s, Links: []string{s},
			CreatedAt: at, FetchedAt: at.UTC()}
		finding := &wire.Finding{Schema: 1, ID: fmt.Sprint("f", i), Post: post.Ref(), Score: 0.1 + 0.2, Excerpt: wire.Excerpt{Text: s, Spans: []wire.Span{{Start: 1, End: 2}}},
			Handles: []wire.Handle{{App: "kik", Handle: s, Raw: s}}}
		for _, v := range []any{post, finding} {
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, data)
			if _, err := b.Publish(ctx, wire.SubjectFindings+".test", fmt.Sprint("m", len(want)), v); err != nil {
				t.Fatal(err)
			}
		}
	}
	i := 0
	if err := b.Replay(ctx, bus.StreamFindings, "", func(m bus.Msg) error {
		if string(m.Data) != string(want[i]) {
			t.Errorf("message %d:\n got %s\nwant %s", i, m.Data, want[i])
		}
		i++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if i != len(want) {
		t.Fatalf("replayed %d of %d", i, len(want))
	}
}

// TestPublishBatch: a batch larger than the window is stored in order,
// each message once; repeats (inside the batch and of an earlier
// publish) are reported and dropped.
func TestPublishBatch(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		first := wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: "0", Text: "hello"}
		if _, err := b.Publish(ctx, wire.SubjectFindings+".test", first.Key(), first); err != nil {
			t.Fatal(err)
		}
		const n = bus.BatchWindow*2 + 10
		var outs []bus.Out
		for i := range n {
			p := wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: fmt.Sprint(i), Text: "hello"}
			outs = append(outs, bus.Out{Subject: wire.SubjectFindings + ".test", MsgID: p.Key(), V: p})
		}
		outs = append(outs, outs[7]) // a repeat inside the batch
		dup, err := b.PublishBatch(ctx, outs)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range dup {
			if want := i == 0 || i == len(outs)-1; d != want {
				t.Errorf("message %d (%s): duplicate %v, want %v", i, outs[i].MsgID, d, want)
			}
		}
		var ids []string
		if err := b.Replay(ctx, bus.StreamFindings, "", func(m bus.Msg) error { ids = append(ids, m.MsgID); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(ids) != n || ids[0] != "s/0" || ids[n-1] != fmt.Sprint("s/", n-1) {
			t.Fatalf("stored %d messages (%v … %v), want %d", len(ids), ids[:1], ids[len(ids)-1:], n)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := b.PublishBatch(cctx, outs[:3]); !errors.Is(err, context.Canceled) {
			t.Fatalf("batch on a cancelled context: %v", err)
		}
	})
}
