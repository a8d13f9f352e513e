package takedown

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// Request kinds: a notice about one post (platform and e-mail channels) or
// about the handle itself (app_abuse).
const (
	KindPost   = "post"
	KindHandle = "handle"
)

// Why a request that is not closed is not being sent right now.
const (
	WaitReview = ReasonReviewPending // until a moderator confirms
	WaitQuota  = "quota"             // until the next UTC day (quota_target or quota_total)
	WaitRetry  = "retry"             // until NextAttemptAt, after a transient failure
)

// Request is one takedown request as the case events record it. Every
// field is derived from the events (Apply), so a rebuild from the stream
// gives the same Request as the process that filed it.
type Request struct {
	ID      string `json:"id"`
	CaseID  string `json:"case_id"`
	App     string `json:"app"`
	Handle  string `json:"handle"`
	Target  string `json:"target"`
	Channel string `json:"channel"`
	Kind    string `json:"kind"` // post or handle

	Post       PostRef       `json:"post"`                 // kind post
	Permalinks []string      `json:"permalinks,omitempty"` // kind handle: evidence, at most 10
	URL        string        `json:"url,omitempty"`        // what was reported: permalink or handle page
	Severity   wire.Severity `json:"severity"`
	Mode       wire.Mode     `json:"mode"`
	Categories []string      `json:"categories,omitempty"`

	State  wire.TakedownState `json:"state"`
	Shadow bool               `json:"shadow,omitempty"`
	// Waiting says why a request that is not closed is not being sent:
	// review_pending, quota, retry, or empty.
	Waiting     string `json:"waiting,omitempty"`
	DeferredDay string `json:"deferred_day,omitempty"` // UTC day of the quota refusal

	Notices  int    `json:"notices"`  // notices sent: 1 + re-notices
	Failures int    `json:"failures"` // transient failures since the last notice
	ReportID string `json:"report_id,omitempty"`
	Reason   string `json:"reason,omitempty"` // of the last change
	// Intent is the attempt recorded as about to be sent ("<notice>.<failures>")
	// whose outcome is not recorded yet: after a crash it says a notice may
	// have gone out, so it is not sent again.
	Intent   string    `json:"intent,omitempty"`
	IntentAt time.Time `json:"intent_at,omitzero"`
	// Sharers are the other cases whose sightings of the same post found
	// this request already filed: a dismissal of one case leaves the
	// request open while another still stands.
	Sharers []string `json:"sharers,omitempty"`

	CreatedAt     time.Time     `json:"created_at"`
	FirstSentAt   time.Time     `json:"first_sent_at,omitzero"`
	LastSentAt    time.Time     `json:"last_sent_at,omitzero"`
	NextAttemptAt time.Time     `json:"next_attempt_at,omitzero"`
	ClosedAt      time.Time     `json:"closed_at,omitzero"`
	TimeToRemoval time.Duration `json:"time_to_removal_ns,omitempty"` // first notice → removal verified

	applied map[string]struct{} // event ids already applied
}

// Closed reports whether the request's lifecycle is over: removed, failed,
// or recorded in shadow mode.
func (r *Request) Closed() bool {
	return r.State == wire.TakedownRemoved || r.State == wire.TakedownFailed || r.Shadow
}

func (r *Request) clone() Request {
	c := *r
	c.applied = nil
	c.Permalinks = append([]string(nil), r.Permalinks...)
	c.Categories = append([]string(nil), r.Categories...)
	c.Sharers = append([]string(nil), r.Sharers...)
	return c
}

// spec is what the requested event carries (as JSON in Detail) so that a
// rebuilt Request can be rendered again for a re-notice.
type spec struct {
	Kind       string        `json:"kind"`
	Post       *postJSON     `json:"post,omitempty"`
	Permalinks []string      `json:"permalinks,omitempty"`
	Severity   wire.Severity `json:"severity"`
	Mode       wire.Mode     `json:"mode"`
	Categories []string      `json:"categories,omitempty"`
}

type postJSON struct {
	FindingID  string        `json:"finding_id,omitempty"`
	Source     string        `json:"source"`
	SourceKind string        `json:"source_kind"`
	PostID     string        `json:"post_id"`
	Permalink  string        `json:"permalink,omitempty"`
	Author     string        `json:"author,omitempty"`
	AuthorURL  string        `json:"author_url,omitempty"`
	Severity   wire.Severity `json:"severity,omitempty"`
	Mode       wire.Mode     `json:"mode,omitempty"`
	Excerpt    string        `json:"excerpt,omitempty"`
}

func (p PostRef) toJSON() *postJSON {
	j := postJSON(p)
	return &j
}

func (j *postJSON) ref() PostRef {
	if j == nil {
		return PostRef{}
	}
	return PostRef(*j)
}

// requestID is deterministic from the target and what is reported, so
// every process names the same request the same way.
func requestID(target, kind, key string) string {
	sum := sha256.Sum256([]byte(target + "\x00" + kind + "\x00" + key))
	return "td-" + hex.EncodeToString(sum[:10])
}

// Event ids: "td:<request>:<state>:<n>" for takedown events, where n is
// the notice number (0 before the first notice) or "f<k>" for the k-th
// transient failure; "skip:<request or case>:<reason>:<discriminator>"
// for skips. JetStream drops a repeat, and Apply ignores one.
func takedownEventID(reqID string, state wire.TakedownState, n string) string {
	return "td:" + reqID + ":" + string(state) + ":" + n
}

