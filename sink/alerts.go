package sink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/notify"
)

// alertPolicy decides which alert levels a case has earned. It is a pure
// function of the case, so a replay, a restart or a second process reach
// the same answer; what was already sent is in the case's alert records.
type alertPolicy struct {
	minSeverity wire.Severity
	sightings   []int64
	sources     []int64
}

// level is one alert level with its reason in words.
type level struct{ name, reason string }

const levelNew = "new"

// levels lists the levels c qualifies for now, "new" first. Closed cases
// (dismissed, cleared), shadow-only cases and cases below the minimum
// severity qualify for none; a decided case no longer counts as new, but
// confirmed and escalated cases still escalate.
func (p alertPolicy) levels(c *cases.Case) []level {
	if c.Status.Closed() || c.Sightings == 0 || c.Mode.Rank() < wire.ModeAlert.Rank() ||
		c.Severity.Rank() < p.minSeverity.Rank() {
		return nil
	}
	var out []level
	if c.Status == cases.StatusNew {
		out = append(out, level{levelNew, "new case"})
	}
	for _, n := range p.sightings {
		if c.Sightings >= n {
			out = append(out, level{"escalation:sightings-" + strconv.FormatInt(n, 10), fmt.Sprintf("reached %d sightings", n)})
		}
	}
	for _, n := range p.sources {
		if c.Sources >= n {
			out = append(out, level{"escalation:sources-" + strconv.FormatInt(n, 10), fmt.Sprintf("seen on %d sources", n)})
		}
	}
	// Severity rising: a case whose first alert already said high does
	// not escalate to high again (the new alert covers the level).
	for _, sev := range []wire.Severity{wire.SeverityHigh, wire.SeverityCritical} {
		if c.Severity.Rank() >= sev.Rank() {
			out = append(out, level{"escalation:severity-" + string(sev), "severity " + string(sev)})
		}
	}
	return out
}

// due is what notifier has not had yet.
func due(c *cases.Case, notifier string, levels []level) []level {
	var out []level
	for _, l := range levels {
		if !c.Alerted(notifier, l.name) {
			out = append(out, l)
		}
	}
	return out
}

func leaseKey(caseID, lvl, notifier string) string {
	return "alert-lease:" + caseID + ":" + lvl + ":" + notifier
}

func doneKey(caseID, lvl, notifier string) string {
	return "alert:" + caseID + ":" + lvl + ":" + notifier
}

// heldKey marks an alert waiting in a process's digest queue: it goes out
// with the digest, so no other attempt sends it meanwhile.
func heldKey(caseID, lvl, notifier string) string {
	return "alert-held:" + caseID + ":" + lvl + ":" + notifier
}

// errAlertClaimed: another attempt held the alert's claim, without
// recording the alert, for as long as this one could wait (see claim).
var errAlertClaimed = errors.New("alert claimed by another attempt, not yet recorded")

func alertEventID(caseID, lvl, notifier string) string {
	return "alert-" + caseID + "-" + lvl + "-" + notifier
}

// doneTTL keeps the fast "already alerted" marker; after it the case's
// alert records (from the stream) still say so.
const doneTTL = 30 * 24 * time.Hour

// alertCase sends every alert c has earned and not had, one message per
// destination covering all its due levels, destinations in parallel.
// It returns an error only when an alert could be neither delivered nor
// recorded (shutdown, state store down): the finding is then redelivered.
func (s *Sink) alertCase(ctx context.Context, c *cases.Case) error {
	levels := s.policy.levels(c)
	if len(levels) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, len(s.dests))
	for i, d := range s.dests {
		lv := due(c, d.Name(), levels)
		if len(lv) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.alertVia(ctx, c, d, lv)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Sink) alertVia(ctx context.Context, c *cases.Case, d *notify.Destination, lv []level) error {
	var won []level
	for _, l := range lv {
		ok, err := s.claim(ctx, c.ID, l.name, d.Name())
		if err != nil {
			return err
		}
		if ok {
			won = append(won, l)
		}
	}
	if len(won) == 0 {
		return nil
	}
	stop := s.keepClaims(ctx, c.ID, d.Name(), won)
	defer stop()
	out := d.Dispatch(ctx, s.alertOf(c, won))
	return s.settle(ctx, d, out)
}

