//go:build race

package detector

// raceEnabled: the race detector slows reading a 256 MiB bomb past any
// test budget.
const raceEnabled = true

// scanBadHuge is how many 50 MB lines and dump bombs the bad-input scan
// gets under the race detector: each costs seconds there.
const scanBadHuge = 1
