package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Sample is one labelled training example.
type Sample struct {
	X      *Vector
	Y      bool    // solicitation
	Weight float64 // 0 means 1
	// Calib marks an example that may be held out for calibration. When
	// any example has it, only those are: calibration belongs on data
	// like the field's (hand-written, moderators'), not on generated
	// templates, which are easy and would make the model overconfident.
	Calib bool
	// Group names who wrote a calibration example (its set). When the
	// calibration examples come from two or more groups, each is scored
	// by a model fitted without its group, so the threshold is chosen on
	// writing the model has never seen, as in the field.
	Group string
}

// Options steer training. The zero value of a field takes its default.
type Options struct {
	Version    string  // model version; required
	Bits       uint8   // default 20: fewer collisions between the words of many languages
	Epochs     int     // default 4
	L2         float64 // default 3e-3 per update (prior features a tenth of it)
	Rate       float64 // AdaGrad base rate, default 0.3
	Seed       uint64  // shuffling and the validation split
	ValFrac    float64 // share of the calibration examples held out, default 0.4
	TargetPrec float64 // the threshold is the lowest with this validation precision, default 0.97
	MinThresh  float64 // the threshold is never below this, default 0.3
	MaxThresh  float64 // nor above this, default 0.9
	// Dropout is the chance that a feature is hidden from one update, so
	// that no single word can carry a decision: generated templates make
	// some words perfectly predictive, real posts do not. Default 0.3;
	// negative: none.
	Dropout float64
	// Folds is how many folds the calibration groups are dealt into for
	// cross-fitting, default 5.
	Folds int
	// Average is how many fits, with seeds Seed, Seed+1, …, the weights
	// are averaged over, default 1. Dropout and the shuffle make one fit's
	// weights depend on its seed; their mean is one linear model with less
	// of that noise.
	Average int
}

func (o Options) withDefaults() Options {
	if o.Bits == 0 {
		o.Bits = 20
	}
	if o.Epochs == 0 {
		o.Epochs = 4
	}
	if o.L2 == 0 {
		o.L2 = 3e-3
	}
	if o.Rate == 0 {
		o.Rate = 0.3
	}
	if o.ValFrac == 0 {
		o.ValFrac = 0.4
	}
	if o.TargetPrec == 0 {
		o.TargetPrec = 0.97
	}
	if o.MinThresh == 0 {
		o.MinThresh = 0.3
	}
	if o.MaxThresh == 0 {
		o.MaxThresh = 0.9
	}
	if o.Dropout == 0 {
		o.Dropout = 0.3
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.Average == 0 {
		o.Average = 1
	}
	return o
}

// Train fits a model on samples. When the calibration examples name two
// or more groups, the model is cross-fitted: every calibration example is
// scored by a model fitted without its group, Platt scaling and the
// threshold are fitted on those out-of-group scores, and the weights are
// then fitted on every example. Otherwise a random validation split is
// held out, the weights are fitted on the rest, and Platt scaling and the
// threshold are fitted on the split.
func Train(samples []Sample, o Options) (*Model, error) {
	o = o.withDefaults()
	if o.Version == "" {
		return nil, errors.New("training: model version required")
	}
	if len(samples) < 10 {
		return nil, fmt.Errorf("training: %d examples is too few", len(samples))
	}
	for i, s := range samples {
		if s.X.bits != o.Bits {
			return nil, fmt.Errorf("training: example %d was hashed to %d bits, the model has %d", i, s.X.bits, o.Bits)
		}
		s.X.sortByIndex()
	}
	if folds := groupFolds(samples, o.Folds); len(folds) >= 2 {
		return crossFit(samples, folds, o)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x68776d6f64656c))
	anyCalib := false
	for _, s := range samples {
		anyCalib = anyCalib || s.Calib
	}
	var train, val []Sample
	for _, s := range samples {
		if (s.Calib || !anyCalib) && r.Float64() < o.ValFrac {
			val = append(val, s)
		} else {
			train = append(train, s)
		}
	}
	if !hasBoth(train) || !hasBoth(val) {
		return nil, errors.New("training: both splits need solicitation and benign examples")
	}
	m := Fit(train, o)
	raws := make([]float64, len(val))
	ys := make([]bool, len(val))
	for i, s := range val {
		raws[i] = m.Raw(s.X)
		ys[i] = s.Y
	}
	calibrate(m, samples, raws, ys, o)
	return m, nil
}

