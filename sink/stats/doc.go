// Package stats owns the research figures: counters per source, app and
// day (posts scanned, findings, distinct handles, cases confirmed),
// prevalence with Wilson intervals, and pseudonymised exports.
package stats
