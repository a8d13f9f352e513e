package cases

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Memory keeps the cases in this process: the zero-setup default, rebuilt
// from the streams after a restart.
type Memory struct {
	mu    sync.Mutex
	max   int
	cases map[string]*memCase
}

var _ Store = (*Memory)(nil)

type memCase struct {
	c        Case       // without Recent
	recent   []Sighting // oldest first, at most max
	findings map[string]struct{}
	sources  map[string]struct{}
	authors  map[string]struct{}
	events   map[string]struct{}
}

// NewMemory returns an empty store keeping up to maxSightings sightings per
// case (DefaultMaxSightings when 0).
func NewMemory(maxSightings int) *Memory {
	if maxSightings <= 0 {
		maxSightings = DefaultMaxSightings
	}
	return &Memory{max: maxSightings, cases: map[string]*memCase{}}
}

func (m *Memory) get(id, app, handle string) (*memCase, bool) {
	if mc, ok := m.cases[id]; ok {
		return mc, false
	}
	mc := &memCase{c: *newCase(id, app, handle), findings: map[string]struct{}{},
		sources: map[string]struct{}{}, authors: map[string]struct{}{}, events: map[string]struct{}{}}
	m.cases[id] = mc
	return mc, true
}

func (m *Memory) AddSighting(_ context.Context, app, handle string, s Sighting) (Update, error) {
	if err := checkSighting(app, handle, &s); err != nil {
		return Update{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, created := m.get(wire.CaseKey(app, handle), app, handle)
	if created || mc.c.App == "" {
		mc.c.App, mc.c.Handle = app, handle
	}
	if _, dup := mc.findings[s.FindingID]; dup {
		return Update{Case: mc.snapshot(UpdateRecent)}, nil
	}
	mc.findings[s.FindingID] = struct{}{}
	_, oldSource := mc.sources[s.Source]
	mc.sources[s.Source] = struct{}{}
	newAuthor := false
	if k := s.authorKey(); k != "" {
		_, old := mc.authors[k]
		mc.authors[k] = struct{}{}
		newAuthor = !old
	}
	mc.c.addSighting(&s, !oldSource, newAuthor)
	mc.recent = append(mc.recent, s)
	if n := len(mc.recent); n > m.max {
		mc.recent = slices.Delete(mc.recent, 0, n-m.max)
	}
	return Update{Case: mc.snapshot(UpdateRecent), Changed: true, Created: created}, nil
}

func (m *Memory) Apply(_ context.Context, e *wire.CaseEvent) (Update, error) {
	if err := checkEvent(e); err != nil {
		return Update{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, created := m.get(e.CaseID, e.App, e.Handle)
	if _, dup := mc.events[e.ID]; dup {
		return Update{Case: mc.snapshot(UpdateRecent)}, nil
	}
	mc.events[e.ID] = struct{}{}
	mc.c.apply(e)
	return Update{Case: mc.snapshot(UpdateRecent), Changed: true, Created: created}, nil
}

func (m *Memory) Get(_ context.Context, id string) (*Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.cases[id]
	if !ok {
		return nil, ErrNotFound
	}
	return mc.snapshot(m.max), nil
}

func (m *Memory) List(_ context.Context, q Query) (Page, error) {
	m.mu.Lock()
	var all []*memCase
	for _, mc := range m.cases {
		if q.matches(&mc.c) {
			all = append(all, mc)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].c.sortScore(), all[j].c.sortScore()
		if a != b {
			return a > b
		}
		return all[i].c.ID > all[j].c.ID
	})
	var p Page
	lim := q.limit()
	for i := max(q.Offset, 0); i < len(all); i++ {
		if len(p.Cases) == lim {
			p.More = true
			break
		}
		p.Cases = append(p.Cases, all[i].snapshot(1))
	}
	m.mu.Unlock()
	return p, nil
}

// snapshot is a deep copy the caller may keep, with the n newest
// sightings, newest first.
func (mc *memCase) snapshot(n int) *Case {
	c := deepCopy(&mc.c)
	for i := len(mc.recent) - 1; i >= 0 && len(c.Recent) < n; i-- {
		c.Recent = append(c.Recent, mc.recent[i])
	}
	return c
}

func deepCopy(c *Case) *Case {
	out := *c
	if c.Decision != nil {
		d := *c.Decision
		out.Decision = &d
	}
	out.Alerts = slices.Clone(c.Alerts)
	out.Takedowns = slices.Clone(c.Takedowns)
	out.Imports = slices.Clone(c.Imports)
	out.History = slices.Clone(c.History)
	out.SourceNames = slices.Clone(c.SourceNames)
	out.Recent = nil
	return &out
}
