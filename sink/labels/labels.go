package labels

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Replay is what the export needs of NATS (*bus.Bus.Replay has it).
type Replay func(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error

// Example is one labelled example, the corpus format of detector.CorpusExample.
type Example struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Label   string   `json:"label"`
	Handles []Handle `json:"handles"`
	Lang    string   `json:"lang,omitempty"`
	Tags    []string `json:"tags"`
}

// Handle is a labelled handle.
type Handle struct {
	App    string `json:"app"`
	Handle string `json:"handle"`
}

// Counts says what an export wrote and left out.
type Counts struct {
	Solicitation int `json:"solicitation"`
	Benign       int `json:"benign"`
	Undecided    int `json:"undecided"` // findings of cases no moderator decided
	Malformed    int `json:"malformed"`
}

// Labels of the corpus format.
const (
	LabelSolicitation = "solicitation"
	LabelBenign       = "benign"
)

// Export writes one example per decided finding to w, in stream order.
// A finding's label follows the latest decision on its cases: confirmed
// or escalated on any of its handles makes it solicitation (one bad handle
// is enough); otherwise dismissed or cleared on all of them makes it
// benign; anything else is undecided and left out.
func Export(ctx context.Context, replay Replay, w io.Writer, onSkip func(msgID string, err error)) (Counts, error) {
	var c Counts
	decision := map[string]wire.Decision{}
	err := replay(ctx, bus.StreamCases, wire.SubjectCases+"."+string(wire.EventDecision), func(m bus.Msg) error {
		var ev wire.CaseEvent
		if err := json.Unmarshal(m.Data, &ev); err != nil || ev.Validate() != nil {
			c.Malformed++
			if onSkip != nil {
				onSkip(m.MsgID, fmt.Errorf("case event: %w", errOr(err, ev.Validate())))
			}
			return nil
		}
		decision[ev.CaseID] = ev.Decision
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("replaying decisions: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	seen := map[string]bool{}
	err = replay(ctx, bus.StreamFindings, "", func(m bus.Msg) error {
		var f wire.Finding
		if err := json.Unmarshal(m.Data, &f); err != nil || f.Validate() != nil {
			c.Malformed++
			if onSkip != nil {
				onSkip(m.MsgID, fmt.Errorf("finding: %w", errOr(err, f.Validate())))
			}
			return nil
		}
		if seen[f.ID] {
			return nil
		}
		seen[f.ID] = true
		label, tag := labelOf(&f, decision)
		if label == "" {
			c.Undecided++
			return nil
		}
		ex := Example{ID: "mod-" + f.ID, Text: f.Excerpt.Text, Label: label, Tags: []string{"moderator", tag}}
		for _, h := range f.Handles {
			ex.Handles = append(ex.Handles, Handle{App: h.App, Handle: h.Handle})
		}
		sort.Slice(ex.Handles, func(i, j int) bool {
			return ex.Handles[i].App+ex.Handles[i].Handle < ex.Handles[j].App+ex.Handles[j].Handle
		})
		if label == LabelSolicitation {
			c.Solicitation++
		} else {
			c.Benign++
		}
		if err := enc.Encode(ex); err != nil {
			return fmt.Errorf("writing labels: %w", err)
		}
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("replaying findings: %w", err)
	}
	return c, nil
}

func labelOf(f *wire.Finding, decision map[string]wire.Decision) (label, tag string) {
	benign := 0
	for _, h := range f.Handles {
		switch d := decision[h.CaseKey()]; d {
		case wire.DecisionConfirm, wire.DecisionEscalate:
			return LabelSolicitation, string(d)
		case wire.DecisionDismiss, wire.DecisionClear:
			benign++
			tag = string(d)
		}
	}
	if benign > 0 && benign == len(f.Handles) {
		return LabelBenign, tag
	}
	return "", ""
}

func errOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
