//go:build !race

package crawler

// badInputHuge is how many payloads of the large classes (50 MB fields,
// endless bodies, bombs) each kind gets.
const badInputHuge = 12
