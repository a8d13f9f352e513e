package sink

// API CONTRACT: cmd/handlewatch depends on these names and signatures:
// Config (config.go), Deps and Bus (here), New, (*Sink).Run, Handler and
// Ready (sink.go).

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/sink/web"
)

// Bus is what the sink needs of NATS (*bus.Bus has it). To see every case
// event as it happens, the sink also needs JetStream itself (JetStream and
// StreamName, which *bus.Bus has): see follow.go.
type Bus interface {
	Consume(ctx context.Context, spec bus.ConsumerSpec, h bus.Handler) error
	Publish(ctx context.Context, subject, msgID string, v any) (bool, error)
	Replay(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error
	// ReplayFrom replays from a sequence on and returns the sequence the
	// replay reached (the next checkpoint).
	ReplayFrom(ctx context.Context, stream, filter string, from uint64, fn func(bus.Msg) error) (uint64, error)
	// AckFloor is the sequence up to which a durable consumer has acked
	// everything.
	AckFloor(ctx context.Context, stream, durable string) (uint64, error)
	// Follow tails a stream from a sequence with a consumer of this
	// process's own: every sink process sees every case event.
	Follow(ctx context.Context, stream string, from uint64, fn func(context.Context, bus.Msg) error) error
}

// Deps is what the sink needs from its process.
type Deps struct {
	Log     *zap.Logger
	Bus     Bus
	Store   state.Store // memory or Redis; a *state.Redis also holds the cases
	Metrics prometheus.Registerer
	// SourceHealth reports the crawl targets' health for the dashboard's
	// sources page; nil when this process does not crawl.
	SourceHealth func() []web.SourceHealth
}
