package badinput

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
)

// TestCorpus: 10,000 payloads, every kind and class among them, the
// large ones bounded by Huge, the same corpus for the same seed.
func TestCorpus(t *testing.T) {
	c := Corpus(Options{Seed: 1, N: 10_000, Huge: 3})
	if len(c) != 10_000 {
		t.Fatalf("%d payloads", len(c))
	}
	seen := map[string]int{}
	hugeBy := map[string]int{}
	for i, p := range c {
		if p.N != i {
			t.Fatalf("payload %d numbered %d", i, p.N)
		}
		seen[p.Kind+"/"+p.Class]++
		if p.Huge() {
			hugeBy[p.Kind]++
		}
	}
	for _, k := range AllKinds {
		for _, cl := range Classes(k) {
			if seen[k+"/"+cl] == 0 {
				t.Errorf("no %s/%s", k, cl)
			}
		}
		if n, min := hugeBy[k], countHuge(k); n > max(3, min) {
			t.Errorf("%s: %d huge payloads, want at most %d", k, n, max(3, min))
		}
	}
	again := Corpus(Options{Seed: 1, N: 10_000, Huge: 3})
	if !slices.Equal(c, again) {
		t.Error("the same seed gave another corpus")
	}
	if other := Corpus(Options{Seed: 2, N: 10_000, Huge: 3}); slices.Equal(c, other) {
		t.Error("another seed gave the same corpus")
	}
}

func countHuge(kind string) int {
	n := 0
	for _, c := range Classes(kind) {
		if huge(c) {
			n++
		}
	}
	return n
}

// TestPayloadBytes: each class is what it says, and the large ones are
// streamed.
func TestPayloadBytes(t *testing.T) {
	c := Corpus(Options{Seed: 7, N: 0, Huge: 1})
	for _, p := range c {
		t.Run(p.Kind+"/"+p.Class, func(t *testing.T) {
			if p.Huge() {
				checkHuge(t, p)
				return
			}
			b := p.Bytes()
			if !slices.Equal(b, p.Bytes()) {
				t.Fatal("two writes differ")
			}
			switch p.Class {
			case InvalidUTF8:
				if utf8.Valid(b) {
					t.Error("valid UTF-8")
				}
			case NULBytes:
				if !bytes.Contains(b, []byte{0}) {
					t.Error("no NUL")
				}
			case Empty:
				if len(bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\ufeff")))) != 0 {
					t.Errorf("not empty: %q", b)
				}
			case DeepNesting:
				if len(b) < 12_000 {
					t.Errorf("%d bytes: not deep", len(b))
				}
			case DeepHTML:
				if strings.Count(string(b), "<") < 1200 {
					t.Error("not deep")
				}
			}
		})
	}
}

// checkHuge writes a large payload, holding at most its compressed
// bytes, and checks it is as large as it says.
func checkHuge(t *testing.T, p Payload) {
	const probe = 64 << 20
	switch p.Class {
	case EndlessChunked:
		w := &limitWriter{left: probe}
		n, err := p.WriteTo(w)
		if !errors.Is(err, errFull) || n < probe-(1<<20) {
			t.Errorf("wrote %d bytes, %v: want an endless body", n, err)
		}
	case HugeField:
		n, err := p.WriteTo(io.Discard)
		if err != nil || n < HugeFieldBytes {
			t.Errorf("wrote %d bytes, %v: want over %d", n, err, HugeFieldBytes)
		}
	case GzipBomb, DumpGzipBomb, ZstdBomb:
		var b bytes.Buffer
		if _, err := p.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		var zr io.Reader
		var err error
		if p.Class == ZstdBomb {
			d, derr := zstd.NewReader(&b, zstd.WithDecoderConcurrency(1))
			if derr != nil {
				t.Fatal(derr)
			}
			defer d.Close()
			zr = d
		} else {
			zr, err = gzip.NewReader(&b)
			if err != nil {
				t.Fatal(err)
			}
		}
		size := b.Len()
		out, _ := io.Copy(io.Discard, io.LimitReader(zr, probe))
		if size > 8<<20 || out < probe {
			t.Errorf("%d bytes expand to %d: not a bomb", size, out)
		}
	default:
		t.Fatalf("no check of huge class %s", p.Class)
	}
}

var errFull = errors.New("full")

type limitWriter struct{ left int }

func (l *limitWriter) Write(b []byte) (int, error) {
	if len(b) > l.left {
		return 0, errFull
	}
	l.left -= len(b)
	return len(b), nil
}

// TestValid: the well-formed payloads carry their marker and are valid
// UTF-8.
func TestValid(t *testing.T) {
	for _, k := range append(slices.Clone(HTTPKinds), Jetstream, Line) {
		var b bytes.Buffer
		if err := Valid(&b, k, 41); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), Marker(41)) || !utf8.Valid(b.Bytes()) {
			t.Errorf("%s: %q", k, b.String())
		}
	}
}
