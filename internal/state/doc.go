// Package state owns the small stores of hot, derivable state that the
// stages share: seen keys with a TTL, cursors, windowed counters, distinct
// counts and sets (watchlists). Each store is one small interface with a
// memory implementation (one process, nothing configured) and a Redis one
// (shared by every process); statetest holds the one conformance suite that
// both must pass.
//
// Nothing here is the log of record: JetStream is. Everything in these
// stores can be rebuilt by replaying the streams.
package state
