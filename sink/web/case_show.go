package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// categoryHelp explains a signal category to a moderator.
var categoryHelp = map[string]string{
	"offer":     "offers or trades material",
	"request":   "asks for material",
	"minor":     "indicates a minor",
	"coded":     "a known coded term for abuse material",
	"contact":   "invites contact off-platform",
	"evasion":   "evades filters (spacing, look-alike letters, coded spelling)",
	"news":      "reads like news reporting (lowers the score)",
	"safety":    "reads like safety advice (lowers the score)",
	"law":       "mentions law enforcement (lowers the score)",
	"adult":     "an adult-only advertisement (lowers the score)",
	"education": "educational context (lowers the score)",
	"activism":  "activism or awareness context (lowers the score)",
}

type sightingView struct {
	cases.Sighting
	Segments  []segment
	Permalink link
	Signals   []signalView
}

type signalView struct {
	wire.Signal
	Matched string
	Help    string
}

type takedownView struct {
	takedown.Request
	URL           link
	TimeToRemoval string
	Lifecycle     []cases.Event
}

type caseData struct {
	Case       *cases.Case
	Sightings  []sightingView
	Takedowns  []takedownView
	Decisions  []cases.Event
	SameHandle []*cases.Case
	SameAuthor []*cases.Case
	Related    bool // the related search read every case
	Review     int  // takedown requests waiting for a moderator
	Idem       string
	Here       string
}

// showCase: GET /cases/{id}.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request) {
	c, err := s.b.Case(r.Context(), r.PathValue("id"))
	if errors.Is(err, cases.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "There is no such case.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := caseData{Case: c, Idem: randomToken(), Here: "/cases/" + c.ID}
	for _, sg := range c.Recent {
		v := sightingView{Sighting: sg, Segments: segments(sg.Excerpt.Text, sg.Excerpt.Spans), Permalink: linkOf(sg.Permalink)}
		for _, sig := range sg.Signals {
			sv := signalView{Signal: sig, Help: categoryHelp[sig.Category]}
			if sig.Span.Valid(len(sg.Excerpt.Text)) {
				sv.Matched = sg.Excerpt.Text[sig.Span.Start:sig.Span.End]
			}
			v.Signals = append(v.Signals, sv)
		}
		d.Sightings = append(d.Sightings, v)
	}
	for _, e := range c.History {
		if e.Type == wire.EventDecision {
			d.Decisions = append(d.Decisions, e)
		}
	}
	for _, req := range s.b.Takedowns(c.ID) {
		tv := takedownView{Request: req, URL: linkOf(req.URL)}
		if req.TimeToRemoval > 0 {
			tv.TimeToRemoval = req.TimeToRemoval.Round(time.Minute).String()
		}
		for _, e := range c.History {
			if e.Type == wire.EventTakedown && containsID(e.ID, req.ID) {
				tv.Lifecycle = append(tv.Lifecycle, e)
			}
		}
		if req.Waiting == takedown.WaitReview && !req.Closed() {
			d.Review++
		}
		d.Takedowns = append(d.Takedowns, tv)
	}
	if d.SameHandle, d.SameAuthor, d.Related, err = s.related(r.Context(), c); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "case", fmt.Sprintf("%s %s", c.App, c.Handle), "queue", d)
}

// containsID: takedown event ids are "td:<request>:<state>:<n>".
func containsID(eventID, reqID string) bool {
	return strings.HasPrefix(eventID, "td:"+reqID+":")
}

// maxRelated bounds each list of related cases.
const maxRelated = 20

// related finds the cases with the same handle on another app, and the
// cases whose latest sighting has an author of this case (the same name
// on the same source).
func (s *Server) related(ctx context.Context, c *cases.Case) (sameHandle, sameAuthor []*cases.Case, complete bool, err error) {
	all, truncated, err := s.scanCases(ctx, cases.Query{})
	if err != nil {
		return nil, nil, false, err
	}
	authors := map[string]bool{}
	for _, sg := range c.Recent {
		if sg.Author != "" {
			authors[sg.Source+"\x00"+sg.Author] = true
		}
	}
	for _, o := range all {
		if o.ID == c.ID {
			continue
		}
		if o.Handle == c.Handle && len(sameHandle) < maxRelated {
			sameHandle = append(sameHandle, o)
			continue
		}
		if len(o.Recent) > 0 && o.Recent[0].Author != "" && authors[o.Recent[0].Source+"\x00"+o.Recent[0].Author] && len(sameAuthor) < maxRelated {
			sameAuthor = append(sameAuthor, o)
		}
	}
	return sameHandle, sameAuthor, !truncated, nil
}
