package dump

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/benchcorpus"
)

// escapedRef is fastDecoder.escaped as it was before it kept the quote it
// had found across escapes: the reference the faster one must equal. It
// returns the string, how far d.i moved, and whether it decoded.
func escapedRef(rest []byte, bs int) (string, int, bool) {
	buf := make([]byte, 0, len(rest[:bs])+64)
	i := 0
	for {
		seg := rest[i:bs]
		if hasControl(seg) {
			return "", 0, false
		}
		buf = append(buf, seg...)
		if bs >= len(rest) {
			return "", 0, false
		}
		if rest[bs] == '"' {
			if !utf8.Valid(buf) {
				return "", 0, false
			}
			return string(buf), 1 + bs + 1, true
		}
		if bs+1 >= len(rest) {
			return "", 0, false
		}
		var r byte
		switch rest[bs+1] {
		case '"':
			r = '"'
		case '\\':
			r = '\\'
		case '/':
			r = '/'
		case 'n':
			r = '\n'
		case 't':
			r = '\t'
		case 'r':
			r = '\r'
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		default:
			return "", 0, false
		}
		buf = append(buf, r)
		i = bs + 2
		next := rest[i:]
		q := bytes.IndexByte(next, '"')
		if q < 0 {
			return "", 0, false
		}
		if b := bytes.IndexByte(next[:q], '\\'); b >= 0 {
			q = b
		}
		bs = i + q
	}
}

// checkEscaped runs the string starting at every quote of b through str
// and through the reference, and fails where they differ. It returns how
// many strings with escapes it compared.
func checkEscaped(t *testing.T, b []byte) int {
	t.Helper()
	n := 0
	for off := 0; off < len(b); off++ {
		if b[off] != '"' {
			continue
		}
		rest := b[off+1:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return n
		}
		bs := bytes.IndexByte(rest[:q], '\\')
		if bs < 0 {
			continue
		}
		n++
		want, adv, wantOK := escapedRef(rest, bs)
		d := fastDecoder{b: b, i: off}
		got, ok := d.str()
		if ok != wantOK || ok && (got != want || d.i-off != adv) {
			t.Fatalf("str at %d of %q: (%q, %d, %v), reference (%q, %d, %v)", off, b, got, d.i-off, ok, want, adv, wantOK)
		}
	}
	return n
}

// TestEscapedSameAsReference holds the string decoder to the reference on
// every string with escapes in the repository's dumps and corpora and in
// the real fixtures, when they are on this machine.
func TestEscapedSameAsReference(t *testing.T) {
	var files []string
	for _, dir := range []string{filepath.Join("..", "..", "detector", "testdata"), "/work/shared/fixtures/real"} {
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".ndjson") || strings.HasSuffix(path, ".json")) {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) < 5 {
		t.Fatalf("only %d files", len(files))
	}
	n := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			n += checkEscaped(t, sc.Bytes())
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var bench strings.Builder
	if _, err := benchcorpus.Corpus(&bench, 5000, 20261128); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(bench.String(), "\n") {
		n += checkEscaped(t, []byte(line))
	}
	for _, s := range []string{`"a\nb\nc"`, `"\"\"\""`, `"x\\"`, `"\n"`, `"a\u0041"`, `"a\q"`, `"a\` + "\x01" + `b\n"`, `"\n` + "\xff" + `"`, `"ab\"`} {
		n += checkEscaped(t, []byte(s))
	}
	if n < 100 {
		t.Fatalf("only %d strings with escapes compared", n)
	}
	t.Logf("%d strings with escapes compared", n)
}

// FuzzEscaped: the string decoder equals the reference on any bytes.
func FuzzEscaped(f *testing.F) {
	for _, s := range []string{`"a\nb"`, `"\"x\"" "y\n"`, `"\\\\\"`, `{"text":"a\nb\tc\"d\\"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkEscaped(t, b) })
}
