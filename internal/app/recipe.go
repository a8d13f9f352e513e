package app

import (
	"fmt"
	"path/filepath"

	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/detector/gen"
)

// recipe is what the shipped model is trained on, so that `train` with no
// flags and `eval --lofo` in the checkout use the same data.
type recipe struct {
	Generated int      // examples from the compositional generator
	GenSeed   uint64   // its seed
	Corpora   []string // hand-written labelled corpora
	Real      []string // globs of real posts, all benign
}

var defaultRecipe = recipe{
	Generated: 60000,
	GenSeed:   20261207,
	Corpora: []string{"detector/testdata/corpus.jsonl", "detector/testdata/heldout.jsonl",
		"detector/testdata/train_a.jsonl", "detector/testdata/train_b.jsonl", "detector/testdata/train_c.jsonl",
		"detector/testdata/train_d.jsonl", "detector/testdata/train_e.jsonl", "detector/testdata/train_f.jsonl",
		"detector/testdata/train_g.jsonl", "detector/testdata/train_h.jsonl", "detector/testdata/train_i.jsonl",
		"detector/testdata/train_j.jsonl", "detector/testdata/train_k.jsonl", "detector/testdata/contacts3.jsonl",
		"detector/testdata/train_l.jsonl", "detector/testdata/train_m.jsonl", "detector/testdata/train_n.jsonl",
		"detector/testdata/train_o.jsonl", "detector/testdata/train_p.jsonl", "detector/testdata/train_q.jsonl",
		"detector/testdata/train_r.jsonl", "detector/testdata/train_s.jsonl", "detector/testdata/train_t.jsonl",
		"detector/testdata/train_u.jsonl", "detector/testdata/train_v.jsonl", "detector/testdata/train_w.jsonl",
		"detector/testdata/train_x.jsonl", "detector/testdata/train_y.jsonl", "detector/testdata/train_z.jsonl",
		"detector/testdata/train_aa.jsonl", "detector/testdata/train_ab.jsonl", "detector/testdata/train_ad.jsonl",
		"detector/testdata/train_ae.jsonl", "detector/testdata/train_af.jsonl", "detector/testdata/train_ag.jsonl",
		"detector/testdata/train_ah.jsonl", "detector/testdata/train_ai.jsonl", "detector/testdata/train_aj.jsonl",
		"detector/testdata/train_ak.jsonl", "detector/testdata/train_al.jsonl", "detector/testdata/train_am.jsonl",
		"detector/testdata/train_an.jsonl", "detector/testdata/train_ao.jsonl"},
	Real: []string{
		"crawler/mastodon/testdata/*.golden.json", "crawler/telegram/testdata/*.golden.json",
		"crawler/bluesky/testdata/*.golden.json", "crawler/reddit/testdata/*.golden.json",
		"detector/testdata/R?_derived_sample.ndjson",
	},
}

func trainingRecipe(r recipe) ([]detector.TrainSet, error) {
	var sets []detector.TrainSet
	if r.Generated > 0 {
		sets = append(sets, detector.TrainSet{Name: fmt.Sprintf("generated (seed %d)", r.GenSeed),
			Examples: fromGenerator(gen.Generate(r.GenSeed, r.Generated))})
	}
	for _, c := range r.Corpora {
		exs, err := detector.ReadCorpus(c)
		if err != nil {
			return nil, fmt.Errorf("training recipe (run it in the checkout): %w", err)
		}
		// Hand-written examples weigh five generated ones: they are fewer
		// and closer to how people write.
		sets = append(sets, detector.TrainSet{Name: c, Examples: exs, Weight: 5, Calibrate: true})
	}
	for _, g := range r.Real {
		paths, err := filepath.Glob(g)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			exs, err := detector.ReadPosts(p)
			if err != nil {
				return nil, err
			}
			sets = append(sets, detector.TrainSet{Name: p, Examples: exs})
		}
	}
	return sets, nil
}

func fromGenerator(exs []gen.Example) []detector.CorpusExample {
	out := make([]detector.CorpusExample, len(exs))
	for i, ex := range exs {
		c := detector.CorpusExample{ID: ex.ID, Text: ex.Text, Label: ex.Label, Lang: ex.Lang, Tags: ex.Tags, Family: ex.Family}
		for _, h := range ex.Handles {
			c.Handles = append(c.Handles, detector.CorpusHandle{App: h.App, Handle: h.Handle})
		}
		out[i] = c
	}
	return out
}
