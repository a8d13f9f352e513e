package takedown

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Reasons a request is not sent. Each is the Reason of a skip event (or of
// a failed takedown event) and the reason label of
// handlewatch_sink_takedown_skipped_total.
const (
	ReasonDisabled       = "disabled"        // sink.takedowns.enabled is false (metric only)
	ReasonShadow         = "shadow"          // shadow mode: recorded, not sent
	ReasonQuotaTarget    = "quota_target"    // the target's daily quota is used up
	ReasonQuotaTotal     = "quota_total"     // the total daily quota is used up
	ReasonDismissed      = "dismissed"       // a moderator dismissed the case
	ReasonCleared        = "cleared"         // a moderator cleared the handle
	ReasonDuplicate      = "duplicate"       // this case or post already has a request at the target
	ReasonBelowSeverity  = "below_severity"  // auto target, severity under auto_min_severity
	ReasonModeNotAct     = "mode_not_act"    // auto target, the finding's mode is not act
	ReasonFindingShadow  = "finding_shadow"  // the finding is in shadow mode: not even queued for review
	ReasonReviewPending  = "review_pending"  // review target, waiting for a moderator's confirm
	ReasonNoChannel      = "no_channel"      // no target serves the source (or the app)
	ReasonNoContact      = "no_contact"      // app_abuse target without an address for the app
	ReasonAuthMissing    = "auth_missing"    // the target's secret is not set
	ReasonAlreadyRemoved = "already_removed" // gone before a notice was sent
	ReasonUnresolvable   = "unresolvable"    // the post's platform id cannot be worked out
)

// Publisher publishes one case event (*bus.Bus and the sink's Bus have
// it). A repeat msgID is dropped by JetStream and reported as duplicate.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, v any) (duplicate bool, err error)
}

// actorSystem is the actor of every change the takedown side makes on its
// own; a change a moderator caused names the moderator.
const actorSystem = "handlewatch/takedown"

// publish records ev: it publishes it, then folds it into the records,
// then counts it. A publish error leaves the records untouched, so the
// caller can return the error and the message is redelivered.
func (m *Manager) publish(ctx context.Context, ev wire.CaseEvent) error {
	ev.Schema = wire.SchemaVersion
	if ev.At.IsZero() {
		ev.At = m.now()
	}
	ev.At = ev.At.UTC()
	if ev.Actor == "" {
		ev.Actor = actorSystem
	}
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("building takedown event: %w", err)
	}
	dup, err := m.pub.Publish(ctx, ev.Subject(), ev.ID, ev)
	if err != nil {
		return fmt.Errorf("publishing takedown event %s: %w", ev.ID, err)
	}
	m.mu.Lock()
	m.applyEvent(ev)
	neverSent, ttr := false, time.Duration(0)
	if ev.Takedown != nil {
		if r := m.reqs[ev.Takedown.RequestID]; r != nil {
			neverSent, ttr = r.Notices == 0, r.TimeToRemoval
		}
	}
	m.mu.Unlock()
	if dup {
		return nil
	}
	target := "none"
	if ev.Takedown != nil && ev.Takedown.Target != "" {
		target = ev.Takedown.Target
	}
	m.logEvent(ev, target)
	switch ev.Type {
	case wire.EventSkip:
		m.metrics.skipped.WithLabelValues(target, ev.Reason).Inc()
	case wire.EventTakedown:
		m.metrics.requests.WithLabelValues(target, string(ev.Takedown.State)).Inc()
		if ev.Takedown.State == wire.TakedownRemoved && ttr > 0 {
			m.metrics.removal.WithLabelValues(target).Observe(ttr.Seconds())
		}
		if ev.Takedown.State == wire.TakedownFailed && neverSent {
			m.metrics.skipped.WithLabelValues(target, failedReason(ev.Reason)).Inc()
		}
	}
	return nil
}

// failedReason is the skip label of a request that failed before any
// notice went out: its reason code, the part of Reason before the first
// colon.
func failedReason(reason string) string {
	if reason == "" {
		return "failed"
	}
	code, _, _ := strings.Cut(reason, ":")
	return code
}

// change is a takedown state change of request r.
func (m *Manager) change(ctx context.Context, r Request, state wire.TakedownState, seq, actor, reason, detail string, at time.Time) error {
	return m.publish(ctx, wire.CaseEvent{
		ID: takedownEventID(r.ID, state, seq), CaseID: r.CaseID, App: r.App, Handle: r.Handle,
		Type: wire.EventTakedown, Actor: actor, Reason: reason, At: at,
		Takedown: &wire.TakedownChange{RequestID: r.ID, Target: r.Target, Channel: r.Channel,
			State: state, URL: r.URL, Shadow: r.Shadow, Detail: detail},
	})
}

// skipNote describes one request that was not sent.
type skipNote struct {
	caseID, app, handle string
	reqID               string // the request, or the one it would have been
	target, channel     string
	url                 string
	reason              string // one of the Reason constants
	detail              string // human explanation
	disc                string // makes the event id unique per occasion (finding id, day, …)
	shadow              bool
	actor               string
	at                  time.Time
}

func (m *Manager) skip(ctx context.Context, n skipNote) error {
	ref := n.reqID
	if ref == "" {
		ref = n.caseID
	}
	id := "skip:" + ref + ":" + n.reason
	if n.disc != "" {
		id += ":" + shortHash(n.disc)
	}
	return m.publish(ctx, wire.CaseEvent{
		ID: id, CaseID: n.caseID, App: n.app, Handle: n.handle, Type: wire.EventSkip,
		Actor: n.actor, Reason: n.reason, At: n.at,
		Takedown: &wire.TakedownChange{RequestID: n.reqID, Target: n.target, Channel: n.channel,
			State: wire.TakedownRequested, URL: n.url, Shadow: n.shadow, Detail: n.detail},
	})
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// quietReasons are skips that happen for most findings by design; they are
// logged at debug level (the events and the metric still record each).
var quietReasons = map[string]bool{
	ReasonBelowSeverity: true, ReasonModeNotAct: true, ReasonFindingShadow: true,
	ReasonDuplicate: true, ReasonNoChannel: true,
}

func (m *Manager) logEvent(ev wire.CaseEvent, target string) {
	fields := []zap.Field{zap.String("event_id", ev.ID), zap.String("case_id", ev.CaseID),
		zap.String("target", target), zap.String("reason", ev.Reason)}
	if ev.Takedown != nil {
		fields = append(fields, zap.String("request_id", ev.Takedown.RequestID), zap.Bool("shadow", ev.Takedown.Shadow))
	}
	switch {
	case ev.Type == wire.EventTakedown:
		m.log.Info("takedown "+string(ev.Takedown.State), fields...)
	case quietReasons[ev.Reason]:
		m.log.Debug("takedown skipped", fields...)
	default:
		m.log.Info("takedown skipped", fields...)
	}
}
