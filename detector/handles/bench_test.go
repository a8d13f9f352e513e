package handles_test

import (
	"testing"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/detector/normalize/normtest"
)

func normalized(posts []string) ([]*normalize.Text, int64) {
	var size int64
	texts := make([]*normalize.Text, len(posts))
	for i, p := range posts {
		texts[i] = normalize.Normalize(p)
		size += int64(len(p))
	}
	return texts, size
}

// BenchmarkExtract runs on realistic posts (mostly benign, about half with
// some non-ASCII, ~3% with a contact), already normalised. MB/s are of the
// original text.
func BenchmarkExtract(b *testing.B) {
	texts, size := normalized(normtest.Posts(2000, 1))
	x := handles.NewExtractor()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			x.Extract(t)
		}
	}
}

// BenchmarkNormalizeExtract is both layers together, as the detector runs
// them.
func BenchmarkNormalizeExtract(b *testing.B) {
	posts := normtest.Posts(2000, 1)
	var size int64
	for _, p := range posts {
		size += int64(len(p))
	}
	x := handles.NewExtractor()
	n := normalize.NewNormalizer()
	var t normalize.Text
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range posts {
			n.Normalize(&t, p)
			x.Extract(&t)
		}
	}
}

// BenchmarkExtractBenign runs on the generated posts in which the
// extractor finds no contact: what most of a crawl costs.
func BenchmarkExtractBenign(b *testing.B) {
	all, _ := normalized(normtest.Posts(2000, 1))
	x := handles.NewExtractor()
	var texts []*normalize.Text
	var size int64
	for _, t := range all {
		if len(x.Extract(t)) == 0 {
			texts = append(texts, t)
			size += int64(len(t.Orig))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			x.Extract(t)
		}
	}
}
