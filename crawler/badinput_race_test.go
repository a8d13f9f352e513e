//go:build race

package crawler

// badInputHuge is how many payloads of the large classes (50 MB fields,
// endless bodies, bombs) each kind gets: few under the race detector,
// where each costs seconds; the corpus keeps its 10,000 payloads.
const badInputHuge = 1

// badInputHugeLines is how many 50 MB lines the dumps get.
const badInputHugeLines = 1
