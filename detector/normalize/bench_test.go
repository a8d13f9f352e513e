package normalize_test

import (
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/detector/normalize/normtest"
)

func benchNormalize(b *testing.B, posts []string) {
	var size int64
	for _, p := range posts {
		size += int64(len(p))
	}
	n := normalize.NewNormalizer()
	var t normalize.Text
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range posts {
			n.Normalize(&t, p)
		}
	}
}

// BenchmarkNormalize runs on realistic posts: mostly benign, about half
// with some non-ASCII (emoji, accents, Cyrillic, CJK), a few with contacts.
func BenchmarkNormalize(b *testing.B) { benchNormalize(b, normtest.Posts(2000, 1)) }

// BenchmarkNormalizeASCII runs on the ASCII posts of the same set.
func BenchmarkNormalizeASCII(b *testing.B) {
	var ascii []string
	for _, p := range normtest.Posts(4000, 1) {
		if isASCII(p) {
			ascii = append(ascii, p)
		}
	}
	benchNormalize(b, ascii)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