// calibrate fits Platt scaling and the threshold on held-out raw scores
// and records what the model was trained and calibrated on.
func calibrate(m *Model, samples []Sample, raws []float64, ys []bool, o Options) {
	m.PlattA, m.PlattB = platt(raws, ys)
	m.Threshold, m.Trained.ValPrec, m.Trained.ValRecall = chooseThreshold(m, raws, ys, o)
	pos := 0
	for _, s := range samples {
		if s.Y {
			pos++
		}
	}
	m.Trained.Examples, m.Trained.Positives, m.Trained.Validation = len(samples), pos, len(raws)
}

// groupFolds deals the calibration groups into at most k folds of about
// equal size, largest group first; a fold is the set of its groups.
func groupFolds(samples []Sample, k int) []map[string]bool {
	size := map[string]int{}
	for _, s := range samples {
		if s.Calib && s.Group != "" {
			size[s.Group]++
		}
	}
	if len(size) < 2 {
		return nil
	}
	groups := make([]string, 0, len(size))
	for g := range size {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		if size[groups[i]] != size[groups[j]] {
			return size[groups[i]] > size[groups[j]]
		}
		return groups[i] < groups[j]
	})
	k = min(k, len(groups))
	folds := make([]map[string]bool, k)
	load := make([]int, k)
	for i := range folds {
		folds[i] = map[string]bool{}
	}
	for _, g := range groups {
		f := 0
		for i := range load {
			if load[i] < load[f] {
				f = i
			}
		}
		folds[f][g] = true
		load[f] += size[g]
	}
	return folds
}

// crossFit scores each fold's calibration examples with a model fitted
// on everything outside the fold, calibrates on those scores, and fits
// the shipped weights on all samples.
func crossFit(samples []Sample, folds []map[string]bool, o Options) (*Model, error) {
	var raws []float64
	var ys []bool
	for i, fold := range folds {
		var train, val []Sample
		for _, s := range samples {
			switch {
			case !fold[s.Group]:
				train = append(train, s)
			case s.Calib:
				val = append(val, s)
			}
		}
		if !hasBoth(train) || !hasBoth(val) {
			return nil, fmt.Errorf("training: fold %d needs solicitation and benign examples on both sides", i+1)
		}
		m := Fit(train, o)
		for _, s := range val {
			raws = append(raws, m.Raw(s.X))
			ys = append(ys, s.Y)
		}
	}
	m := Fit(samples, o)
	calibrate(m, samples, raws, ys, o)
	m.Trained.Folds = len(folds)
	return m, nil
}

func hasBoth(ss []Sample) bool {
	var p, n bool
	for _, s := range ss {
		p, n = p || s.Y, n || !s.Y
	}
	return p && n
}

// Fit is logistic regression by AdaGrad over shuffled epochs, classes
// balanced, averaged over o.Average seeds; the returned model is
// uncalibrated (A=1, B=0, threshold 0.5).
func Fit(samples []Sample, o Options) *Model {
	o = o.withDefaults()
	m := fitOne(samples, o)
	if o.Average == 1 {
		return m
	}
	sum := make([]float64, len(m.Weights))
	for i, w := range m.Weights {
		sum[i] = float64(w)
	}
	bias := m.Bias
	for k := 1; k < o.Average; k++ {
		ok := o
		ok.Seed = o.Seed + uint64(k)
		mk := fitOne(samples, ok)
		for i, w := range mk.Weights {
			sum[i] += float64(w)
		}
		bias += mk.Bias
	}
	for i := range m.Weights {
		m.Weights[i] = float32(sum[i] / float64(o.Average))
	}
	m.Bias = bias / float64(o.Average)
	m.Trained.Average = o.Average
	return m
}

