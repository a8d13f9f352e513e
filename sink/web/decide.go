package web

import (
	"context"
	"errors"
	"strings"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// decide records one decision for the session's user: the actor is who
// is logged in, never a form field.
func (s *Server) decide(ctx context.Context, se *session, id string, d wire.Decision, reason, idem string) (*cases.Case, error) {
	return s.b.Decide(ctx, Decision{CaseID: id, Decision: d, Actor: se.user, Reason: strings.TrimSpace(reason), IdempotencyKey: idemKey(idem, d)})
}

// idemKey ties a form's idempotency token to the decision, so that one
// form's two buttons are two decisions while a repeated click of one is
// one. An empty token means none: every submission counts.
func idemKey(token string, d wire.Decision) string {
	if token == "" {
		return ""
	}
	return token + ":" + string(d)
}

// userMessage is what a person is told about a failed decision.
func userMessage(err error) string {
	switch {
	case errors.Is(err, ErrInvalid):
		return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
	case errors.Is(err, cases.ErrNotFound):
		return "There is no such case."
	case errors.Is(err, ErrUnavailable):
		return ErrUnavailable.Error()
	}
	return "The decision failed; the cause is in the sink's log."
}

// decisionLabel is a decision as a button says it.
var decisionLabel = map[wire.Decision]string{
	wire.DecisionConfirm:  "confirmed",
	wire.DecisionDismiss:  "dismissed",
	wire.DecisionEscalate: "escalated",
	wire.DecisionClear:    "cleared",
}