// eventSeq returns the last part of a takedown event id.
func eventSeq(id string) string {
	if i := strings.LastIndexByte(id, ':'); i >= 0 {
		return id[i+1:]
	}
	return ""
}

// retryBackoff is the wait after the k-th transient failure.
func retryBackoff(k int) time.Duration {
	steps := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}
	if k < 1 {
		k = 1
	}
	if k > len(steps) {
		k = len(steps)
	}
	return steps[k-1]
}

// applyEvent folds one case event into the records. It is the only place a
// Request changes, for events this process published and for replayed
// ones alike, and it is idempotent on the event id.
func (m *Manager) applyEvent(ev wire.CaseEvent) {
	switch ev.Type {
	case wire.EventDecision:
		if ev.Decision.Valid() && ev.CaseID != "" {
			m.status[ev.CaseID] = cases.StatusOf(ev.Decision)
		}
		return
	case wire.EventTakedown, wire.EventSkip:
	default:
		return
	}
	tc := ev.Takedown
	if tc == nil || tc.RequestID == "" {
		return
	}
	r := m.reqs[tc.RequestID]
	if r == nil {
		if ev.Type != wire.EventTakedown {
			return // a skip of a request that never existed (below severity, …)
		}
		r = &Request{ID: tc.RequestID, CaseID: ev.CaseID, App: ev.App, Handle: ev.Handle,
			Target: tc.Target, Channel: tc.Channel, State: wire.TakedownRequested, applied: map[string]struct{}{}}
		m.reqs[tc.RequestID] = r
	}
	if _, dup := r.applied[ev.ID]; dup {
		return
	}
	r.applied[ev.ID] = struct{}{}
	if ev.Type == wire.EventSkip {
		applySkip(r, ev)
		return
	}
	terminal := r.State == wire.TakedownRemoved || r.State == wire.TakedownFailed
	seq := eventSeq(ev.ID)
	switch tc.State {
	case wire.TakedownRequested:
		if intent, ok := strings.CutPrefix(seq, "i"); ok {
			if !terminal {
				r.Intent, r.IntentAt = intent, ev.At
			}
			return // an intent changes nothing else, not even the reason
		}
		r.Intent, r.IntentAt = "", time.Time{}
		if strings.HasPrefix(seq, "f") {
			k, _ := strconv.Atoi(seq[1:])
			if k > r.Failures {
				r.Failures = k
				r.Waiting = WaitRetry
				r.NextAttemptAt = ev.At.Add(retryBackoff(k))
			}
		} else {
			var sp spec
			if json.Unmarshal([]byte(tc.Detail), &sp) == nil && sp.Kind != "" {
				r.Kind, r.Post, r.Permalinks = sp.Kind, sp.Post.ref(), sp.Permalinks
				r.Severity, r.Mode, r.Categories = sp.Severity, sp.Mode, sp.Categories
			}
			if r.CreatedAt.IsZero() {
				r.CreatedAt = ev.At
			}
		}
		if tc.URL != "" {
			r.URL = tc.URL
		}
	case wire.TakedownSent:
		r.Intent, r.IntentAt = "", time.Time{}
		if n, err := strconv.Atoi(seq); err == nil && n > r.Notices {
			r.Notices = n
		}
		if r.FirstSentAt.IsZero() {
			r.FirstSentAt = ev.At
		}
		if ev.At.After(r.LastSentAt) {
			r.LastSentAt = ev.At
		}
		r.Failures, r.Waiting, r.NextAttemptAt, r.DeferredDay = 0, "", time.Time{}, ""
		if !terminal {
			r.State = wire.TakedownSent
		}
	case wire.TakedownAcknowledged:
		if id, ok := strings.CutPrefix(tc.Detail, "report_id="); ok {
			r.ReportID = id
		}
		if !terminal {
			r.State = wire.TakedownAcknowledged
		}
	case wire.TakedownRemoved, wire.TakedownFailed:
		r.Intent, r.IntentAt = "", time.Time{}
		if terminal {
			break
		}
		r.State = tc.State
		r.ClosedAt = ev.At
		r.Waiting = ""
		if tc.State == wire.TakedownRemoved && !r.FirstSentAt.IsZero() {
			r.TimeToRemoval = ev.At.Sub(r.FirstSentAt)
		}
	}
	if ev.Reason != "" {
		r.Reason = ev.Reason
	}
}

func applySkip(r *Request, ev wire.CaseEvent) {
	switch ev.Reason {
	case ReasonDuplicate:
		if ev.CaseID != "" && ev.CaseID != r.CaseID && !slices.Contains(r.Sharers, ev.CaseID) {
			r.Sharers = append(r.Sharers, ev.CaseID)
		}
	case ReasonShadow:
		r.Shadow = true
		r.Reason = ev.Reason
	case ReasonReviewPending:
		if r.State == wire.TakedownRequested {
			r.Waiting = WaitReview
			r.Reason = ev.Reason
		}
	case ReasonQuotaTarget, ReasonQuotaTotal:
		if r.State != wire.TakedownRemoved && r.State != wire.TakedownFailed {
			r.Waiting = WaitQuota
			r.DeferredDay = ev.At.UTC().Format(time.DateOnly)
			r.Reason = ev.Reason
		}
	}
}
