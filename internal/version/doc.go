// Package version holds the build's version and commit, set by the
// Makefile with -ldflags, with the module's build info as a fallback.
package version
