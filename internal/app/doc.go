// Package app owns the command line and the wiring: it loads the config,
// builds the logger, state store, bus and metrics registry once, and
// chains the stages (crawler → detector → sink) in one place, with the
// staged graceful shutdown. cmd/handlewatch only calls Main.
package app
