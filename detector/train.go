package detector

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/handlewatch/handlewatch/detector/model"
)

// TrainSet is one source of labelled examples for training.
type TrainSet struct {
	Name     string
	Examples []CorpusExample
	Weight   float64 // per example; 0 means 1 (moderators' labels weigh more)
	// Calibrate lets the set's examples be held out to calibrate the
	// scores and choose the threshold: hand-written and moderators' sets,
	// not generated ones.
	Calibrate bool
}

// TrainReport says what training used.
type TrainReport struct {
	Used     map[string]int `json:"used"`      // examples that reached the scorer, per set
	NoHandle map[string]int `json:"no_handle"` // examples without a handle candidate: they never reach the scorer
	Model    *model.Model   `json:"-"`
}

func modelVersion(e *Engine) string {
	if e.model == nil {
		return ""
	}
	return e.model.Version
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// withVectors returns a copy of the engine that keeps the scorer's input
// for posts with a handle even when no model is loaded: training needs it.
func (e *Engine) withVectors(bits uint8) *Engine {
	c := *e
	c.keepVector = true
	c.vectorBits = bits
	return &c
}

// Vectorize is the scorer's input for one example, nil when the example
// has no handle candidate (such a post never reaches the scorer).
func (e *Engine) vectorize(ex CorpusExample) *model.Vector {
	if fz := e.Analyze(corpusPost(ex)).vector; fz != nil {
		return fz.v
	}
	return nil
}

// Train fits a scorer on the sets with the engine's rules as features.
func Train(e *Engine, sets []TrainSet, o model.Options) (*TrainReport, error) {
	o = optionsBits(o)
	ve := e.withVectors(o.Bits)
	rep := &TrainReport{Used: map[string]int{}, NoHandle: map[string]int{}}
	var samples []model.Sample
	for _, s := range sets {
		for _, ex := range s.Examples {
			fz := ve.Analyze(corpusPost(ex)).vector
			if fz == nil {
				rep.NoHandle[s.Name]++
				continue
			}
			rep.Used[s.Name]++
			y := ex.Label == LabelSolicitation
			samples = append(samples, model.Sample{X: fz.v, Y: y, Weight: s.Weight, Calib: s.Calibrate, Group: calibGroup(s)})
			if y {
				continue // which window holds the offer is not known
			}
			// Every window of a benign post is benign: the scorer learns
			// that a news story's or a warning's sentence alone is no ad,
			// since inference takes the best window.
			for _, w := range ve.windows(fz) {
				samples = append(samples, model.Sample{X: w.v, Y: false, Weight: s.Weight, Calib: s.Calibrate, Group: calibGroup(s)})
			}
		}
	}
	if len(samples) == 0 {
		return nil, errors.New("training: no example has a handle candidate")
	}
	m, err := model.Train(samples, o)
	if err != nil {
		return nil, err
	}
	m.Trained.Sources = maps.Clone(rep.Used)
	m.Trained.RulesVersion = e.rules.Version
	rep.Model = m
	return rep, nil
}

// calibGroup is the writer group of a calibration set: the set itself,
// since each hand-written set has its own writer.
func calibGroup(s TrainSet) string {
	if !s.Calibrate {
		return ""
	}
	return s.Name
}

func optionsBits(o model.Options) model.Options {
	if o.Bits == 0 {
		o.Bits = 20
	}
	return o
}

// FamilyRecall is the recall on one template family of a model trained
// without any example of it.
type FamilyRecall struct {
	Family    string  `json:"family"`
	Positives int     `json:"positives"`
	Found     int     `json:"found"`
	Recall    float64 `json:"recall"`
}

// LeaveOneFamilyOut trains once per solicitation family with that family
// left out and measures recall on it: a scorer that only memorised its
// templates shows here.
func LeaveOneFamilyOut(e *Engine, sets []TrainSet, o model.Options) ([]FamilyRecall, error) {
	o = optionsBits(o)
	ve := e.withVectors(o.Bits)
	type item struct {
		v      *model.Vector
		y      bool
		w      float64
		calib  bool
		group  string
		family string
	}
	var items []item
	fam := map[string]int{}
	for _, s := range sets {
		for _, ex := range s.Examples {
			v := ve.vectorize(ex)
			y := ex.Label == LabelSolicitation
			if y && ex.Family != "" {
				fam[ex.Family]++
			}
			if v == nil {
				continue
			}
			items = append(items, item{v, y, s.Weight, s.Calibrate, calibGroup(s), ex.Family})
		}
	}
	var out []FamilyRecall
	for _, f := range slices.Sorted(maps.Keys(fam)) {
		var train []model.Sample
		for _, it := range items {
			if it.family != f {
				train = append(train, model.Sample{X: it.v, Y: it.y, Weight: it.w, Calib: it.calib, Group: it.group})
			}
		}
		m, err := model.Train(train, o)
		if err != nil {
			return nil, fmt.Errorf("leaving out %s: %w", f, err)
		}
		r := FamilyRecall{Family: f, Positives: fam[f]}
		for _, it := range items {
			if it.family == f && it.y && m.Prob(it.v) >= m.Threshold {
				r.Found++
			}
		}
		r.Recall = float64(r.Found) / float64(r.Positives)
		out = append(out, r)
	}
	return out, nil
}
