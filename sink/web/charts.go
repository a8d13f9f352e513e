package web

import (
	"fmt"
	"math"
	"strconv"
)

// Charts are SVG drawn on the server from the same numbers the tables
// beside them show: no script, no library, nothing loaded.

const (
	chartW, chartH = 640, 220
	padL, padR     = 56, 12
	padT, padB     = 12, 36
	maxXLabels     = 8
)

type chart struct {
	Title   string
	W, H    int
	Series  []chartSeries
	Bars    []chartBar
	XLabels []axisLabel
	YLabels []axisLabel
	Unit    string
	Empty   bool
	AxisY   string // the zero line
	AxisX2  string
}

type chartSeries struct {
	Name   string
	Points string // polyline points
	Band   string // polygon points of the interval, "" without
	Class  string // colour
	Dots   []dot
}

type dot struct {
	X, Y  string
	Title string
}

type chartBar struct {
	X, Y, W, H   string
	Label, Value string
	Whisker      bool
	WX, WLo, WHi string
}

type axisLabel struct {
	X, Y string
	Text string
}

// point is one x position's value with its interval (NaN: none).
type point struct {
	Y, Lo, Hi float64
	Title     string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceMax rounds up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func yAxis(c *chart, top float64) func(float64) float64 {
	plotH := float64(c.H - padT - padB)
	y := func(v float64) float64 { return float64(padT) + plotH*(1-v/top) }
	c.AxisY, c.AxisX2 = f1(y(0)), strconv.Itoa(c.W-padR)
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		c.YLabels = append(c.YLabels, axisLabel{X: f1(padL - 6), Y: f1(y(v) + 4), Text: trimFloat(v)})
	}
	return y
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// lineChart draws one line per series over the labels, with the interval
// as a band where a point has one.
func lineChart(title, unit string, labels []string, names []string, series [][]point) chart {
	c := chart{Title: title, W: chartW, H: chartH, Unit: unit}
	top := 0.0
	for _, s := range series {
		for _, p := range s {
			top = math.Max(top, nz(p.Y))
			top = math.Max(top, nz(p.Hi))
		}
	}
	if len(labels) == 0 || top == 0 {
		c.Empty = len(labels) == 0
	}
	y := yAxis(&c, niceMax(top))
	plotW := float64(c.W - padL - padR)
	x := func(i int) float64 {
		if len(labels) <= 1 {
			return float64(padL) + plotW/2
		}
		return float64(padL) + plotW*float64(i)/float64(len(labels)-1)
	}
	step := max(1, (len(labels)+maxXLabels-1)/maxXLabels)
	for i, l := range labels {
		if i%step == 0 || (i == len(labels)-1 && i%step > step/2) {
			c.XLabels = append(c.XLabels, axisLabel{X: f1(x(i)), Y: f1(float64(c.H - padB + 16)), Text: l})
		}
	}
	for k, s := range series {
		cs := chartSeries{Name: names[k], Class: "s" + strconv.Itoa(k%6)}
		var up, down string
		for i, p := range s {
			if math.IsNaN(p.Y) {
				continue
			}
			cs.Points += fmt.Sprintf("%s,%s ", f1(x(i)), f1(y(p.Y)))
			cs.Dots = append(cs.Dots, dot{X: f1(x(i)), Y: f1(y(p.Y)), Title: p.Title})
			if !math.IsNaN(p.Lo) && !math.IsNaN(p.Hi) {
				up += fmt.Sprintf("%s,%s ", f1(x(i)), f1(y(p.Hi)))
				down = fmt.Sprintf("%s,%s ", f1(x(i)), f1(y(p.Lo))) + down
			}
		}
		if up != "" {
			cs.Band = up + down
		}
		c.Series = append(c.Series, cs)
	}
	return c
}

// barChart draws one bar per label, with a whisker for the interval
// where there is one.
func barChart(title, unit string, labels []string, values []point) chart {
	c := chart{Title: title, W: chartW, H: chartH, Unit: unit, Empty: len(labels) == 0}
	top := 0.0
	for _, p := range values {
		top = math.Max(top, nz(p.Y))
		top = math.Max(top, nz(p.Hi))
	}
	y := yAxis(&c, niceMax(top))
	plotW := float64(c.W - padL - padR)
	slot := plotW / float64(max(1, len(labels)))
	bw := math.Min(48, slot*0.7)
	step := max(1, (len(labels)+maxXLabels-1)/maxXLabels)
	for i, l := range labels {
		p := values[i]
		cx := float64(padL) + slot*(float64(i)+0.5)
		b := chartBar{X: f1(cx - bw/2), W: f1(bw), Y: f1(y(nz(p.Y))), H: f1(y(0) - y(nz(p.Y))), Label: l, Value: p.Title}
		if !math.IsNaN(p.Lo) && !math.IsNaN(p.Hi) {
			b.Whisker, b.WX, b.WLo, b.WHi = true, f1(cx), f1(y(p.Lo)), f1(y(p.Hi))
		}
		c.Bars = append(c.Bars, b)
		if i%step == 0 {
			c.XLabels = append(c.XLabels, axisLabel{X: f1(cx), Y: f1(float64(c.H - padB + 16)), Text: l})
		}
	}
	return c
}

func nz(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
