// Package benchcorpus owns the one generated corpus of everyday posts that
// every speed measurement reads: `handlewatch bench` (internal/bench) and
// the detector's Go benchmarks, so their numbers describe the same text.
// It depends on nothing of the project.
package benchcorpus
