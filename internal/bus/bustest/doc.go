// Package bustest opens buses for tests: an embedded server on a temporary
// data directory, or the real server at 127.0.0.1:4222 (HW_TEST_NATS_URL)
// in a namespace of the test's own, so parallel test packages never share
// a stream.
package bustest
