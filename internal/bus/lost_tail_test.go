package bus_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// privateServer is a nats-server (the system one: Debian's 2.9, what the
// scale tests run) with JetStream on a store directory of the test's own,
// so the test can stop it and change its files.
type privateServer struct {
	t         *testing.T
	bin, addr string
	store     string
	cmd       *exec.Cmd
	done      chan struct{}
}

func startPrivateServer(t *testing.T) *privateServer {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nats-server", "/usr/local/bin/nats-server"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("nats-server not installed (scripts/services.sh installs it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &privateServer{t: t, bin: bin, addr: addr, store: t.TempDir()}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *privateServer) start() {
	s.t.Helper()
	host, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command(s.bin, "-js", "-a", host, "-p", port, "-sd", s.store)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("nats-server not answering on %s", s.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *privateServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// loseTail leaves the first keep messages of stream on disk and drops
// the rest, as a file store does when its write-behind buffer fails to
// reach a full disk: those publishes were acknowledged (and delivered
// from the buffer), yet they are gone, and the stream's last sequence
// goes back. The consumers' state files are left as they are: they
// remember having delivered the lost sequences. The server must be
// stopped.
func (s *privateServer) loseTail(t *testing.T, stream string, keep int) {
	t.Helper()
	msgs := filepath.Join(s.store, "jetstream", "$G", "streams", stream, "msgs")
	blk := filepath.Join(msgs, "1.blk")
	data, err := os.ReadFile(blk)
	if err != nil {
		t.Fatalf("reading the stream's block: %v", err)
	}
	off := 0
	for range keep {
		if off+4 > len(data) {
			t.Fatalf("block has fewer than %d messages", keep)
		}
		off += int(binary.LittleEndian.Uint32(data[off:]) &^ (1 << 31))
	}
	if err := os.WriteFile(blk, data[:off], 0o640); err != nil {
		t.Fatal(err)
	}
	// The block's index and per-subject files describe the messages that
	// are gone: without them the server rebuilds its state from the block.
	for _, ext := range []string{"idx", "fss"} {
		if err := os.Remove(filepath.Join(msgs, "1."+ext)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// TestConsumeAfterTheStreamLostItsTail: a stream loses the tail of its
// messages (acknowledged, delivered, acked by the consumer) and takes
// new messages at the sequences it lost. The durable consumer remembers
// having delivered those sequences and would skip the new messages for
// good: a finding in the stream that the sink never counts or alerts.
// Consume notices that the stream went back and hands every message of
// the stream to the handler.
func TestConsumeAfterTheStreamLostItsTail(t *testing.T) {
	srv := startPrivateServer(t)
	ctx := context.Background()
	cfg := bus.Config{URL: "nats://" + srv.addr, Namespace: "lost", DuplicateWindow: time.Hour,
		PostsRetention: time.Hour, FindingsRetention: 24 * time.Hour}
	b, err := bus.Open(ctx, cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	publish := func(prefix string, n int) {
		t.Helper()
		for i := range n {
			f := wire.Finding{Schema: 1, ID: fmt.Sprintf("%s%d", prefix, i), Post: wire.PostRef{Source: "s", ID: fmt.Sprintf("%s%d", prefix, i)}}
			if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
				t.Fatalf("publishing %s: %v", f.ID, err)
			}
		}
	}
	var mu sync.Mutex
	handled := map[string]uint64{} // msg id → stream sequence
	has := func(ids ...string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			if _, ok := handled[id]; !ok {
				return false
			}
		}
		return true
	}
	spec := bus.ConsumerSpec{Stream: bus.StreamFindings, Durable: "sink", Backoff: []time.Duration{10 * time.Millisecond}}
	stop := consume(t, b, spec, func(_ context.Context, m bus.Msg) error {
		mu.Lock()
		handled[m.MsgID] = m.Seq
		mu.Unlock()
		return nil
	})
	defer stop()

	publish("old", 10)
	waitFor(t, "the first ten findings handled", func() bool {
		return has("old0", "old1", "old2", "old3", "old4", "old5", "old6", "old7", "old8", "old9")
	})
	// The acks reach the consumer's state file before the server stops.
	time.Sleep(500 * time.Millisecond)
	srv.stop()
	srv.loseTail(t, "LOST_FINDINGS", 6)
	srv.start()

	// The fault as the disk-full run meets it: the stream went back to
	// sequence 6 and the consumer is past it.
	st, err := b.JetStream().Stream(ctx, "LOST_FINDINGS")
	waitFor(t, "the stream after the restart", func() bool {
		st, err = b.JetStream().Stream(ctx, "LOST_FINDINGS")
		return err == nil
	})
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.LastSeq != 6 {
		t.Skipf("the server kept sequence %d after losing the tail: not the fault this test is about", info.State.LastSeq)
	}
	// New findings take sequences 7 to 12, four of them ones the
	// consumer delivered before.
	publish("new", 6)
	want := []string{"new0", "new1", "new2", "new3", "new4", "new5"}
	deadline := time.Now().Add(15 * time.Second)
	for !has(want...) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range want {
		if _, ok := handled[id]; !ok {
			t.Errorf("finding %s is in the stream but was never handed to the handler", id)
		}
	}
}

// TestConfirmPublishesAgainWhatTheStreamLost: publishes acknowledged and
// then lost with the stream's tail are found by Confirm and published
// again; the ones the stream kept are left alone.
func TestConfirmPublishesAgainWhatTheStreamLost(t *testing.T) {
	srv := startPrivateServer(t)
	ctx := context.Background()
	cfg := bus.Config{URL: "nats://" + srv.addr, Namespace: "confirm", DuplicateWindow: time.Hour,
		PostsRetention: time.Hour, FindingsRetention: 24 * time.Hour}
	b, err := bus.Open(ctx, cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	publish := func(prefix string, n int) []bus.Receipt {
		t.Helper()
		var rs []bus.Receipt
		for i := range n {
			f := wire.Finding{Schema: 1, ID: fmt.Sprintf("%s%d", prefix, i), Post: wire.PostRef{Source: "s", ID: fmt.Sprintf("%s%d", prefix, i)}}
			r, _, err := b.PublishReceipt(ctx, f.Subject(), f.ID, f)
			if err != nil {
				t.Fatalf("publishing %s: %v", f.ID, err)
			}
			rs = append(rs, r)
		}
		return rs
	}
	old := publish("old", 10)
	if again, err := b.Confirm(ctx, old); err != nil || again != 0 {
		t.Fatalf("Confirm with nothing lost = %d, %v; want 0, nil", again, err)
	}
	srv.stop()
	srv.loseTail(t, "CONFIRM_FINDINGS", 6)
	srv.start()
	waitFor(t, "the stream after the restart", func() bool {
		_, err := b.JetStream().Stream(ctx, "CONFIRM_FINDINGS")
		return err == nil
	})
	publish("new", 2) // at sequences 7 and 8, two of the lost ones
	var again int
	waitFor(t, "Confirm", func() bool {
		again, err = b.Confirm(ctx, old)
		return err == nil
	})
	if again != 4 {
		t.Errorf("Confirm published %d again, want the 4 the stream lost", again)
	}
	got := map[string]int{}
	if err := b.Replay(ctx, bus.StreamFindings, "", func(m bus.Msg) error {
		var f wire.Finding
		if err := json.Unmarshal(m.Data, &f); err != nil {
			return err
		}
		got[f.ID]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"old0", "old1", "old2", "old3", "old4", "old5", "old6", "old7", "old8", "old9", "new0", "new1"} {
		if got[id] != 1 {
			t.Errorf("finding %s is in the stream %d times, want once", id, got[id])
		}
	}
}

// TestTailWatchQuietWhileNothingIsLost: with messages published and
// consumed all along, the tail watch never takes the stream for one that
// went back (its checks race the publishes) and hands nothing over
// again: every message reaches the handler once.
func TestTailWatchQuietWhileNothingIsLost(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		var mu sync.Mutex
		calls := map[string]int{}
		stop := consume(t, b, bus.ConsumerSpec{Stream: bus.StreamFindings, Durable: "sink"}, func(_ context.Context, m bus.Msg) error {
			mu.Lock()
			calls[m.MsgID]++
			mu.Unlock()
			return nil
		})
		n := 0
		for start := time.Now(); time.Since(start) < 3500*time.Millisecond; n++ {
			f := wire.Finding{Schema: 1, ID: fmt.Sprint("q", n), Post: wire.PostRef{Source: "s", ID: fmt.Sprint(n)}}
			if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		waitFor(t, "every message handled", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(calls) == n
		})
		time.Sleep(1500 * time.Millisecond) // one more check
		stop()
		mu.Lock()
		defer mu.Unlock()
		for id, c := range calls {
			if c != 1 {
				t.Errorf("message %s handled %d times, want once", id, c)
			}
		}
	})
}

// TestPoisonStaysTerminated: a terminated poison message does not come
// back after the server's ack wait (10 s). nats-server 2.9 ignores a
// "+TERM" with a reason, and redelivered poison every ack wait for good.
func TestPoisonStaysTerminated(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		f := wire.Finding{Schema: 1, ID: "poison", Post: wire.PostRef{Source: "s", ID: "1"}}
		if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		calls := 0
		stop := consume(t, b, bus.ConsumerSpec{Stream: bus.StreamFindings, Durable: "sink"}, func(context.Context, bus.Msg) error {
			mu.Lock()
			calls++
			mu.Unlock()
			return bus.Poison(errors.New("bad schema"))
		})
		time.Sleep(12 * time.Second) // past the server's ack wait
		stop()
		mu.Lock()
		defer mu.Unlock()
		if calls != 1 {
			t.Errorf("poison handled %d times in 12 s, want once (terminated)", calls)
		}
	})
}
