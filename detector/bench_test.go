package detector

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/benchcorpus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

type benchCorpus struct {
	posts []*wire.Post
	bytes int64
}

var (
	benchOnce sync.Once
	benchData benchCorpus
)

// benchPosts is the speed measurements' one corpus (internal/benchcorpus):
// 50–400 characters of everyday text with hashtags, mentions, URLs and
// emoji; one post in 200 carries a contact and solicitation signals.
func benchPosts() benchCorpus {
	benchOnce.Do(func() {
		_ = benchcorpus.Texts(20000, 20261128, func(i int, text string) error {
			benchData.posts = append(benchData.posts, &wire.Post{Schema: 1, Source: "bench", SourceKind: "file",
				ID: fmt.Sprint(i), Text: text, CreatedAt: time.Unix(1764300000, 0)})
			benchData.bytes += int64(len(text))
			return nil
		})
	})
	return benchData
}

// BenchmarkDetector is the whole detector per post: normalise, extract
// handles, match the lexicon, score and build findings.
func BenchmarkDetector(b *testing.B) {
	e := shippedEngine(b)
	c := benchPosts()
	b.SetBytes(c.bytes / int64(len(c.posts)))
	b.ReportAllocs()
	b.ResetTimer()
	findings := 0
	for i := 0; i < b.N; i++ {
		if e.Detect(c.posts[i%len(c.posts)]) != nil {
			findings++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if b.N >= len(c.posts) && findings == 0 {
		b.Fatal("no findings on a corpus with planted ads")
	}
}

// BenchmarkNaiveRegexp is the baseline: one case-insensitive Go regexp
// alternation of every rule term, on the raw text of the same posts.
func BenchmarkNaiveRegexp(b *testing.B) {
	rs, err := LoadRules(filepath.Join("..", "configs", "rules.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	var alts []string
	for _, r := range rs.Rules {
		for _, t := range r.Terms {
			alts = append(alts, regexp.QuoteMeta(t.Text))
		}
	}
	re := regexp.MustCompile(`(?i)(?:` + strings.Join(alts, "|") + `)`)
	c := benchPosts()
	b.SetBytes(c.bytes / int64(len(c.posts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		re.FindAllStringIndex(c.posts[i%len(c.posts)].Text, -1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkLexicon is the engine's own share of the work on every post:
// normalise and run the lexicon automaton (Detect runs the lexicon only on
// posts with a handle; Analyze always does).
func BenchmarkLexicon(b *testing.B) {
	e := shippedEngine(b)
	c := benchPosts()
	b.SetBytes(c.bytes / int64(len(c.posts)))
	b.ReportAllocs()
	sc := e.pool.Get().(*scratch)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc.n.Normalize(&sc.text, c.posts[i%len(c.posts)].Text)
		sc.hits = e.lex.scan(sc.text.Norm, sc.hits[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkScan is the offline pipeline on both cores: read the NDJSON
// dump `handlewatch bench` measures, decode, detect, write findings in
// input order.
func BenchmarkScan(b *testing.B) { benchScan(b, ScanOptions{}) }

// BenchmarkScanPrefilter is BenchmarkScan with the raw-line prefilter:
// what it saves, or costs.
func BenchmarkScanPrefilter(b *testing.B) { benchScan(b, ScanOptions{Prefilter: true}) }

func benchScan(b *testing.B, opts ScanOptions) {
	e := shippedEngine(b)
	path := filepath.Join(b.TempDir(), "bench.ndjson")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	const posts = 20000
	size, err := benchcorpus.Corpus(f, posts, 20261128)
	if cerr := f.Close(); err != nil || cerr != nil {
		b.Fatal(err, cerr)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := ScanFiles(context.Background(), e, []string{path}, io.Discard, opts)
		if err != nil || sum.Posts != posts || sum.Findings == 0 {
			b.Fatalf("scan: %v, %+v", err, sum)
		}
	}
	b.ReportMetric(float64(b.N*posts)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkPrefilter is the prefilter alone on one core, per NDJSON line
// of the scan corpus (bytes: the line's).
func BenchmarkPrefilter(b *testing.B) {
	e := shippedEngine(b)
	pf := e.prefilter()
	var lines []string
	var size int64
	var buf strings.Builder
	if _, err := benchcorpus.Corpus(&buf, 20000, 20261128); err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		lines = append(lines, l)
		size += int64(len(l))
	}
	b.SetBytes(size / int64(len(lines)))
	var sc pfScratch
	skipped := 0
	// The machine is shared: CPU time of this thread is steadier than
	// wall time.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if pf.skip(lines[i%len(lines)], &sc) {
			skipped++
		}
	}
	b.StopTimer()
	if cpu := threadCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(size)/float64(len(lines))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
	b.ReportMetric(100*float64(skipped)/float64(b.N), "%skipped")
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
