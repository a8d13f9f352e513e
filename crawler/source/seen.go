package source

import (
	"crypto/sha256"
	"encoding/hex"
)

// SeenHash is a short stable hash of a post id, as the cursors of
// listings without a "since" parameter (rss, html) remember the ids they
// returned. Stored cursors hold these hashes: changing it makes every
// target return its current posts once more.
func SeenHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// MergeSeen puts the current hashes first, then the older ones, each once,
// at most window of them.
func MergeSeen(current, old []string, window int) []string {
	out := make([]string, 0, max(min(len(current)+len(old), window), 0))
	in := map[string]bool{}
	for _, list := range [][]string{current, old} {
		for _, h := range list {
			if len(out) >= window {
				return out
			}
			if !in[h] {
				in[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}
