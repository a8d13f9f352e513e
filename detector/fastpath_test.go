package detector

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"

	gojson "github.com/goccy/go-json"

	"github.com/handlewatch/handlewatch/detector/gen"
	"github.com/handlewatch/handlewatch/internal/benchcorpus"
	"github.com/handlewatch/handlewatch/internal/dump"
)

// The speed work keeps a reference for every shortcut it takes: the tests
// here run the shortcut and the plain path it replaced side by side on
// every corpus at hand and want byte-identical results.

// realFixtures is where the captured API responses live on the project's
// machines; elsewhere the tests run on the repository's corpora alone.
const realFixtures = "/work/shared/fixtures/real"

// diffTexts is every text the differential tests read: the labelled
// corpora, the Reddit samples, generated and bench posts, the strings of
// the captured API responses, and random Unicode.
func diffTexts(t testing.TB) []string {
	t.Helper()
	var out []string
	files, err := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	if err != nil || len(files) < 5 {
		t.Fatalf("corpora: %v %v", files, err)
	}
	for _, path := range files {
		exs, err := ReadCorpus(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			out = append(out, ex.Text)
		}
	}
	for _, f := range []string{"RC_derived_sample.ndjson", "RS_derived_sample.ndjson"} {
		exs, err := ReadPosts(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			out = append(out, ex.Text)
		}
	}
	for _, ex := range gen.Generate(20261207, 5000) {
		out = append(out, ex.Text)
	}
	_ = benchcorpus.Texts(5000, 20261128, func(i int, text string) error {
		out = append(out, text)
		return nil
	})
	out = append(out, fixtureStrings(t)...)
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		out = append(out, randomText(r))
	}
	return out
}

// fixtureStrings is every JSON string of ten bytes or more in the captured
// API responses (posts' text, HTML bodies, titles), nil when they are not
// on this machine.
func fixtureStrings(t testing.TB) []string {
	t.Helper()
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if len(v) >= 10 {
				out = append(out, v)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	err := filepath.WalkDir(realFixtures, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".json", ".jsonl", ".ndjson":
		default:
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		var whole strings.Builder
		for sc.Scan() {
			var v any
			if json.Unmarshal(sc.Bytes(), &v) == nil {
				walk(v)
			}
			whole.Write(sc.Bytes())
			whole.WriteByte('\n')
		}
		var v any
		if json.Unmarshal([]byte(whole.String()), &v) == nil {
			walk(v)
		}
		return sc.Err()
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// randomText is a short text of random code points, biased towards the
// ones the normaliser and the extractor treat specially.
func randomText(r *rand.Rand) string {
	pools := []string{"wickr kik telegram t.me/ @ : # _ . / 0 1 3 4 ", "ｔｅｌｅｇｒａｍ 𝐰𝐢𝐜𝐤𝐫 ⓚⓘⓚ", "пиши в телеграм", "\u200b\u00ad\ufe0f\u0301", "\n\t "}
	var b strings.Builder
	for n := r.IntN(80); n > 0; n-- {
		switch r.IntN(4) {
		case 0:
			b.WriteRune(rune(r.IntN(0x30000)))
		case 1:
			b.WriteRune(rune(r.IntN(0x80)))
		default:
			p := []rune(pools[r.IntN(len(pools))])
			b.WriteRune(p[r.IntN(len(p))])
		}
	}
	return b.String()
}

// TestStemCacheSame: the remembered stem is the stemmer's, for every word
// of every corpus in every language, on first sight and on later ones,
// and it survives the buffer its word was cut from being overwritten (the
// Normalizer reuses its memory for the next post).
func TestStemCacheSame(t *testing.T) {
	words := map[string]bool{}
	for _, text := range diffTexts(t) {
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			words[w] = true
		}
	}
	if len(words) < 1000 {
		t.Fatalf("only %d words", len(words))
	}
	buf := make([]byte, 0, 256)
	checked := 0
	for w := range words {
		if len(w) > cap(buf) || !utf8.ValidString(w) {
			continue
		}
		for _, l := range append(stemLangs, "xx") {
			want := stemUncached(l, w)
			// The word as analyze passes it: memory that is overwritten next.
			buf = append(buf[:0], w...)
			alias := unsafe.String(unsafe.SliceData(buf), len(buf))
			if got := stem(l, alias); got != want {
				t.Fatalf("stem(%s, %q) = %q, want %q", l, w, got, want)
			}
			for i := range buf {
				buf[i] = 'z'
			}
			if got := stem(l, w); got != want {
				t.Fatalf("stem(%s, %q) after its buffer changed = %q, want %q", l, w, got, want)
			}
			checked++
		}
	}
	t.Logf("%d words × languages checked", checked)
}

// FuzzStemCache: the remembered stem is the stemmer's for any word.
func FuzzStemCache(f *testing.F) {
	for _, s := range []string{"kindern", "colecciones", "trading", "jovencitas", "детей", "çocuklar", ""} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, w string, li uint8) {
		l := stemLangs[int(li)%len(stemLangs)]
		want := stemUncached(l, w)
		for range 2 {
			if got := stem(l, w); got != want {
				t.Fatalf("stem(%s, %q) = %q, want %q", l, w, got, want)
			}
		}
	})
}

