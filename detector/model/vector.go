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

// Vector is a sparse feature vector. Names are kept only when the vector
// is built to explain a finding (NewNamedVector): hashing a prefix and a
// word needs no string, and most posts that reach the scorer are no
// finding.
type Vector struct {
	bits  uint8
	named bool
	seen  map[uint32]int
	Feats []Feature
}

// NewVector returns an empty vector for a model of 2^bits weights.
func NewVector(bits uint8) *Vector {
	// A post the scorer sees has some 70–260 features (median 140 on the
	// bench corpus): sized for most at once, growing the map and the slice
	// step by step cost more than the scoring did.
	return &Vector{bits: bits, seen: make(map[uint32]int, vectorHint), Feats: make([]Feature, 0, vectorHint)}
}

const vectorHint = 256

// Reset empties x for reuse, keeping its memory.
func (x *Vector) Reset() {
	clear(x.seen)
	x.Feats = x.Feats[:0]
}

// NewNamedVector is NewVector that keeps every feature's name.
func NewNamedVector(bits uint8) *Vector {
	x := NewVector(bits)
	x.named = true
	return x
}

// Add sets feature name to the larger of its current value and v: features
// are presence-like, so a word said twice is not twice the evidence.
func (x *Vector) Add(name string, v float32) { x.add("", name, v, false) }

// AddPrior is Add for a feature of prior knowledge (see Feature.Prior).
func (x *Vector) AddPrior(name string, v float32) { x.add("", name, v, true) }

// AddParts is Add for the feature named prefix+word, without building it.
func (x *Vector) AddParts(prefix, word string, v float32) { x.add(prefix, word, v, false) }

// AddPriorParts is AddPrior for prefix+word.
func (x *Vector) AddPriorParts(prefix, word string, v float32) { x.add(prefix, word, v, true) }

// AddPair is Add for the feature prefix+a+" "+b (a word pair).
func (x *Vector) AddPair(prefix, a, b string, v float32) {
	if v == 0 {
		return
	}
	h := fnv(fnv(fnv(fnv(offset32, prefix), a), " "), b)
	x.insert(fold(h, x.bits), v, false, func() string { return prefix + a + " " + b })
}

func (x *Vector) add(prefix, word string, v float32, prior bool) {
	if v == 0 {
		return
	}
	x.insert(hash2(prefix, word, x.bits), v, prior, func() string { return prefix + word })
}

func (x *Vector) insert(i uint32, v float32, prior bool, name func() string) {
	if j, ok := x.seen[i]; ok {
		if v > x.Feats[j].Value {
			x.Feats[j].Value = v
		}
		return
	}
	x.seen[i] = len(x.Feats)
	f := Feature{Index: i, Value: v, Prior: prior}
	if x.named {
		f.Name = name()
	}
	x.Feats = append(x.Feats, f)
}

// sortByIndex puts the features in index order: training is then the same
// whatever order they were added in (map iteration upstream, for one).
func (x *Vector) sortByIndex() {
	sort.Slice(x.Feats, func(i, j int) bool { return x.Feats[i].Index < x.Feats[j].Index })
	for i, f := range x.Feats {
		x.seen[f.Index] = i
	}
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
func Hash(name string, bits uint8) uint32 { return hash2("", name, bits) }

const offset32 = uint32(2166136261)

func fnv(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func hash2(prefix, word string, bits uint8) uint32 {
	return fold(fnv(fnv(offset32, prefix), word), bits)
}

func fold(h uint32, bits uint8) uint32 {
	// xor-fold keeps the high bits' information in a small table.
	return (h ^ h>>bits) & (1<<bits - 1)
}
