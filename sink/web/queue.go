package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// The queue reads at most maxScan cases per page view, pageSize rows a
// page.
const (
	maxScan  = 5000
	pageSize = 25
)

// statusOpen is the queue's default: cases waiting for a moderator.
const statusOpen = "open"

// queueFilter is the queue's query string.
type queueFilter struct {
	Status   string // "open" (new and escalated), a cases.Status, or "all"
	App      string
	Source   string
	Severity wire.Severity
	From, To time.Time // UTC days, both included; zero: open
	Page     int       // from 1
}

func parseQueueFilter(v url.Values) (queueFilter, []string) {
	f := queueFilter{Status: statusOpen, Page: 1}
	var problems []string
	if st := v.Get("status"); st != "" {
		if st == statusOpen || st == "all" || cases.Status(st).Valid() {
			f.Status = st
		} else {
			problems = append(problems, "status: unknown, showing open cases")
		}
	}
	if a := v.Get("app"); a != "" {
		if wire.IsApp(a) {
			f.App = a
		} else {
			problems = append(problems, "app: not a known messaging app")
		}
	}
	if src := strings.TrimSpace(v.Get("source")); src != "" {
		f.Source = cut(src, 100)
	}
	if sv := v.Get("severity"); sv != "" {
		if sev, err := wire.ParseSeverity(sv); err == nil {
			f.Severity = sev
		} else {
			problems = append(problems, "severity: want low, medium, high or critical")
		}
	}
	for _, d := range []struct {
		key string
		to  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := v.Get(d.key); s != "" {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				problems = append(problems, d.key+": want a day as YYYY-MM-DD")
				continue
			}
			*d.to = t
		}
	}
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 && p <= maxScan/pageSize {
		f.Page = p
	}
	return f, problems
}

// query is the filter as a query string, with page p.
func (f queueFilter) query(p int) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("status", f.Status)
	set("app", f.App)
	set("source", f.Source)
	set("severity", string(f.Severity))
	if !f.From.IsZero() {
		v.Set("from", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.Format(time.DateOnly))
	}
	if p > 1 {
		v.Set("page", strconv.Itoa(p))
	}
	return v.Encode()
}

func (f queueFilter) wantStatus(s cases.Status) bool {
	switch f.Status {
	case "all":
		return true
	case statusOpen:
		return s == cases.StatusNew || s == cases.StatusEscalated
	}
	return s == cases.Status(f.Status)
}

// matches applies what the store cannot filter on.
func (f queueFilter) matches(c *cases.Case) bool {
	if !f.To.IsZero() && !c.LastSeen.Before(f.To.AddDate(0, 0, 1)) {
		return false
	}
	if f.Source != "" {
		names := c.SourceNames
		if len(names) == 0 && len(c.Recent) > 0 {
			names = []string{c.Recent[0].Source}
		}
		if !slices.Contains(names, f.Source) {
			return false
		}
	}
	return true
}

// queueResult is one page of the queue.
type queueResult struct {
	Cases     []*cases.Case
	Counts    map[cases.Status]int // over the other filters
	Total     int                  // matching every filter
	Truncated bool                 // more than maxScan cases: the oldest were not read
	Sources   []string             // seen in what was read, for the filter
}

// scanCases reads the cases matching what the store filters on, newest
// first, up to maxScan.
func (s *Server) scanCases(ctx context.Context, q cases.Query) ([]*cases.Case, bool, error) {
	q.Limit, q.Offset = cases.MaxLimit, 0
	var out []*cases.Case
	for {
		p, err := s.b.ListCases(ctx, q)
		if err != nil {
			return nil, false, fmt.Errorf("listing cases: %w", err)
		}
		out = append(out, p.Cases...)
		if !p.More {
			return out, false, nil
		}
		if len(out) >= maxScan {
			return out, true, nil
		}
		q.Offset += len(p.Cases)
	}
}

// queue selects, counts and sorts: severity first, then the most recently
// seen.
func (s *Server) queue(ctx context.Context, f queueFilter) (queueResult, error) {
	all, truncated, err := s.scanCases(ctx, cases.Query{App: f.App, Severity: f.Severity, SeenSince: f.From})
	if err != nil {
		return queueResult{}, err
	}
	res := queueResult{Counts: map[cases.Status]int{}, Truncated: truncated}
	srcs := map[string]bool{}
	var hits []*cases.Case
	for _, c := range all {
		for _, n := range c.SourceNames {
			srcs[n] = true
		}
		if !f.matches(c) {
			continue
		}
		res.Counts[c.Status]++
		if f.wantStatus(c.Status) {
			hits = append(hits, c)
		}
	}
	sortQueue(hits)
	res.Total = len(hits)
	lo := min((f.Page-1)*pageSize, len(hits))
	res.Cases = hits[lo:min(lo+pageSize, len(hits))]
	for n := range srcs {
		res.Sources = append(res.Sources, n)
	}
	sort.Strings(res.Sources)
	return res, nil
}

func sortQueue(cs []*cases.Case) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra > rb
		}
		if !a.LastSeen.Equal(b.LastSeen) {
			return a.LastSeen.After(b.LastSeen)
		}
		return a.ID < b.ID
	})
}
