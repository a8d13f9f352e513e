// Package takedown owns takedown requests: per-target channels (the
// source platform's report API, abuse e-mail, the messaging app's abuse
// contact), review and auto modes, two-layer dedupe, daily quotas, shadow
// mode, and each request's lifecycle from pending to removed or failed,
// with re-notices and removal verified by re-checking the permalink.
//
// # How the sink uses it
//
// The sink builds one Manager with New(cfg.Takedowns, Deps{Log, Publisher:
// the Bus, Store: the state.Store, Metrics, HTTPClient, Now}) and then:
//
//  1. Rebuild: replays hw.cases.> (stream CASES) and calls Apply(ev) for
//     every CaseEvent, decisions included, before consuming anything.
//     Apply never publishes and is idempotent on the event id.
//  2. Live case events: calls Apply(ev) for every hw.cases.> event it
//     consumes (its own takedown events come back that way too, and are
//     ignored as repeats), and OnDecision(ctx, subject, ev) for each live
//     decision event, with subject.Posts holding every post of the case.
//  3. Findings: after a finding has joined its case, calls
//     OnFinding(ctx, SubjectFromFinding(f, h, caseStatus)) once per handle
//     h of the finding (or a Subject built from the case view). An error
//     means an event could not be recorded: return it so that the finding
//     is redelivered. Never call OnFinding during the rebuild.
//  4. Timer: calls Tick(ctx, time.Now()) every minute and once after the
//     rebuild. Tick sends what waits for a quota day, a retry or a
//     confirm, re-checks, re-notices, gives up, and finishes what a crash
//     interrupted.
//  5. Views: Requests(caseID) and Request(id) for the case page and the
//     JSON API (Request marshals to JSON).
//
// OnFinding may block for up to send_timeout per target while a notice
// goes out; the sink should call it after the alert path.
//
// # Requests and their events
//
// A request is one (target, post) for the platform and e-mail channels, or
// one (target, case) for app_abuse. Its id is deterministic
// (requestID(target, kind, key)) and so is every event id, so JetStream
// drops a repeat from any process. Each state change is a wire.CaseEvent
// of type takedown on hw.cases.takedown:
//
//	requested (Detail: the request's spec as JSON)
//	  → sent (Detail: the notice exactly as sent, without credentials;
//	          a re-notice is another sent with the next notice number)
//	  → acknowledged (the platform accepted it; Detail report_id=…)
//	  → removed (verified by a re-check; time to removal = removed − first sent)
//	  | failed (Reason starts with a code: dismissed, cleared, gave_up,
//	            unverifiable, auth_rejected, rejected, send_failed, unresolvable)
//
// A transient failure (429, 5xx, network) is a requested event with a
// retry time; after max_retries in a row the request fails. E-mail has no
// acknowledgement (the SMTP server's answer is in the sent event's
// Reason); Reddit acknowledges without a report id.
//
// # Nothing is skipped silently
//
// Every request not sent is a wire.CaseEvent of type skip on
// hw.cases.skip with a Reason code (the Reason constants: quota_target,
// quota_total, shadow, dismissed, cleared, duplicate, below_severity,
// mode_not_act, finding_shadow, review_pending, no_channel, no_contact,
// auth_missing, already_removed) and the Takedown payload (target,
// request id, URL, and in Detail the explanation — for shadow, the full
// rendered notice). Each also counts
// handlewatch_sink_takedown_skipped_total{target,reason}; a request that
// fails before any notice went out counts there too, under its failure
// code. Only enabled: false skips without events (the metric counts
// reason "disabled").
//
// # Rules
//
//   - A human decision always wins: a dismissed or cleared case never gets
//     a request, and its open requests (pending or sent) are closed as
//     failed with reason dismissed/cleared, unless another case still open
//     shares the request (its sightings of the same post found it filed:
//     Request.Sharers); a confirm files at once in review mode and in auto
//     mode whatever the severity.
//   - Intent first: before a notice goes out, a requested event with
//     sequence "i<notice>.<failures>" records the attempt. If the process
//     dies before the outcome is recorded, the next attempt at that notice
//     (after the 15-minute claim) does not send it again but records it
//     as sent with reason "outcome unknown…"; re-checks and re-notices
//     then follow as for any sent request.
//   - Auto targets file at once when the finding's mode is act and its
//     severity is at least auto_min_severity.
//   - Dedupe: the fast layer is state.Seen
//     "takedown:<target>:<kind>:<post or case>" (24 h); the authoritative
//     layer is the records rebuilt from the stream.
//   - Quotas: state.Counters "takedown:quota:<target>" and
//     "takedown:quota:total" per UTC day, incremented first and then
//     compared; nothing is rolled back; a refused notice waits for the
//     next day. Shadow notices count on "takedown:shadow-quota:…".
//   - Shadow (global or per target) records exactly what would be sent and
//     makes no network call at all.
//   - Re-checks every recheck_every (see verify.go for what is checked per
//     platform); re-notices after renotice_after while a check says the
//     content is up; give up after give_up_after.
//
// Metrics: handlewatch_sink_takedown_requests_total{target,state},
// handlewatch_sink_takedown_skipped_total{target,reason},
// handlewatch_sink_takedown_time_to_removal_seconds{target},
// handlewatch_sink_takedown_checks_total{target,verdict}.
//
// config.example.yaml documents every key of sink.takedowns.
package takedown
