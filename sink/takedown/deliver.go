package takedown

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// deliver sends the next notice of r (the first, or a re-notice), after
// claiming it so that only one process sends it and admitting it under the
// daily quotas. verify re-checks the content first: a re-notice only goes
// out while the content is still up.
func (m *Manager) deliver(ctx context.Context, t *target, r Request, now time.Time, actor string, verify bool) error {
	if r.Closed() {
		return nil
	}
	notice := r.Notices + 1
	claim := fmt.Sprintf("takedown:send:%s:%d:%d", r.ID, notice, r.Failures)
	ok, err := m.store.MarkSeen(ctx, claim, claimTTL)
	if err != nil {
		return fmt.Errorf("claiming takedown %s: %w", r.ID, err)
	}
	if !ok {
		return nil // another process (or call) has this notice in hand
	}
	release := func() { _ = m.store.Forget(context.WithoutCancel(ctx), claim) }
	attempt := fmt.Sprintf("%d.%d", notice, r.Failures)
	if r.Intent == attempt {
		// This attempt was recorded as about to go out and its outcome
		// never was: the process that made it stopped (or lost its
		// claim). The notice may well have reached the target, so it is
		// not sent again; the request goes on as sent, and re-checks and
		// re-notices follow as usual.
		if now.Sub(r.IntentAt) < m.cfg.SendTimeout.D()+time.Minute {
			release()
			return nil // perhaps still in flight elsewhere
		}
		return m.change(ctx, r, wire.TakedownSent, strconv.Itoa(notice), actor,
			fmt.Sprintf("outcome unknown: notice %d was being sent at %s when its sender stopped; not sent again to avoid a duplicate",
				notice, r.IntentAt.UTC().Format(time.RFC3339)), "", now)
	}
	if verify {
		v, detail := m.recheck(ctx, t, r, now)
		switch v {
		case verdictGone:
			return m.removed(ctx, r, detail, now)
		case verdictUnknown:
			release()
			return nil // no re-notice without seeing the content up
		}
	}
	prefix, tag := "takedown:quota:", ""
	if t.shadow {
		// Shadow notices have quotas of their own, so that shadow mode
		// shows where the quota would bite without using up the live one.
		prefix, tag = "takedown:shadow-quota:", "shadow: "
	}
	admitted, err := m.admit(ctx, t, r, notice, now, prefix, tag)
	if err != nil || !admitted {
		release()
		return err
	}
	if t.shadow {
		return m.shadowDeliver(ctx, t, r, now, actor)
	}
	n, err := m.renderNotice(ctx, t, r, notice, now, false)
	if err != nil {
		return m.sendFailed(ctx, r, err, now, actor)
	}
	// Intent first: a crash between the send and its record then leaves
	// a trace, and the next attempt does not send a duplicate.
	if err := m.change(ctx, r, wire.TakedownRequested, "i"+attempt, actor, fmt.Sprintf("sending notice %d", notice), "", now); err != nil {
		release()
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, m.cfg.SendTimeout.D())
	a, err := t.ch.send(sctx, n)
	cancel()
	if err != nil {
		return m.sendFailed(ctx, r, err, now, actor)
	}
	why := "notice 1"
	if notice > 1 {
		why = fmt.Sprintf("re-notice %d: still up %s after the last notice", notice, now.Sub(r.LastSentAt).Round(time.Minute))
	}
	if a.detail != "" {
		why += "; " + a.detail
	}
	seq := strconv.Itoa(notice)
	if err := m.change(ctx, r, wire.TakedownSent, seq, actor, why, n.String(), now); err != nil {
		return err
	}
	if a.accepted {
		r, _ = m.Request(r.ID)
		detail := "report_id=" + a.reportID
		why := "the platform accepted the report"
		if a.reportID != "" {
			why += " as " + a.reportID
		}
		return m.change(ctx, r, wire.TakedownAcknowledged, seq, actor, why, detail, now)
	}
	return nil
}

// admit counts the notice against the target's and the total daily quota:
// increment first, then compare, so no two processes both slip under a
// limit. A refused notice is recorded as a skip and waits for the next UTC
// day; nothing is rolled back. Each notice counts once, however often it
// is retried.
func (m *Manager) admit(ctx context.Context, t *target, r Request, notice int, now time.Time, prefix, tag string) (bool, error) {
	key := fmt.Sprintf("%sadmitted:%s:%d", prefix, r.ID, notice)
	if seen, err := m.store.IsSeen(ctx, key); err != nil {
		return false, fmt.Errorf("reading quota admission of %s: %w", r.ID, err)
	} else if seen {
		return true, nil
	}
	day := state.Day.Bucket(now)
	for _, q := range []struct {
		counter, reason, what string
		limit                 int
	}{
		{prefix + t.name(), ReasonQuotaTarget, "target " + t.name(), t.cfg.DailyQuota},
		{prefix + "total", ReasonQuotaTotal, "all targets", m.cfg.TotalDailyQuota},
	} {
		n, err := m.store.Incr(ctx, q.counter, state.Day, now, 1)
		if err != nil {
			return false, fmt.Errorf("counting takedown quota %s: %w", q.counter, err)
		}
		if n > int64(q.limit) {
			return false, m.skip(ctx, skipNote{caseID: r.CaseID, app: r.App, handle: r.Handle, reqID: r.ID,
				target: t.name(), channel: t.cfg.Channel, url: r.URL, reason: q.reason,
				disc: fmt.Sprintf("%s:%d", day, notice), shadow: t.shadow, at: now,
				detail: fmt.Sprintf("%sdaily quota of %d for %s used up on %s (request %d of the day); notice %d waits for the next UTC day",
					tag, q.limit, q.what, day, n, notice)})
		}
	}
	if _, err := m.store.MarkSeen(ctx, key, admitTTL); err != nil {
		return false, fmt.Errorf("recording quota admission of %s: %w", r.ID, err)
	}
	return true, nil
}

