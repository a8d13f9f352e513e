// Package bus owns handlewatch's NATS plumbing: the embedded JetStream
// server (the zero-setup default) or a connection to an external server or
// cluster, the streams of the wire contract created idempotently at
// start-up, publishing with message ids so repeats are dropped, durable pull
// consumers with explicit ack, bounded redelivery and Term for poison
// messages, and replay of a stream for rebuilding derived state.
package bus
