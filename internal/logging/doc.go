// Package logging builds the one *zap.Logger a process injects everywhere:
// JSON lines in production, coloured console lines in development.
package logging
