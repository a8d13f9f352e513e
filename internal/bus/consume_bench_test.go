package bus_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// BenchmarkConsumeDeferAck: what the bus costs per post between the
// stream and a deferred-ack handler that acks at once (the detector's
// shape without the detection): delivery, Msg, heartbeat, ack. Run with
// -benchtime=20000x; the posts are published beforehand.
func BenchmarkConsumeDeferAck(b *testing.B) {
	bb := bustest.Embedded(b, "")
	ctx := context.Background()
	outs := make([]bus.Out, 0, 1000)
	for i := 0; i < b.N; i++ {
		p := wire.Post{Schema: 1, Source: "s", SourceKind: "rss", ID: fmt.Sprint(i), Text: "lovely weather at the market today, see you there"}
		outs = append(outs, bus.Out{Subject: p.Subject(), MsgID: p.Key(), V: p})
		if len(outs) == cap(outs) || i == b.N-1 {
			if _, err := bb.PublishBatch(ctx, outs); err != nil {
				b.Fatal(err)
			}
			outs = outs[:0]
		}
	}
	var n atomic.Int64
	done := make(chan struct{})
	cctx, cancel := context.WithCancel(ctx)
	spec := bus.ConsumerSpec{Stream: bus.StreamPosts, Durable: "bench", DeferAck: true, MaxAckPending: 1 << 16, MaxInFlight: 128}
	b.ResetTimer()
	cpu0 := cpuNanos()
	go func() {
		_ = bb.Consume(cctx, spec, func(_ context.Context, m bus.Msg) error {
			if n.Add(1) == int64(b.N) {
				close(done)
			}
			return m.Ack()
		})
	}()
	<-done
	b.StopTimer()
	b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
	cancel()
}

// cpuNanos is the user and system time the process has used: on a
// machine shared with other work, steadier than the wall time.
func cpuNanos() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
