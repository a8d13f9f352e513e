// Package bus owns handlewatch's NATS plumbing: the embedded JetStream
// server (the zero-setup default) or a connection to an external server or
// cluster, the streams of the wire contract created idempotently at
// start-up, publishing with message ids so repeats are dropped, durable pull
// consumers with explicit ack, bounded redelivery and Term for poison
// messages (kept first as dead-letter records on hw.dead.> with the
// reason), replay of a stream (from a checkpoint) for rebuilding derived
// state, leases in a key-value bucket for the processes sharing one NATS
// (crawl targets, the sink's state mode), and the client file through which
// `stats` and `export` reach the embedded server of a running process.
package bus
