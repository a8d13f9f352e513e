package detector

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The blind sets were written by independent writers who saw neither the
// rules, the code, the generator nor the other corpora, and were told only
// what the detector is for (testdata/BLIND1.md, BLIND2.md, BLIND3.md).
// Nothing is trained or tuned on them. blind1 is the development measure
// (its per-class miss counts guided which generic features to try);
// blind2 and blind3 have only ever been read as numbers, and blind3 was
// written after every rule, feature and training set before model 15.
// This test logs numbers only, never the texts, so that CI logs do not
// leak them either.
//
// Floors guard against regressions; they are not targets to tune for.
// Measured with model 2026.12.07-19 (windows, ages in words, sets L-W):
// blind1 P 0.982 R 0.931, blind2 P 0.955 R 0.902, blind3 P 0.993 R 0.889.
var blindSets = []struct {
	name, path, prefix string
	minP, minR         float64
}{
	{"blind1", "testdata/blind1.jsonl", "b1-", 0.93, 0.70},
	{"blind2", "testdata/blind2.jsonl", "b2-", 0.88, 0.60},
	{"blind3", "testdata/blind3.jsonl", "b3-", 0.90, 0.70},
}

func TestBlindQuality(t *testing.T) {
	e := shippedEngine(t)
	for _, bs := range blindSets {
		t.Run(bs.name, func(t *testing.T) {
			exs, err := ReadCorpus(bs.path)
			if err != nil {
				t.Fatal(err)
			}
			checkBlindComposition(t, exs, bs.prefix)
			rep := EvaluateExamples(e, exs)
			c := rep.Confusion
			t.Logf("%s, %s: %d examples: precision %.3f recall %.3f F1 %.3f (TP %d FP %d TN %d FN %d); handles P %.3f R %.3f",
				bs.name, e.Version(), rep.Examples, rep.Precision, rep.Recall, rep.F1, c.TP, c.FP, c.TN, c.FN,
				rep.Handles.Precision, rep.Handles.Recall)
			for _, lang := range slices.Sorted(maps.Keys(rep.ByLang)) {
				v := rep.ByLang[lang]
				t.Logf("  lang %-3s P %.3f R %.3f (TP %d FP %d TN %d FN %d)", lang, v.Precision(), v.Recall(), v.TP, v.FP, v.TN, v.FN)
			}
			if rep.Precision < bs.minP {
				t.Errorf("%s precision %.3f < %.2f", bs.name, rep.Precision, bs.minP)
			}
			if rep.Recall < bs.minR {
				t.Errorf("%s recall %.3f < %.2f", bs.name, rep.Recall, bs.minR)
			}
		})
	}
}

// checkBlindComposition keeps each blind set at the size and breadth the
// issue asks for (at least 300 items in at least 8 languages).
func checkBlindComposition(t *testing.T, exs []CorpusExample, prefix string) {
	t.Helper()
	langs := map[string]int{}
	labels := map[string]int{}
	for _, ex := range exs {
		if !strings.HasPrefix(ex.ID, prefix+ex.Lang+"-") {
			t.Errorf("%s: id does not start with %s%s-", ex.ID, prefix, ex.Lang)
		}
		langs[ex.Lang]++
		labels[ex.Label]++
	}
	if len(exs) < 300 || labels[LabelSolicitation] < 120 || labels[LabelBenign] < 150 {
		t.Errorf("%d examples (%d solicitation, %d benign), want at least 300 (120, 150)", len(exs), labels[LabelSolicitation], labels[LabelBenign])
	}
	n := 0
	for _, c := range langs {
		if c >= 25 {
			n++
		}
	}
	if n < 8 {
		t.Errorf("%d languages with at least 25 examples, want 8: %v", n, langs)
	}
}

// TestBlindSetsNotInTraining: no blind text is also a text of a corpus the
// model is trained on, so the numbers above cannot come from memory.
func TestBlindSetsNotInTraining(t *testing.T) {
	train := map[string]string{}
	hand, err := filepath.Glob("testdata/train_*.jsonl")
	if err != nil || len(hand) == 0 {
		t.Fatalf("no training sets: %v", err)
	}
	for _, p := range append([]string{"testdata/corpus.jsonl", "testdata/heldout.jsonl", "testdata/contacts3.jsonl"}, hand...) {
		exs, err := ReadCorpus(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			train[strings.ToLower(strings.Join(strings.Fields(ex.Text), " "))] = ex.ID
		}
	}
	for _, bs := range blindSets {
		exs, err := ReadCorpus(bs.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			if id, ok := train[strings.ToLower(strings.Join(strings.Fields(ex.Text), " "))]; ok {
				t.Errorf("%s: the same text as training example %s", ex.ID, id)
			}
		}
	}
}
