package source

// PerTarget is implemented by an adapter whose targets need different
// mechanisms (Bluesky: author feeds are polled, the Jetstream firehose is
// streamed). The crawler asks it once per target and uses what it returns,
// which must be a Poller or a Streamer. An adapter that is only a Poller
// or only a Streamer need not implement it.
type PerTarget interface {
	ForTarget(t Target) (any, error)
}

// Finite is implemented by a Streamer whose input ends by itself (dump
// files). Under Once such a stream runs to its end; any other stream runs
// for crawler.once_stream_timeout.
type Finite interface {
	Finite() bool
}
