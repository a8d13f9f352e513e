// Package cases owns the case view: one case per (app, canonical handle),
// with its sightings (bounded, newest kept, counts exact), highest severity,
// distinct sources and authors, first and last seen, the moderator's
// decision, the alerts sent and the takedown requests' states.
//
// A case is derived state: every change comes from a finding (AddSighting,
// idempotent on the finding id) or a case event (Apply, idempotent on the
// event id), so replaying hw.findings.> and hw.cases.> rebuilds it. The
// Store has a memory and a Redis implementation; casestest is the one
// conformance suite both pass.
package cases
