package gen

import (
	"fmt"
	"sort"
)

// Handle is one messaging-app contact in canonical form.
type Handle struct {
	App    string `json:"app"`
	Handle string `json:"handle"`
}

// Example is one generated post with its labels.
type Example struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Label   string   `json:"label"` // LabelSolicitation or LabelBenign
	Handles []Handle `json:"handles"`
	Lang    string   `json:"lang"`
	Tags    []string `json:"tags"`
	Family  string   `json:"family"` // template family, e.g. "pos.offer.menu"
}

// Labels.
const (
	LabelSolicitation = "solicitation"
	LabelBenign       = "benign"
)

// maxText bounds an example's length in bytes; longer expansions are drawn
// again.
const maxText = 600

// maxPosText keeps solicitation examples short (content rule): two long IDs
// and a menu could pass 600 bytes, no real ad needs that.
const maxPosText = 300

// posShare is the share of solicitation examples.
const posShare = 0.4

// Families returns every family name, sorted.
func Families() []string {
	out := make([]string, 0, len(families))
	for _, f := range families {
		out = append(out, f.name)
	}
	sort.Strings(out)
	return out
}

// Langs returns the languages the generator writes.
func Langs() []string {
	out := make([]string, 0, len(lexicons))
	for l := range lexicons {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Generate returns n examples drawn from seed: the same seed and n give
// the same examples. About 40% are solicitation; families and languages
// are taken in turn so that every family appears once n reaches the number
// of families, and every language of a family soon after.
func Generate(seed uint64, n int) []Example {
	if n <= 0 {
		return nil
	}
	var pos, neg []*family
	for i := range families {
		if families[i].pos {
			pos = append(pos, &families[i])
		} else {
			neg = append(neg, &families[i])
		}
	}
	out := make([]Example, n)
	nPos := 0
	for i := 0; i < n; i++ {
		// Solicitation share: the running count stays at posShare.
		isPos := float64(nPos) < posShare*float64(i+1)-0.5 || (i == 0 && len(neg) == 0)
		var f *family
		var k int
		if isPos {
			k = nPos
			f = pos[k%len(pos)]
			nPos++
		} else {
			k = i - nPos
			f = neg[k%len(neg)]
		}
		langs := f.langs()
		r := newRNG(seed, uint64(i))
		// Round k/len(families) walks the family's languages from a start
		// drawn once per family, so the combinations spread evenly.
		round := k / len(pos)
		if !isPos {
			round = k / len(neg)
		}
		lang := langs[(round+int(hash64(seed, f.name)%uint64(len(langs))))%len(langs)]
		out[i] = f.generate(r, lang)
	}
	// Shuffle so that consecutive examples are not one family after the
	// other, then number them.
	r := newRNG(seed, ^uint64(0))
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	for i := range out {
		kind := "neg"
		if out[i].Label == LabelSolicitation {
			kind = "pos"
		}
		out[i].ID = fmt.Sprintf("gen-%s-%s-%06d", out[i].Lang, kind, i+1)
	}
	return out
}

// rng is splitmix64: tiny, fast and fixed forever, unlike a library
// generator whose stream may change between releases.
type rng struct{ s uint64 }

// newRNG returns the generator of one stream of seed. The state is hashed
// from both, so that neighbouring streams do not share a sequence shifted
// by one step.
func newRNG(seed, stream uint64) *rng {
	return &rng{s: mix64(seed^0x243F6A8885A308D3) ^ mix64(stream+0x13198A2E03707344)}
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return mix64(r.s)
}

// intn returns a value in [0, n); n > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return float64(r.next()>>11)/(1<<53) < p }

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// hash64 is FNV-1a of s mixed with seed.
func hash64(seed uint64, s string) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