// keepClaims renews this attempt's claims while it delivers and records
// the alert, so that a claim lasts as long as a live attempt and only
// claimTTL past a dead one. The returned func stops it.
func (s *Sink) keepClaims(ctx context.Context, id, notifier string, won []level) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(s.claimTTL / 3)
		defer t.Stop()
		rctx := context.WithoutCancel(ctx) // a shutdown still finishes the delivery in hand
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, l := range won {
					if _, err := s.state.Touch(rctx, leaseKey(id, l.name, notifier), s.claimTTL); err != nil {
						s.log.Warn("renewing alert claim failed", zap.String("case_id", id), zap.String("level", l.name),
							zap.String("notifier", notifier), zap.Error(err))
					}
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// claim reports whether this attempt is the one to send the alert of case
// id at level lvl via notifier: false when it is recorded already, or held
// in a digest, or when another attempt recorded it meanwhile. One process,
// one attempt: the claim keeps a second sink (or a reconcile pass) from
// sending the same level at once. It lasts claimTTL, renewed while its
// attempt delivers (keepClaims); while another attempt holds it, this one
// waits for that attempt's record, or for the claim to expire (its process
// died mid-send) and takes it over. Acking the finding meanwhile would lose the
// alert; a finding whose handler runs out of time is redelivered.
func (s *Sink) claim(ctx context.Context, id, lvl, notifier string) (bool, error) {
	wait := 50 * time.Millisecond
	for waited := false; ; waited = true {
		if waited && s.checkpointing() {
			// A Redis flushed while this attempt waited has lost the
			// claimant's record along with its claim: taking the claim
			// over would send the alert again. The finding comes back
			// once the state is rebuilt from the streams, records
			// included.
			if _, ok, err := s.state.Cursor(ctx, checkpointFindings); err != nil || !ok {
				return false, fmt.Errorf("alerting %s/%s via %s: derived state gone while waiting: %w", id, lvl, notifier, errAlertClaimed)
			}
		}
		if waited {
			// The case's alert records are the truth a rebuild restores;
			// the fast done key may be gone with a flush.
			c, err := s.cases.Get(ctx, id)
			if err != nil {
				return false, fmt.Errorf("checking alert %s/%s: %w", id, lvl, err)
			}
			if c.Alerted(notifier, lvl) {
				return false, nil
			}
		}
		done, err := s.state.IsSeen(ctx, doneKey(id, lvl, notifier))
		if err != nil {
			return false, fmt.Errorf("checking alert %s/%s: %w", id, lvl, err)
		}
		if done {
			return false, nil
		}
		ok, err := s.state.MarkSeen(ctx, leaseKey(id, lvl, notifier), s.claimTTL)
		if err != nil {
			return false, fmt.Errorf("claiming alert %s/%s: %w", id, lvl, err)
		}
		if ok {
			return true, nil
		}
		held, err := s.state.IsSeen(ctx, heldKey(id, lvl, notifier))
		if err != nil {
			return false, fmt.Errorf("checking alert %s/%s: %w", id, lvl, err)
		}
		if held {
			return false, nil // the digest sends it
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("alerting %s/%s via %s: %w", id, lvl, notifier, errAlertClaimed)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// alertOf builds the alert for c at the given levels.
func (s *Sink) alertOf(c *cases.Case, lv []level) notify.Alert {
	a := notify.Alert{
		CaseID: c.ID, App: c.App, Handle: c.Handle, Status: string(c.Status), Severity: c.Severity, Score: c.Score,
		Sightings: c.Sightings, Sources: c.Sources, Authors: c.Authors, FirstSeen: c.FirstSeen, LastSeen: c.LastSeen,
		Permalinks: c.Permalinks(notify.MaxPermalinks), URL: s.caseURL(c.ID),
	}
	for _, l := range lv {
		a.Levels = append(a.Levels, l.name)
		a.Reasons = append(a.Reasons, l.reason)
	}
	if len(c.Recent) > 0 {
		a.Excerpt, a.Source = c.Recent[0].Excerpt, c.Recent[0].Source
	}
	return a
}

// settle records what became of an alert (or a digest of them): an
// alert event per level on hw.cases.alert, delivered or dead-lettered.
// Alerts waiting for a digest are recorded when the digest goes out.
func (s *Sink) settle(ctx context.Context, d *notify.Destination, out notify.Outcome) error {
	name := d.Name()
	if out.Queued {
		reason := "digest"
		if out.Overflow {
			reason = "rate_limit"
		}
		s.m.alertsQueued.WithLabelValues(name, reason).Inc()
		for _, a := range out.Alerts {
			for _, l := range a.Levels {
				if _, err := s.state.MarkSeen(ctx, heldKey(a.CaseID, l, name), s.leaseTTL); err != nil {
					return fmt.Errorf("holding alert %s/%s for the digest: %w", a.CaseID, l, err)
				}
			}
			s.log.Info("alert held for the digest", zap.String("notifier", name), zap.String("case_id", a.CaseID),
				zap.Strings("levels", a.Levels), zap.String("reason", reason))
		}
		return nil
	}
	failed := out.Attempts
	if out.Delivered {
		failed--
	}
	s.m.alertsFailed.WithLabelValues(name).Add(float64(failed))
	if !out.Delivered && ctx.Err() != nil {
		// Interrupted, not given up: release the claims so the
		// redelivered finding (or the next reconcile) sends it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, a := range out.Alerts {
			for _, l := range a.Levels {
				if err := s.state.Forget(rctx, leaseKey(a.CaseID, l, name)); err != nil {
					s.log.Warn("releasing alert claim failed", zap.String("case_id", a.CaseID), zap.Error(err))
				}
			}
		}
		return fmt.Errorf("alerting via %s interrupted: %w", name, out.Err)
	}
	detail := ""
	switch {
	case out.Delivered:
		s.m.alertsSent.WithLabelValues(name).Inc()
		if out.Digest {
			detail = "in a digest"
		}
	default:
		s.m.alertsDead.WithLabelValues(name).Inc()
		detail = truncate(out.Err.Error(), 300)
	}
	// The delivery happened: record it even if we are shutting down.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var errs []error
	for _, a := range out.Alerts {
		escalation := false
		for _, l := range a.Levels {
			escalation = escalation || strings.HasPrefix(l, "escalation:")
			if err := s.recordAlert(rctx, &a, l, name, out, detail); err != nil {
				errs = append(errs, err)
			}
		}
		if out.Delivered && escalation {
			s.m.escalations.WithLabelValues(name).Inc()
		}
		fields := []zap.Field{zap.String("notifier", name), zap.String("kind", d.Kind()), zap.String("case_id", a.CaseID),
			zap.Strings("levels", a.Levels), zap.Bool("digest", out.Digest), zap.Int("attempts", out.Attempts)}
		if out.Delivered {
			s.log.Info("alert delivered", fields...)
		} else {
			s.log.Error("alert dead-lettered", append(fields, zap.Error(out.Err))...)
		}
	}
	return errors.Join(errs...)
}

// recordAlert applies the alert record to the case view, marks it done
// and publishes it: the stream is what a restart (or another process)
// learns it from.
func (s *Sink) recordAlert(ctx context.Context, a *notify.Alert, lvl, notifier string, out notify.Outcome, detail string) error {
	e := &wire.CaseEvent{
		Schema: wire.SchemaVersion, ID: alertEventID(a.CaseID, lvl, notifier), CaseID: a.CaseID, App: a.App, Handle: a.Handle,
		Type: wire.EventAlert, Actor: "sink", At: s.now().UTC(),
		Alert: &wire.AlertRecord{Notifier: notifier, Level: lvl, Delivered: out.Delivered, Attempts: out.Attempts, Detail: detail},
	}
	return retry(ctx, 3, func() error {
		if _, err := s.cases.Apply(ctx, e); err != nil {
			return err
		}
		if _, err := s.state.MarkSeen(ctx, doneKey(a.CaseID, lvl, notifier), doneTTL); err != nil {
			return err
		}
		if _, err := s.bus.Publish(ctx, e.Subject(), e.ID, e); err != nil {
			return err
		}
		return nil
	})
}

// retry runs fn up to n times with a short pause between.
func retry(ctx context.Context, n int, fn func() error) error {
	var err error
	for i := range n {
		if err = fn(); err == nil {
			return nil
		}
		if i < n-1 && !sleep(ctx, time.Duration(100*(i+1))*time.Millisecond) {
			break
		}
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// flushDigests sends every destination's waiting alerts.
func (s *Sink) flushDigests(ctx context.Context) {
	var wg sync.WaitGroup
	for _, d := range s.dests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, ok := d.Flush(ctx)
			if !ok {
				return
			}
			if err := s.settle(ctx, d, out); err != nil {
				s.log.Warn("digest not settled", zap.String("notifier", d.Name()), zap.Error(err))
			}
		}()
	}
	wg.Wait()
}

// reconcile alerts cases seen within the catch-up window whose due alerts
// were never recorded: an alert lost to a crash, or a digest that never
// went out, is sent (once) after all.
func (s *Sink) reconcile(ctx context.Context) error {
	if len(s.dests) == 0 {
		return nil
	}
	q := cases.Query{SeenSince: s.now().Add(-s.cfg.Alerts.CatchUp), Limit: cases.MaxLimit}
	var errs []error
	for {
		p, err := s.cases.List(ctx, q)
		if err != nil {
			return fmt.Errorf("reconciling alerts: %w", err)
		}
		for _, c := range p.Cases {
			if !s.owesAlert(c) {
				continue
			}
			full, err := s.cases.Get(ctx, c.ID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			// Like a finding in hand, an alert under way is finished
			// (bounded) when the sink stops, not cut off mid-request.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.ackWait)
			err = s.alertCase(dctx, full)
			cancel()
			if err != nil && !errors.Is(err, errAlertClaimed) { // the claimant, or the finding's redelivery, sends it
				errs = append(errs, err)
			}
		}
		if !p.More || ctx.Err() != nil {
			break
		}
		q.Offset += len(p.Cases)
	}
	return errors.Join(errs...)
}

func (s *Sink) owesAlert(c *cases.Case) bool {
	levels := s.policy.levels(c)
	for _, d := range s.dests {
		if len(due(c, d.Name(), levels)) > 0 {
			return true
		}
	}
	return false
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
