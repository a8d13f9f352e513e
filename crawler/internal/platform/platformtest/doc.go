// Package platformtest holds the test helpers of the platform adapters: a
// fake source.Fetcher that serves recorded fixtures by method, host and
// path and keeps every request for assertions, golden files with -update,
// and the media checks every adapter's output must pass.
package platformtest
