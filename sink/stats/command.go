package stats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ErrInvalid marks a message that can never be counted (malformed, bad
// day, failed validation): a consumer terminates it instead of retrying.
var ErrInvalid = errors.New("invalid research message")

// ReplayFunc replays a stream: (*bus.Bus).Replay has this shape.
type ReplayFunc func(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error

// RebuildResult counts what a rebuild read.
type RebuildResult struct {
	Findings, Tallies, Events int
	// Skipped are messages that could not be decoded or are invalid.
	Skipped int
}

// Rebuild replays hw.findings.>, hw.stats.> and hw.cases.> into s. The
// sink may call it at start-up, or call the Observe methods from its own
// replay loop instead; `handlewatch stats` calls it on a memory store.
// Replaying twice changes nothing: every observation is idempotent.
func Rebuild(ctx context.Context, s *Stats, replay ReplayFunc) (RebuildResult, error) {
	var res RebuildResult
	streams := []struct {
		stream, filter string
		observe        func(ctx context.Context, data []byte) error
		n              *int
	}{
		{bus.StreamStats, wire.SubjectStats + ".>", func(ctx context.Context, b []byte) error {
			var t wire.ScanTally
			if err := json.Unmarshal(b, &t); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			return s.ObserveTally(ctx, t)
		}, &res.Tallies},
		{bus.StreamFindings, wire.SubjectFindings + ".>", func(ctx context.Context, b []byte) error {
			var f wire.Finding
			if err := json.Unmarshal(b, &f); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			return s.ObserveFinding(ctx, f)
		}, &res.Findings},
		{bus.StreamCases, wire.SubjectCases + ".>", func(ctx context.Context, b []byte) error {
			var ev wire.CaseEvent
			if err := json.Unmarshal(b, &ev); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			return s.ObserveEvent(ctx, ev)
		}, &res.Events},
	}
	for _, st := range streams {
		err := replay(ctx, st.stream, st.filter, func(m bus.Msg) error {
			if err := st.observe(ctx, m.Data); err != nil {
				if errors.Is(err, ErrInvalid) {
					res.Skipped++
					return nil
				}
				return err
			}
			*st.n++
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("replaying %s: %w", st.filter, err)
		}
	}
	return res, nil
}

// CommandOptions are the flags of `handlewatch stats`.
type CommandOptions struct {
	From, To  time.Time // UTC days, included; zero To is today, zero From 29 days before To
	Source    string    // restrict to one source
	BySource  bool      // per-source figures
	JSON      bool      // the Report as JSON instead of tables
	Retention time.Duration
	Now       func() time.Time
}

// Command rebuilds the figures by replaying the streams into a memory
// store and prints them: it works offline, from any process that can
// reach NATS, and changes nothing.
func Command(ctx context.Context, replay func(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error, out io.Writer, opts CommandOptions) error {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	st, err := New(Config{Retention: Duration(opts.Retention)}, Deps{Store: state.NewMemory(), Now: opts.Now})
	if err != nil {
		return err
	}
	res, err := Rebuild(ctx, st, replay)
	if err != nil {
		return err
	}
	q := Query{From: opts.From, To: opts.To, Source: opts.Source, BySource: opts.BySource}
	if q.To.IsZero() {
		q.To = opts.Now()
	}
	if q.From.IsZero() {
		q.From = utcDay(q.To).AddDate(0, 0, -29)
	}
	rep, err := st.ReportQuery(ctx, q)
	if err != nil {
		return err
	}
	if opts.Source == "" {
		cs, err := CountCrossSource(ctx, replay, q.From, q.To)
		if err != nil {
			return err
		}
		rep.CrossSource = &cs
	}
	if res.Skipped > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d malformed messages skipped", res.Skipped))
	}
	if opts.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return WriteText(out, rep)
}

// WriteText renders a Report as plain-text tables.
func WriteText(out io.Writer, rep Report) error {
	var b strings.Builder
	title := "handlewatch research statistics, " + rep.From + " to " + rep.To + " (UTC)"
	if rep.Source != "" {
		title += ", source " + rep.Source
	}
	fmt.Fprintf(&b, "%s\n\n", title)
	fmt.Fprintf(&b, "Overall: %d posts scanned, %d findings, %s per 10,000 posts (95%% CI %s)\n\n",
		rep.Overall.PostsScanned, rep.Overall.Findings, rate(rep.Overall.Per10k), ci(rep.Overall.Per10k))

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tPOSTS\tFINDINGS\tPER 10K\t95% CI\tHANDLES\tBY APP (findings/handles)")
	for _, d := range rep.Days {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%s\n", d.Day, d.PostsScanned, d.Findings, rate(d.Per10k), ci(d.Per10k),
			d.DistinctHandles, appDays(d.Apps))
	}
	tw.Flush()

	if len(rep.Apps) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "APP\tFINDINGS\tPER 10K\t95% CI\tCONFIRMED\tDISMISSED\tESCALATED\tCLEARED")
		for _, a := range rep.Apps {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%d\t%d\n", a.App, a.Findings, rate(a.Per10k), ci(a.Per10k),
				a.Decisions["confirm"], a.Decisions["dismiss"], a.Decisions["escalate"], a.Decisions["clear"])
		}
		tw.Flush()
	}

	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tFINDINGS\tPER 10K\t95% CI")
	for _, s := range rep.Severities {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Severity, s.Findings, rate(s.Per10k), ci(s.Per10k))
	}
	tw.Flush()
	if rep.Source == "" {
		fmt.Fprintf(&b, "\nDecisions: %d confirmed, %d dismissed, %d escalated, %d cleared\n",
			rep.Decisions["confirm"], rep.Decisions["dismiss"], rep.Decisions["escalate"], rep.Decisions["clear"])
	}

	if cs := rep.CrossSource; cs != nil {
		fmt.Fprintf(&b, "\nAcross sources: %d of %d handles found on two or more sources; %d of %d handle values found on two or more apps\n",
			cs.OnSeveralSources, cs.Handles, cs.OnSeveralApps, cs.Values)
	}

	for _, s := range rep.Sources {
		fmt.Fprintf(&b, "\nSource %s: %d posts scanned, %d findings, %s per 10,000 (95%% CI %s)\n",
			s.Source, s.PostsScanned, s.Findings, rate(s.Per10k), ci(s.Per10k))
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  DAY\tPOSTS\tFINDINGS\tPER 10K\t95% CI\tHANDLES")
		for _, d := range s.Days {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\t%s\t%d\n", d.Day, d.PostsScanned, d.Findings, rate(d.Per10k), ci(d.Per10k), d.DistinctHandles)
		}
		tw.Flush()
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "\nwarning: %s", w)
	}
	if len(rep.Warnings) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func rate(r *Rate) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.Estimate)
}

func ci(r *Rate) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f–%.2f", r.Low, r.High)
}

func appDays(apps []AppDay) string {
	parts := make([]string, len(apps))
	for i, a := range apps {
		parts[i] = fmt.Sprintf("%s %d/%d", a.App, a.Findings, a.DistinctHandles)
	}
	return strings.Join(parts, ", ")
}
