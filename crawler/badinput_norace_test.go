//go:build !race

package crawler

// badInputHuge is how many payloads of the large classes (50 MB fields,
// endless bodies, bombs) each kind gets.
const badInputHuge = 12

// badInputHugeLines is how many 50 MB lines the dumps get: each is
// written to disk and read back.
const badInputHugeLines = 3