// shadowDeliver records the notice exactly as it would go out and sends
// nothing: it makes no network call at all (ids that need a lookup show as
// placeholders).
func (m *Manager) shadowDeliver(ctx context.Context, t *target, r Request, now time.Time, actor string) error {
	n, err := m.renderNotice(ctx, t, r, r.Notices+1, now, true)
	if err != nil {
		return m.sendFailed(ctx, r, err, now, actor)
	}
	return m.skip(ctx, skipNote{caseID: r.CaseID, app: r.App, handle: r.Handle, reqID: r.ID,
		target: t.name(), channel: t.cfg.Channel, url: r.URL, reason: ReasonShadow, shadow: true,
		actor: actor, at: now, detail: n.String()})
}

func (m *Manager) renderNotice(ctx context.Context, t *target, r Request, seq int, now time.Time, offline bool) (rendered, error) {
	d := NoticeData{
		RequestID: r.ID, Target: t.name(), Operator: m.cfg.Operator, Contact: m.cfg.Contact,
		App: r.App, Handle: r.Handle, CaseID: r.CaseID,
		Source: r.Post.Source, SourceKind: r.Post.SourceKind, Permalink: r.Post.Permalink,
		Permalinks: r.Permalinks, Categories: r.Categories, Severity: string(r.Severity),
		Excerpt: r.Post.Excerpt, Notice: seq, Renotice: seq > 1, FirstSentAt: r.FirstSentAt, Now: now,
	}
	text, subject, err := t.tmpl.render(d)
	if err != nil {
		return rendered{}, &sendError{kind: errPermanent, msg: err.Error()}
	}
	rctx, cancel := context.WithTimeout(ctx, m.cfg.SendTimeout.D())
	defer cancel()
	return t.ch.render(rctx, r, notice{text: text, subject: subject, data: d}, offline)
}

// sendFailed records why a notice did not go out.
func (m *Manager) sendFailed(ctx context.Context, r Request, err error, now time.Time, actor string) error {
	final := fmt.Sprint(r.Notices)
	switch kindOf(err) {
	case errGone:
		if r.Notices == 0 {
			if serr := m.skip(ctx, skipNote{caseID: r.CaseID, app: r.App, handle: r.Handle, reqID: r.ID,
				target: r.Target, channel: r.Channel, url: r.URL, reason: ReasonAlreadyRemoved,
				actor: actor, at: now, detail: err.Error()}); serr != nil {
				return serr
			}
		}
		return m.removed(ctx, r, err.Error(), now)
	case errTransient:
		k := r.Failures + 1
		if k >= m.cfg.MaxRetries {
			return m.change(ctx, r, wire.TakedownFailed, final, actor,
				fmt.Sprintf("send_failed: %d transient failures in a row, last: %v", k, err), "", now)
		}
		m.log.Warn("takedown notice failed: will retry", zap.String("request_id", r.ID),
			zap.String("target", r.Target), zap.Int("failures", k), zap.Error(err))
		return m.change(ctx, r, wire.TakedownRequested, "f"+strconv.Itoa(k), actor,
			fmt.Sprintf("retry: %v (retrying after %s)", err, retryBackoff(k)), "", now)
	case errAuth:
		return m.change(ctx, r, wire.TakedownFailed, final, actor, "auth_rejected: "+err.Error(), "", now)
	case errUnresolvable:
		return m.change(ctx, r, wire.TakedownFailed, final, actor, ReasonUnresolvable+": "+err.Error(), "", now)
	}
	return m.change(ctx, r, wire.TakedownFailed, final, actor, "rejected: "+err.Error(), "", now)
}

// removed closes r as removed; Apply records the time from the first
// notice.
func (m *Manager) removed(ctx context.Context, r Request, detail string, now time.Time) error {
	why := "removal verified: " + detail
	if r.Notices == 0 {
		why = "gone before any notice: " + detail
	} else {
		detail = fmt.Sprintf("time_to_removal=%s; %s", now.Sub(r.FirstSentAt).Round(time.Second), detail)
	}
	return m.change(ctx, r, wire.TakedownRemoved, fmt.Sprint(r.Notices), actorSystem, why, detail, now)
}

