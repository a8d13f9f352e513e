//go:build race

package detector

// raceEnabled: the race detector slows reading a 256 MiB bomb past any
// test budget.
const raceEnabled = true
