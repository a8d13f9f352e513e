package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"time"
	"unicode"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// table is one set of figures: shown beside its chart, and downloadable
// as CSV under its name.
type table struct {
	Name   string
	Title  string
	Header []string
	Rows   [][]string
	Chart  *chart
	Charts []chart // small multiples (per source)
}

type statsFilter struct {
	From, To time.Time
	Source   string
}

const maxStatsDays = 366

func parseStatsFilter(v url.Values, now time.Time) (statsFilter, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	f := statsFilter{To: today}
	if s := v.Get("to"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return f, errors.New("to: want a day as YYYY-MM-DD")
		}
		f.To = t
	}
	f.From = f.To.AddDate(0, 0, -29)
	if s := v.Get("from"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return f, errors.New("from: want a day as YYYY-MM-DD")
		}
		f.From = t
	}
	switch {
	case f.To.Before(f.From):
		return f, errors.New("from: after to")
	case f.To.Sub(f.From) > maxStatsDays*24*time.Hour:
		return f, fmt.Errorf("from: at most %d days at once", maxStatsDays)
	}
	if src := v.Get("source"); src != "" {
		for _, r := range src {
			if !unicode.IsPrint(r) || r == '|' {
				return f, errors.New("source: only printable characters, no '|'")
			}
		}
		f.Source = cut(src, 100)
	}
	return f, nil
}

func (f statsFilter) query() string {
	v := url.Values{"from": {f.From.Format(time.DateOnly)}, "to": {f.To.Format(time.DateOnly)}}
	if f.Source != "" {
		v.Set("source", f.Source)
	}
	return v.Encode()
}

// statsTables builds every table of the statistics page.
func (s *Server) statsTables(ctx context.Context, f statsFilter) ([]table, stats.Report, error) {
	rep, err := s.b.Stats(ctx, stats.Query{From: f.From, To: f.To, Source: f.Source, BySource: true})
	if err != nil {
		return nil, rep, fmt.Errorf("building the statistics: %w", err)
	}
	return []table{daysTable(rep), appDaysTable(rep), appsTable(rep), sourcesTable(rep), takedownTable(s.b.Takedowns(""))}, rep, nil
}

func num(n int64) string { return strconv.FormatInt(n, 10) }

func rate(r *stats.Rate) (string, string, string) {
	if r == nil {
		return "", "", ""
	}
	return fmtRate(r.Estimate), fmtRate(r.Low), fmtRate(r.High)
}

