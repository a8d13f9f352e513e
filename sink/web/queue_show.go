package web

import (
	"net/http"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

type queueData struct {
	Filter     queueFilter
	Problems   []string
	Result     queueResult
	Statuses   []statusCount
	Apps       []string
	Severities []wire.Severity
	Prev, Next string // links to the neighbouring pages, "" when none
	Page       int
	Pages      int
	Here       string // this page, for the forms to come back to
}

type statusCount struct {
	Status string
	Count  int
	Href   string
}

// showQueue: GET /queue?status=&app=&source=&severity=&from=&to=&page=
func (s *Server) showQueue(w http.ResponseWriter, r *http.Request) {
	f, problems := parseQueueFilter(r.URL.Query())
	res, err := s.queue(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := queueData{Filter: f, Problems: problems, Result: res, Apps: wire.Apps,
		Severities: []wire.Severity{wire.SeverityCritical, wire.SeverityHigh, wire.SeverityMedium, wire.SeverityLow},
		Page:       f.Page, Pages: max(1, (res.Total+pageSize-1)/pageSize), Here: r.URL.RequestURI()}
	open := res.Counts[cases.StatusNew] + res.Counts[cases.StatusEscalated]
	all := 0
	for _, n := range res.Counts {
		all += n
	}
	withStatus := func(st string) string { g := f; g.Status, g.Page = st, 1; return "/queue?" + g.query(1) }
	d.Statuses = append(d.Statuses, statusCount{statusOpen, open, withStatus(statusOpen)})
	for _, st := range cases.Statuses {
		d.Statuses = append(d.Statuses, statusCount{string(st), res.Counts[st], withStatus(string(st))})
	}
	d.Statuses = append(d.Statuses, statusCount{"all", all, withStatus("all")})
	if f.Page > 1 {
		d.Prev = "/queue?" + f.query(f.Page-1)
	}
	if f.Page < d.Pages {
		d.Next = "/queue?" + f.query(f.Page+1)
	}
	s.render(w, r, http.StatusOK, "queue", "Queue", "queue", d)
}
