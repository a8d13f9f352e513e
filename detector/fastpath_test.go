package detector

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/handlewatch/handlewatch/detector/gen"
	"github.com/handlewatch/handlewatch/internal/benchcorpus"
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