// recheck runs the request's check and remembers when.
func (m *Manager) recheck(ctx context.Context, t *target, r Request, now time.Time) (verdict, string) {
	check := m.checkerFor(t, r)
	if check == nil {
		return verdictUnknown, "no check for this request"
	}
	cctx, cancel := context.WithTimeout(ctx, m.cfg.SendTimeout.D())
	v, detail, err := check(cctx, r)
	cancel()
	if err != nil {
		v, detail = verdictUnknown, err.Error()
	}
	m.mu.Lock()
	m.checks[r.ID] = now
	m.mu.Unlock()
	m.metrics.checks.WithLabelValues(t.name(), v.String()).Inc()
	m.log.Debug("takedown re-check", zap.String("request_id", r.ID), zap.String("target", t.name()),
		zap.String("verdict", v.String()), zap.String("detail", detail))
	return v, detail
}

// Tick drives the lifecycle at time now: it sends what waits for a quota
// day, a retry or a confirm, re-checks sent requests every recheck_every
// (closing them as removed when the content is gone), re-notices those
// still up after renotice_after, gives up after give_up_after, and
// cancels the open requests of dismissed or cleared cases. The sink calls
// it on a timer (every minute is plenty) and after the rebuild.
func (m *Manager) Tick(ctx context.Context, now time.Time) error {
	if !m.cfg.Enabled {
		return nil
	}
	m.mu.Lock()
	open := make([]Request, 0, len(m.reqs))
	for _, r := range m.reqs {
		if !r.Closed() {
			open = append(open, r.clone())
		}
	}
	status := make(map[string]cases.Status, len(m.status))
	for k, v := range m.status {
		status[k] = v
	}
	m.mu.Unlock()
	sort.Slice(open, func(i, j int) bool { return open[i].ID < open[j].ID })

	var errs []error
	cancelled := map[string]bool{}
	for _, r := range open {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t := m.byName[r.Target]
		if t == nil {
			continue // the target left the config; its requests stay as they are
		}
		st := status[r.CaseID]
		if st.Closed() {
			if other := m.openSharer(r, r.CaseID); other != "" {
				// Another case stands on it: it goes on, as that case's.
				if st = status[other]; st == "" {
					st = cases.StatusNew
				}
			} else {
				if !cancelled[r.CaseID] {
					cancelled[r.CaseID] = true
					errs = append(errs, m.cancelCase(ctx, r.CaseID, st, actorSystem, now))
				}
				continue
			}
		}
		errs = append(errs, m.tickOne(ctx, t, r, st, now))
	}
	return errors.Join(errs...)
}

func (m *Manager) tickOne(ctx context.Context, t *target, r Request, status cases.Status, now time.Time) error {
	today := state.Day.Bucket(now)
	due := false
	switch r.Waiting {
	case WaitReview:
		if status != cases.StatusConfirmed {
			return nil
		}
		due = true
	case WaitQuota:
		due = today > r.DeferredDay
	case WaitRetry:
		due = !now.Before(r.NextAttemptAt)
	}
	if r.State == wire.TakedownRequested {
		if r.Waiting == "" && now.Sub(r.CreatedAt) >= resumeAfter {
			// Left at requested by a crash between the record and the notice.
			if t.cfg.Mode == ModeReview && status != cases.StatusConfirmed {
				return m.skip(ctx, skipNote{caseID: r.CaseID, app: r.App, handle: r.Handle, reqID: r.ID,
					target: t.name(), channel: t.cfg.Channel, url: r.URL, reason: ReasonReviewPending,
					at: now, detail: "waits for a moderator's confirm"})
			}
			due = true
		}
		if !due {
			return nil
		}
		return m.deliver(ctx, t, r, now, actorSystem, false)
	}

	// Sent or acknowledged.
	check := m.checkerFor(t, r)
	if now.Sub(r.FirstSentAt) >= t.cfg.GiveUpAfter.D() {
		why := fmt.Sprintf("gave_up: still up %s after the first notice, %d notices sent", t.cfg.GiveUpAfter.D(), r.Notices)
		if check == nil {
			why = fmt.Sprintf("unverifiable: no public check for %s; closed after %s", r.App, t.cfg.GiveUpAfter.D())
		}
		return m.change(ctx, r, wire.TakedownFailed, fmt.Sprint(r.Notices), actorSystem, why, "", now)
	}
	if check == nil {
		return nil // no re-notice without seeing the content
	}
	if due || now.Sub(r.LastSentAt) >= t.cfg.RenoticeAfter.D() {
		return m.deliver(ctx, t, r, now, actorSystem, true)
	}
	m.mu.Lock()
	last := m.checks[r.ID]
	m.mu.Unlock()
	if now.Sub(last) < t.cfg.RecheckEvery.D() {
		return nil
	}
	// One process per request and interval does the re-check.
	bucket := now.Unix() / int64(t.cfg.RecheckEvery.D()/time.Second)
	ok, err := m.store.MarkSeen(ctx, fmt.Sprintf("takedown:check:%s:%d", r.ID, bucket), t.cfg.RecheckEvery.D())
	if err != nil || !ok {
		return err
	}
	if v, detail := m.recheck(ctx, t, r, now); v == verdictGone {
		return m.removed(ctx, r, detail, now)
	}
	return nil
}
