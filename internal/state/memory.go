package state

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Memory keeps all state in this process. It is the zero-setup default:
// nothing survives a restart, and JetStream replay rebuilds what matters.
type Memory struct {
	mu       sync.Mutex
	now      func() time.Time
	seen     map[string]time.Time // key → expiry (zero: never)
	cursors  map[string]string
	counters map[string]int64
	distinct map[string]map[string]struct{}
	sets     map[string]map[string]struct{}
	marks    map[string][]uint64 // set + "/" + chunk → bitmap
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty memory store.
func NewMemory() *Memory {
	return &Memory{
		now: time.Now, seen: map[string]time.Time{}, cursors: map[string]string{},
		counters: map[string]int64{}, distinct: map[string]map[string]struct{}{},
		sets: map[string]map[string]struct{}{}, marks: map[string][]uint64{},
	}
}

func (m *Memory) live(key string) bool {
	exp, ok := m.seen[key]
	if !ok {
		return false
	}
	if !exp.IsZero() && !m.now().Before(exp) {
		delete(m.seen, key)
		return false
	}
	return true
}

func (m *Memory) MarkSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.live(key) {
		return false, nil
	}
	var exp time.Time
	if ttl > 0 {
		exp = m.now().Add(ttl)
	}
	m.seen[key] = exp
	if len(m.seen)%4096 == 0 {
		m.sweep()
	}
	return true, nil
}

func (m *Memory) Touch(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.live(key) {
		return false, nil
	}
	var exp time.Time
	if ttl > 0 {
		exp = m.now().Add(ttl)
	}
	m.seen[key] = exp
	return true, nil
}

// sweep drops expired keys so a long-running process does not grow without
// bound.
func (m *Memory) sweep() {
	now := m.now()
	for k, exp := range m.seen {
		if !exp.IsZero() && !now.Before(exp) {
			delete(m.seen, k)
		}
	}
}

func (m *Memory) IsSeen(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.live(key), nil
}

func (m *Memory) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, key)
	return nil
}

func (m *Memory) Cursor(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.cursors[key]
	return v, ok, nil
}

func (m *Memory) SetCursor(_ context.Context, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursors[key] = value
	return nil
}

func windowKey(name string, period Period, at time.Time) string {
	return name + "/" + string(period) + "/" + period.Bucket(at)
}

func (m *Memory) Incr(_ context.Context, name string, period Period, at time.Time, n int64) (int64, error) {
	if err := period.valid(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := windowKey(name, period, at)
	m.counters[k] += n
	return m.counters[k], nil
}

func (m *Memory) Count(_ context.Context, name string, period Period, at time.Time) (int64, error) {
	if err := period.valid(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[windowKey(name, period, at)], nil
}

func (m *Memory) AddDistinct(_ context.Context, name string, period Period, at time.Time, members ...string) error {
	if err := period.valid(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	addAll(m.distinct, windowKey(name, period, at), members)
	return nil
}

func (m *Memory) CountDistinct(_ context.Context, name string, period Period, at time.Time) (int64, error) {
	if err := period.valid(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.distinct[windowKey(name, period, at)])), nil
}

func (m *Memory) AddToSet(_ context.Context, set string, members ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	addAll(m.sets, set, members)
	return nil
}

func (m *Memory) RemoveFromSet(_ context.Context, set string, members ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range members {
		delete(m.sets[set], v)
	}
	return nil
}

func (m *Memory) InSet(_ context.Context, set, member string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.sets[set][member]
	return ok, nil
}

func (m *Memory) SetMembers(_ context.Context, set string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.sets[set]))
	for v := range m.sets[set] {
		out = append(out, v)
	}
	sort.Strings(out)
	return out, nil
}

func (m *Memory) Ping(context.Context) error { return nil }
func (m *Memory) Close() error               { return nil }

func addAll(sets map[string]map[string]struct{}, key string, members []string) {
	s := sets[key]
	if s == nil {
		s = map[string]struct{}{}
		sets[key] = s
	}
	for _, v := range members {
		s[v] = struct{}{}
	}
}

func (m *Memory) ApplyBatch(_ context.Context, b Batch) (bool, error) {
	if err := b.valid(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applyLocked(b, 1), nil
}

// applyLocked applies b with every Incr's N multiplied by mult.
func (m *Memory) applyLocked(b Batch, mult int64) bool {
	if b.Once != "" {
		if m.live(b.Once) {
			return false
		}
		var exp time.Time
		if b.OnceTTL > 0 {
			exp = m.now().Add(b.OnceTTL)
		}
		m.seen[b.Once] = exp
	}
	for _, in := range b.Incrs {
		m.counters[windowKey(in.Name, in.Period, in.At)] += in.N * mult
	}
	for _, d := range b.Distincts {
		addAll(m.distinct, windowKey(d.Name, d.Period, d.At), d.Members)
	}
	for _, a := range b.SetAdds {
		addAll(m.sets, a.Set, a.Members)
	}
	return true
}

// ApplyMarked keeps its marks for the life of the process (the memory
// store is rebuilt from the streams on every start): one bit per
// sequence, about 125 MB per billion posts.
func (m *Memory) ApplyMarked(_ context.Context, set string, _ time.Duration, ranges []SeqRange, b Batch) (int64, error) {
	parts, err := markedParts(ranges, b)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var fresh int64
	for _, p := range parts {
		k := set + "/" + strconv.FormatUint(p.chunk, 10)
		bits := m.marks[k]
		if need := int(p.to/64) + 1; len(bits) < need {
			bits = append(bits, make([]uint64, need-len(bits))...)
			m.marks[k] = bits
		}
		for i := p.from; i <= p.to; i++ {
			w, bit := i/64, uint64(1)<<(i%64)
			if bits[w]&bit == 0 {
				bits[w] |= bit
				fresh++
			}
		}
	}
	if fresh > 0 {
		m.applyLocked(b, fresh)
	}
	return fresh, nil
}