func fmtRate(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func ratePoint(r *stats.Rate, title string) point {
	if r == nil {
		return point{Y: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Title: title}
	}
	return point{Y: r.Estimate, Lo: r.Low, Hi: r.High, Title: title}
}

// perTenK is the prevalence of x in n posts with its Wilson interval, as
// sink/stats computes it.
func perTenK(x, n int64) *stats.Rate {
	if n <= 0 || x > n {
		return nil
	}
	lo, hi := stats.Wilson(x, n, stats.Z95)
	return &stats.Rate{Estimate: 1e4 * float64(x) / float64(n), Low: 1e4 * lo, High: 1e4 * hi}
}

func daysTable(rep stats.Report) table {
	t := table{Name: "days", Title: "Prevalence per 10,000 posts scanned, per day (95 % Wilson interval)",
		Header: []string{"day", "posts_scanned", "findings", "per_10k", "low_95", "high_95", "distinct_handles"}}
	var labels []string
	var pts, handles []point
	for _, d := range rep.Days {
		e, lo, hi := rate(d.Per10k)
		t.Rows = append(t.Rows, []string{d.Day, num(d.PostsScanned), num(d.Findings), e, lo, hi, num(d.DistinctHandles)})
		labels = append(labels, d.Day[5:])
		pts = append(pts, ratePoint(d.Per10k, d.Day+": "+e+" ["+lo+", "+hi+"]"))
		handles = append(handles, point{Y: float64(d.DistinctHandles), Lo: math.NaN(), Hi: math.NaN(), Title: d.Day + ": " + num(d.DistinctHandles)})
	}
	c := lineChart(t.Title, "per 10k", labels, []string{"all sources"}, [][]point{pts})
	t.Chart = &c
	t.Charts = []chart{barChart("Distinct handles per day", "handles", labels, handles)}
	return t
}

func appDaysTable(rep stats.Report) table {
	t := table{Name: "app_days", Title: "Prevalence per app over time, per 10,000 posts scanned",
		Header: []string{"day", "app", "posts_scanned", "findings", "per_10k", "low_95", "high_95", "distinct_handles"}}
	var apps []string
	seen := map[string]bool{}
	for _, d := range rep.Days {
		for _, a := range d.Apps {
			if !seen[a.App] {
				seen[a.App] = true
				apps = append(apps, a.App)
			}
		}
	}
	sort.Strings(apps)
	idx := map[string]int{}
	for i, a := range apps {
		idx[a] = i
	}
	series := make([][]point, len(apps))
	var labels []string
	for _, d := range rep.Days {
		labels = append(labels, d.Day[5:])
		for i := range series {
			series[i] = append(series[i], point{Y: 0, Lo: math.NaN(), Hi: math.NaN()})
		}
		for _, a := range d.Apps {
			r := perTenK(a.Findings, d.PostsScanned)
			e, lo, hi := rate(r)
			t.Rows = append(t.Rows, []string{d.Day, a.App, num(d.PostsScanned), num(a.Findings), e, lo, hi, num(a.DistinctHandles)})
			p := ratePoint(r, d.Day+" "+a.App+": "+e)
			p.Lo, p.Hi = math.NaN(), math.NaN() // bands of several apps would hide each other; the table has them
			series[idx[a.App]][len(labels)-1] = p
		}
	}
	if len(apps) > 0 {
		c := lineChart(t.Title, "per 10k", labels, apps, series)
		t.Chart = &c
	}
	return t
}

func appsTable(rep stats.Report) table {
	t := table{Name: "apps", Title: "Prevalence per app over the period (95 % Wilson interval) and decisions",
		Header: []string{"app", "posts_scanned", "findings", "per_10k", "low_95", "high_95", "confirm", "dismiss", "escalate", "clear"}}
	var labels []string
	var pts []point
	for _, a := range rep.Apps {
		e, lo, hi := rate(a.Per10k)
		t.Rows = append(t.Rows, []string{a.App, num(a.PostsScanned), num(a.Findings), e, lo, hi,
			num(a.Decisions[string(wire.DecisionConfirm)]), num(a.Decisions[string(wire.DecisionDismiss)]),
			num(a.Decisions[string(wire.DecisionEscalate)]), num(a.Decisions[string(wire.DecisionClear)])})
		labels = append(labels, a.App)
		pts = append(pts, ratePoint(a.Per10k, a.App+": "+e+" ["+lo+", "+hi+"]"))
	}
	c := barChart(t.Title, "per 10k", labels, pts)
	t.Chart = &c
	return t
}

func sourcesTable(rep stats.Report) table {
	t := table{Name: "sources", Title: "Prevalence per source over time, per 10,000 posts scanned (95 % Wilson interval)",
		Header: []string{"day", "source", "posts_scanned", "findings", "per_10k", "low_95", "high_95", "distinct_handles"}}
	for _, src := range rep.Sources {
		var labels []string
		var pts []point
		for _, d := range src.Days {
			e, lo, hi := rate(d.Per10k)
			t.Rows = append(t.Rows, []string{d.Day, src.Source, num(d.PostsScanned), num(d.Findings), e, lo, hi, num(d.DistinctHandles)})
			labels = append(labels, d.Day[5:])
			pts = append(pts, ratePoint(d.Per10k, d.Day+": "+e+" ["+lo+", "+hi+"]"))
		}
		t.Charts = append(t.Charts, lineChart(src.Source, "per 10k", labels, []string{src.Source}, [][]point{pts}))
	}
	return t
}

func takedownTable(reqs []takedown.Request) table {
	t := table{Name: "takedowns", Title: "Takedown time to removal per target (first notice to verified removal)",
		Header: []string{"target", "requests", "removed", "failed", "open", "median_hours", "mean_hours", "max_hours"}}
	type agg struct {
		n, removed, failed, open int
		ttr                      []float64
	}
	by := map[string]*agg{}
	var targets []string
	for _, r := range reqs {
		if r.Shadow {
			continue // never sent
		}
		a := by[r.Target]
		if a == nil {
			a = &agg{}
			by[r.Target] = a
			targets = append(targets, r.Target)
		}
		a.n++
		switch r.State {
		case wire.TakedownRemoved:
			a.removed++
			if r.TimeToRemoval > 0 {
				a.ttr = append(a.ttr, r.TimeToRemoval.Hours())
			}
		case wire.TakedownFailed:
			a.failed++
		default:
			a.open++
		}
	}
	sort.Strings(targets)
	var labels []string
	var pts []point
	for _, name := range targets {
		a := by[name]
		med, mean, mx := "", "", ""
		p := point{Y: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Title: name + ": no removal yet"}
		if len(a.ttr) > 0 {
			sort.Float64s(a.ttr)
			sum := 0.0
			for _, v := range a.ttr {
				sum += v
			}
			m := a.ttr[len(a.ttr)/2]
			if len(a.ttr)%2 == 0 {
				m = (a.ttr[len(a.ttr)/2-1] + a.ttr[len(a.ttr)/2]) / 2
			}
			med, mean, mx = hours(m), hours(sum/float64(len(a.ttr))), hours(a.ttr[len(a.ttr)-1])
			p = point{Y: m, Lo: a.ttr[0], Hi: a.ttr[len(a.ttr)-1], Title: name + ": median " + med + " h"}
		}
		t.Rows = append(t.Rows, []string{name, strconv.Itoa(a.n), strconv.Itoa(a.removed), strconv.Itoa(a.failed), strconv.Itoa(a.open), med, mean, mx})
		labels = append(labels, name)
		pts = append(pts, p)
	}
	c := barChart(t.Title+"; whiskers: fastest to slowest", "hours", labels, pts)
	t.Chart = &c
	return t
}

func hours(h float64) string { return strconv.FormatFloat(h, 'f', 1, 64) }
