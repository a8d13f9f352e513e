// Package statetest is the one conformance suite every state.Store
// implementation must pass: the memory store always, the Redis store
// against the real server.
package statetest
