// Package bench owns `handlewatch bench`: it generates a deterministic
// corpus, measures scan, the detector and (through a hook internal/app
// fills) the whole pipeline, each beside a baseline measured in the same
// run, and writes one JSON object per line:
//
//	{"name","value","unit","baseline","baseline_value","ratio"}
//
// ratio is handlewatch's time for the work over the baseline's time for the
// same work, so below 1.0 is faster; a goal rather than a program as the
// baseline is written "goal", and a baseline that could not be measured
// (ripgrep missing) has null baseline_value and ratio.
package bench
