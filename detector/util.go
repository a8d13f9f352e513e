package detector

import "unsafe"

// unsafeBytes views s as bytes without copying; the automaton only reads.
func unsafeBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
