package detector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// benchWords is everyday social-media vocabulary, most frequent first
// (words are drawn Zipf-distributed), with words the lexicon and the app
// names also hold (trade, young, menu, pack, session, line, signal, dm) in
// the tail, so the matchers meet the collisions real text has.
var benchWords = strings.Fields(`the a to and of in is it you that for on was with he she they we this be at have
	are not but what all were when there can an your which their said if do will each about how up out them then
	many some so these would other into has more two time like see him long make thing look day could people
	just over think also back after use work first well way even new want because any give most us great
	game coffee weekend music photo today tonight love happy morning city train rain sunny dinner friends
	market trade young menu pack session line signal wire dm kids school collection link video story share
	release update football match goal season player team fans concert ticket movie series episode book
	café naïve résumé crème jalapeño straße пример привет спасибо`)

var benchTags = []string{"#weekend", "#photography", "#football", "#music", "#travel", "#foodie", "#tbt", "#news", "#art", "#gaming"}
var benchEmoji = []string{"😂", "🔥", "❤️", "👍", "🎉", "🙏", "😍", "✨", "🌧️", "⚽"}
var benchAds = []string{
	"trading young collection, wickr: placeholder_%02d",
	"selling 13yo vids, kik: kik_sample_%02d",
	"ｎｅｗ ｙｏｕｎｇ ｐａｃｋ t.me/tg_demo_%02d",
	"pthc new drop, tg: tg_demo_%02d",
	"vendo packs de jovencitas, escríbeme al telegram @tg_demo_es%02d",
}

type benchCorpus struct {
	posts []*wire.Post
	bytes int64
}

var (
	benchOnce sync.Once
	benchData benchCorpus
)

// benchPosts is a deterministic corpus: 50–400 characters of everyday
// text with hashtags, mentions, URLs and emoji; 0.5 % carry a contact
// and solicitation signals.
func benchPosts() benchCorpus {
	benchOnce.Do(func() {
		r := rand.New(rand.NewPCG(20261128, 1))
		zipf := rand.NewZipf(r, 1.1, 1, uint64(len(benchWords)-1))
		for i := 0; i < 20000; i++ {
			var b strings.Builder
			target := 50 + r.IntN(350)
			for b.Len() < target {
				switch x := r.IntN(100); {
				case x < 4:
					b.WriteString(benchTags[r.IntN(len(benchTags))])
				case x < 7:
					fmt.Fprintf(&b, "@user%d", r.IntN(5000))
				case x < 9:
					fmt.Fprintf(&b, "https://example.org/p/%d", r.IntN(1e6))
				case x < 13:
					b.WriteString(benchEmoji[r.IntN(len(benchEmoji))])
				default:
					w := benchWords[zipf.Uint64()]
					if r.IntN(8) == 0 {
						first, size := utf8.DecodeRuneInString(w)
						w = string(unicode.ToUpper(first)) + w[size:]
					}
					b.WriteString(w)
				}
				b.WriteByte(' ')
			}
			if r.IntN(200) == 0 {
				fmt.Fprintf(&b, benchAds[r.IntN(len(benchAds))], r.IntN(100))
			}
			text := b.String()
			benchData.posts = append(benchData.posts, &wire.Post{Schema: 1, Source: "bench", SourceKind: "file",
				ID: fmt.Sprint(i), Text: text, CreatedAt: time.Unix(1764300000, 0)})
			benchData.bytes += int64(len(text))
		}
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

// BenchmarkScan is the offline pipeline on both cores: read NDJSON,
// decode with goccy, detect, write findings in input order.
func BenchmarkScan(b *testing.B) {
	e := shippedEngine(b)
	c := benchPosts()
	var buf bytes.Buffer
	for _, p := range c.posts {
		line, err := json.Marshal(map[string]any{"id": p.ID, "text": p.Text, "created_utc": p.CreatedAt.Unix()})
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	path := filepath.Join(b.TempDir(), "bench.ndjson")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := ScanFiles(context.Background(), e, []string{path}, io.Discard, ScanOptions{})
		if err != nil || sum.Posts != int64(len(c.posts)) || sum.Findings == 0 {
			b.Fatalf("scan: %v, %+v", err, sum)
		}
	}
	b.ReportMetric(float64(b.N*len(c.posts))/b.Elapsed().Seconds(), "posts/s")
}
