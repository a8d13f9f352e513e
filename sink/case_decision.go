package sink

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

type decisionRequest struct {
	Decision wire.Decision `json:"decision"`
	Actor    string        `json:"actor"`
	Reason   string        `json:"reason"`
}

const (
	maxDecisionBody = 16 << 10
	maxActor        = 100
	maxReason       = 2000
)

func (d *decisionRequest) validate() string {
	d.Actor, d.Reason = strings.TrimSpace(d.Actor), strings.TrimSpace(d.Reason)
	switch {
	case !d.Decision.Valid():
		return "decision: want confirm, dismiss, escalate or clear"
	case d.Actor == "":
		return "actor: required (who decides)"
	case utf8.RuneCountInString(d.Actor) > maxActor || !printable(d.Actor):
		return "actor: at most 100 printable characters"
	case d.Reason == "" && (d.Decision == wire.DecisionDismiss || d.Decision == wire.DecisionClear):
		return "reason: required to " + string(d.Decision) + " a case"
	case utf8.RuneCountInString(d.Reason) > maxReason || !printable(strings.ReplaceAll(d.Reason, "\n", " ")):
		return "reason: at most 2000 printable characters"
	}
	return ""
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// decideCase: POST /api/cases/{id}/decision {decision, actor, reason}.
// The decision is published to hw.cases.decision first (the log of
// record), then applied; the answer is the updated case. An
// Idempotency-Key header makes a retried request record one decision.
func (s *Sink) decideCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFor(w, r)
	if !ok {
		return
	}
	var req decisionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDecisionBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body: at most 16 KiB")
			return
		}
		writeError(w, http.StatusBadRequest, "body: want a JSON object {decision, actor, reason}")
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		writeError(w, http.StatusBadRequest, "body: one JSON object only")
		return
	}
	if msg := req.validate(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	suffix, ok := decisionSuffix(w, r)
	if !ok {
		return
	}
	updated, err := s.recordDecision(r.Context(), c, req, suffix)
	if errors.Is(err, errNotRecorded) {
		writeError(w, http.StatusServiceUnavailable, "the decision could not be recorded; nothing changed, try again")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}

// errNotRecorded: the decision could not be published, so nothing changed.
var errNotRecorded = errors.New("the decision could not be recorded")

// recordDecision is the one way a moderator's decision is taken, from the
// JSON API or the dashboard: published to hw.cases.decision first (the
// log of record), then applied. It returns the case after it.
func (s *Sink) recordDecision(ctx context.Context, c *cases.Case, req decisionRequest, suffix string) (*cases.Case, error) {
	e := &wire.CaseEvent{
		Schema: wire.SchemaVersion, ID: "decision-" + c.ID + "-" + suffix, CaseID: c.ID, App: c.App, Handle: c.Handle,
		Type: wire.EventDecision, Decision: req.Decision, Actor: req.Actor, Reason: req.Reason, At: s.now().UTC(),
	}
	if _, err := s.bus.Publish(ctx, e.Subject(), e.ID, e); err != nil {
		s.log.Error("recording a decision failed", zap.String("case_id", c.ID), zap.Error(err))
		return nil, errNotRecorded
	}
	if _, err := s.applyEvent(ctx, e, fromAPI); err != nil {
		// Recorded in the stream: every sink (this one included, through
		// its subscription) will apply it.
		s.log.Warn("applying a recorded decision failed; it will be applied from the stream",
			zap.String("case_id", c.ID), zap.Error(err))
	}
	s.m.decisions.WithLabelValues(string(req.Decision)).Inc()
	s.log.Info("decision", zap.String("case_id", c.ID), zap.String("decision", string(req.Decision)),
		zap.String("actor", req.Actor), zap.String("event_id", e.ID))
	updated, err := s.cases.Get(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("reading case %s after the decision: %w", c.ID, err)
	}
	return updated, nil
}

// idemSuffix is the event id suffix of an idempotency key: one key, one
// event id, so JetStream drops a repeat. An empty key gets a random one.
func idemSuffix(key string) string {
	if key == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

// decisionSuffix makes the event id: from the Idempotency-Key when the
// client sent one, random otherwise.
func decisionSuffix(w http.ResponseWriter, r *http.Request) (string, bool) {
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 200 {
			writeError(w, http.StatusBadRequest, "Idempotency-Key: at most 200 characters")
			return "", false
		}
		return idemSuffix(k), true
	}
	return idemSuffix(""), true
}
