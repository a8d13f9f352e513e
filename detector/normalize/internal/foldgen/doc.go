// Package foldgen builds the per-code-point fold table of package normalize
// from Unicode's published data: compatibility decomposition and case folding
// from golang.org/x/text, default-ignorable code points and general
// categories from the standard library, and confusables (UTS #39) from
// go.mau.fi/util/confusable, completed by the hand-written supplement.
//
// It is a library so that both the generator command (internal/gen, run by
// go generate) and the normalize tests (which check that the committed table
// is up to date) call the same code.
package foldgen
