package web

import (
	"encoding/csv"
	"net/http"
	"strings"
)

// statsCSV: GET /stats.csv?table=&from=&to=&source=, one table of the
// statistics page as CSV.
func (s *Server) statsCSV(w http.ResponseWriter, r *http.Request) {
	f, err := parseStatsFilter(r.URL.Query(), s.now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	tables, _, err := s.statsTables(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := r.URL.Query().Get("table")
	if name == "" {
		name = "days"
	}
	for _, t := range tables {
		if t.Name != name {
			continue
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="handlewatch-`+t.Name+`-`+
			f.From.Format("20060102")+`-`+f.To.Format("20060102")+`.csv"`)
		cw := csv.NewWriter(w)
		_ = cw.Write(t.Header)
		for _, row := range t.Rows {
			_ = cw.Write(neutralize(row))
		}
		cw.Flush()
		return
	}
	http.Error(w, "table: want days, app_days, apps, sources or takedowns", http.StatusBadRequest)
}

// neutralize keeps a spreadsheet from reading a cell as a formula (source
// names come from the config, but a CSV is opened far from it).
func neutralize(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}
