//go:build !race

package detector

const raceEnabled = false

// scanBadHuge is how many 50 MB lines and dump bombs the bad-input scan
// gets of each class.
const scanBadHuge = 4
