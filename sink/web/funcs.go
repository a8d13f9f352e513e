package web

import (
	"html/template"
	"time"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.DateOnly)
	},
	"score": func(v float64) string { return template.HTMLEscapeString(trimFloat(float64(int(v*100+0.5)) / 100)) },
	"weight": func(v float64) string {
		return trimFloat(float64(int(v*100+sign(v)*0.5)) / 100)
	},
	"segments": segments,
	"clip":     clip,
	"linkOf":   linkOf,
	"reviews":  Role.Reviews,
	"token":    randomToken,
	"csvHref":  func(table, query string) string { return "/stats.csv?table=" + table + "&" + query },
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
