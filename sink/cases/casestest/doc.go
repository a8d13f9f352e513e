// Package casestest is the conformance suite every cases.Store passes: the
// memory one always, the Redis one against the real server.
package casestest
