package model

import "sort"

// Feature is one named, hashed feature with its value.
type Feature struct {
	Name  string
	Index uint32
	Value float32
	// Prior marks a feature that stands for knowledge the rules already
	// encode (a category hit, a handle kind): training regularises it
	// less than a word, so generalisable evidence carries more weight
	// than a template's accidental vocabulary.
	Prior bool
}

// Vector is a sparse feature vector. Names are kept so that a finding can
// say which words and rules pushed its score; a post reaching the scorer
// is rare, so the strings cost nothing that matters.
type Vector struct {
	bits  uint8
	seen  map[uint32]int
	Feats []Feature
}

// NewVector returns an empty vector for a model of 2^bits weights.
func NewVector(bits uint8) *Vector {
	return &Vector{bits: bits, seen: make(map[uint32]int, 64)}
}

// Add sets feature name to the larger of its current value and v: features
// are presence-like, so a word said twice is not twice the evidence.
func (x *Vector) Add(name string, v float32) { x.add(name, v, false) }

// AddPrior is Add for a feature of prior knowledge (see Feature.Prior).
func (x *Vector) AddPrior(name string, v float32) { x.add(name, v, true) }

func (x *Vector) add(name string, v float32, prior bool) {
	if v == 0 {
		return
	}
	i := Hash(name, x.bits)
	if j, ok := x.seen[i]; ok {
		if v > x.Feats[j].Value {
			x.Feats[j].Value = v
		}
		return
	}
	x.seen[i] = len(x.Feats)
	x.Feats = append(x.Feats, Feature{Name: name, Index: i, Value: v, Prior: prior})
}

// Len is the number of distinct features.
func (x *Vector) Len() int { return len(x.Feats) }

// Names lists the feature names, sorted (for tests and debugging).
func (x *Vector) Names() []string {
	out := make([]string, len(x.Feats))
	for i, f := range x.Feats {
		out[i] = f.Name
	}
	sort.Strings(out)
	return out
}

// Hash is FNV-1a folded to bits bits; the name space is open, so the model
// never needs a vocabulary file.
func Hash(name string, bits uint8) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	// xor-fold keeps the high bits' information in a small table.
	return (h ^ h>>bits) & (1<<bits - 1)
}