func fitOne(samples []Sample, o Options) *Model {
	m := &Model{Format: FormatVersion, Version: o.Version, Bits: o.Bits, PlattA: 1, Threshold: 0.5,
		Weights: make([]float32, 1<<o.Bits)}
	m.Trained = Report{Seed: o.Seed, Epochs: o.Epochs, L2: o.L2, Dropout: o.Dropout, TargetPrec: o.TargetPrec}
	var npos, nneg float64
	for _, s := range samples {
		if s.Y {
			npos += weightOf(s)
		} else {
			nneg += weightOf(s)
		}
	}
	// Each class weighs half of the data whatever its share.
	wpos, wneg := 1.0, 1.0
	if npos > 0 && nneg > 0 {
		tot := npos + nneg
		wpos, wneg = tot/(2*npos), tot/(2*nneg)
	}
	g2 := make([]float32, len(m.Weights))
	var biasG2 float64
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x6669742d6f726465))
	kept := &Vector{bits: o.Bits}
	for ep := 0; ep < o.Epochs; ep++ {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			s := samples[i]
			x := s.X
			if o.Dropout > 0 && o.Dropout < 1 {
				x = dropout(s.X, o.Dropout, r, &kept)
			}
			p := sigmoid(m.Raw(x))
			y, cw := 0.0, wneg
			if s.Y {
				y, cw = 1, wpos
			}
			g := (p - y) * cw * weightOf(s)
			for _, f := range x.Feats {
				l2 := o.L2
				if f.Prior {
					l2 *= priorL2
				}
				gi := g*float64(f.Value) + l2*float64(m.Weights[f.Index])
				g2[f.Index] += float32(gi * gi)
				m.Weights[f.Index] -= float32(o.Rate * gi / (math.Sqrt(float64(g2[f.Index])) + 1e-8))
			}
			biasG2 += g * g
			m.Bias -= o.Rate * g / (math.Sqrt(biasG2) + 1e-8)
		}
	}
	return m
}

// priorL2 is how much less prior-knowledge features are regularised.
const priorL2 = 0.1

// dropout fills dst with the features of x that survive, scaled so the
// expected margin is unchanged; the bias always survives.
func dropout(x *Vector, p float64, r *rand.Rand, dst **Vector) *Vector {
	d := *dst
	d.Feats = d.Feats[:0]
	scale := float32(1 / (1 - p))
	bias := Hash("bias", x.bits)
	for _, f := range x.Feats {
		if f.Index == bias {
			d.Feats = append(d.Feats, f)
		} else if r.Float64() >= p {
			f.Value *= scale
			d.Feats = append(d.Feats, f)
		}
	}
	return d
}

func weightOf(s Sample) float64 {
	if s.Weight == 0 {
		return 1
	}
	return s.Weight
}

// platt fits p = sigmoid(A*raw+B) by Newton's method on the regularised
// targets of Platt (1999), with A and B shrunk towards the logistic
// reading (1, 0): a small validation split whose few errors sit at large
// margins must not make every score read as certainty.
func platt(raws []float64, ys []bool) (a, b float64) {
	var np, nn float64
	for _, y := range ys {
		if y {
			np++
		} else {
			nn++
		}
	}
	hi, lo := (np+1)/(np+2), 1/(nn+2)
	t := make([]float64, len(ys))
	for i, y := range ys {
		t[i] = lo
		if y {
			t[i] = hi
		}
	}
	const lambda = 10.0 // as strong as ten examples
	a, b = 1, 0
	for it := 0; it < 100; it++ {
		ga, gb := lambda*(a-1), lambda*b
		haa, hab, hbb := lambda, 0.0, lambda
		for i, x := range raws {
			p := sigmoid(a*x + b)
			d := p - t[i]
			w := p * (1 - p)
			ga += d * x
			gb += d
			haa += w * x * x
			hab += w * x
			hbb += w
		}
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a -= da
		b -= db
		if math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9 {
			break
		}
	}
	if a <= 0 || math.IsNaN(a) || math.IsNaN(b) { // a degenerate split: keep the logistic reading
		return 1, 0
	}
	return a, b
}

// chooseThreshold is the lowest calibrated probability whose validation
// precision reaches the target, clamped to [MinThresh, MaxThresh].
func chooseThreshold(m *Model, raws []float64, ys []bool, o Options) (th, prec, rec float64) {
	type pt struct {
		p float64
		y bool
	}
	pts := make([]pt, len(raws))
	totPos := 0
	for i := range raws {
		pts[i] = pt{m.calibrate(raws[i]), ys[i]}
		if ys[i] {
			totPos++
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].p > pts[j].p })
	th = o.MaxThresh
	tp, fp := 0, 0
	for i, q := range pts {
		if q.y {
			tp++
		} else {
			fp++
		}
		if i+1 < len(pts) && pts[i+1].p == q.p {
			continue
		}
		if float64(tp)/float64(tp+fp) >= o.TargetPrec && q.p < th {
			th = q.p
		}
	}
	th = min(max(th, o.MinThresh), o.MaxThresh)
	tp, fp = 0, 0
	for _, q := range pts {
		if q.p >= th {
			if q.y {
				tp++
			} else {
				fp++
			}
		}
	}
	if tp+fp > 0 {
		prec = float64(tp) / float64(tp+fp)
	}
	if totPos > 0 {
		rec = float64(tp) / float64(totPos)
	}
	return th, prec, rec
}