// TestScanSameAsPerLine holds scan, which reuses one Post and one Line per
// worker and works out the file's base name once, to the plain per-line
// path it replaced (scanPost into fresh memory, Detect, Marshal): the same
// findings, byte for byte, and the same malformed lines, on every corpus
// and sample here plus the bench corpus, with small batches so that the
// reuse crosses many of them.
func TestScanSameAsPerLine(t *testing.T) {
	e := shippedEngine(t).withClock(testClock)
	files := mustGlob(t, filepath.Join("testdata", "*.jsonl"))
	files = append(files, filepath.Join("testdata", "RC_derived_sample.ndjson"), filepath.Join("testdata", "RS_derived_sample.ndjson"))
	bench := filepath.Join(t.TempDir(), "bench.ndjson")
	f, err := os.Create(bench)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := benchcorpus.Corpus(f, 5000, 20261128); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	files = append(files, bench)
	findings := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		malformed := 0
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			p, err := scanPost(line, &dump.Line{}, path, int64(i+1))
			if err != nil {
				malformed++
				continue
			}
			if f := e.Detect(p); f != nil {
				enc, err := gojson.Marshal(f)
				if err != nil {
					t.Fatal(err)
				}
				want.Write(enc)
				want.WriteByte('\n')
				findings++
			}
		}
		s := newScanner(e, io.Discard, ScanOptions{Workers: 2})
		var got bytes.Buffer
		s.out = bufio.NewWriter(&got)
		s.batchBytes = 8 << 10
		sum, err := s.run(context.Background(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s: scan's findings differ from the per-line path's (%d vs %d bytes)", path, got.Len(), want.Len())
		}
		if int(sum.Malformed) != malformed {
			t.Fatalf("%s: %d malformed lines, the per-line path %d", path, sum.Malformed, malformed)
		}
	}
	if findings < 100 {
		t.Fatalf("only %d findings compared", findings)
	}
	t.Logf("%d findings compared over %d files", findings, len(files))
}

// FuzzLineDecoderReuse: a line decoded after another by one worker's
// lineDecoder gives the post, or the error, that it gives decoded alone
// into fresh memory: nothing of the line before leaks into it.
func FuzzLineDecoderReuse(f *testing.F) {
	f.Add(`{"id":"a","text":"wickr: x","links":["t.me/y"],"created_utc":1764300000,"author":"u"}`, `{"id":"b","text":"hi"}`)
	f.Add(`{"title":"t","selftext":"s","subreddit":"x","permalink":"/r/x/","created_utc":"1764300000"}`, `{"text":"no id"}`)
	f.Add(`{"id":1,"text":"a","fetched_at":"2026-11-28T10:00:00Z","source":"s","source_kind":"k"}`, `{"body":"b","retrieved_on":5}`)
	f.Add(`{"id":"x","text":"\n\"q\""}`, `not json`)
	f.Fuzz(func(t *testing.T, first, second string) {
		ld := lineDecoder{name: "dir/f.ndjson", base: dump.Base("dir/f.ndjson")}
		_, _ = ld.decode(first, 1)
		got, gerr := ld.decode(second, 2)
		want, werr := scanPost(second, &dump.Line{}, "dir/f.ndjson", 2)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("errors differ: %v / %v", gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(*got, *want) {
			t.Fatalf("after %q, %q decodes to\n%+v\nalone to\n%+v", first, second, *got, *want)
		}
	})
}
