// Package model owns the detector's trained scorer: a logistic regression
// over hashed features (words, word pairs, stems, rule hits and their
// distance to the handle, ages, emoji), its training with a fixed seed,
// its Platt calibration on a validation split, the finding threshold chosen
// on that split, and its versioned file format.
//
// The package knows nothing of posts or rules: callers turn a post into a
// Vector of named features (detector/features.go) and the model turns a
// Vector into a calibrated probability and the features that pushed it
// most. Everything here is pure and deterministic for a seed.
package model
