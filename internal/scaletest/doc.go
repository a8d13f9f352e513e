// Package scaletest owns the tests that run handlewatch as its operators
// do: the real binary, built once per test run, as separate crawl, detect
// and sink processes against one NATS and one Redis, with stages killed
// (-9), servers restarted and flushed, receivers failing and disks full
// mid-run. It has no code of its own outside the tests; the deploy/
// compose file is checked here against the command line too.
package scaletest
