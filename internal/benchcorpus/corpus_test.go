package benchcorpus

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/dump"
)

// TestCorpus: deterministic, valid NDJSON through the one dump reader,
// with planted solicitation posts at about one in 200.
func TestCorpus(t *testing.T) {
	var a, b bytes.Buffer
	n1, err := Corpus(&a, 4000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Corpus(&b, 4000, 7); err != nil {
		t.Fatal(err)
	}
	if n1 != int64(a.Len()) || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the corpus is not deterministic or miscounts its bytes")
	}
	ads := 0
	sc := bufio.NewScanner(&a)
	sc.Buffer(nil, 1<<20)
	var l dump.Line
	lines := 0
	for sc.Scan() {
		lines++
		if err := dump.Decode(sc.Bytes(), &l); err != nil || l.Text == nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		if strings.Contains(*l.Text, "placeholder_") || strings.Contains(*l.Text, "_demo_") || strings.Contains(*l.Text, "kik_sample_") {
			ads++
		}
	}
	if lines != 4000 || ads < 5 || ads > 60 {
		t.Fatalf("%d lines, %d planted posts", lines, ads)
	}
}
