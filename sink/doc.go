// Package sink owns what happens to a finding: one case per (app, handle),
// alerts to moderators, takedown requests with a lifecycle, hotline report
// drafts and research statistics, on the durable hw.findings.> stream.
// Everything it derives is rebuilt from the streams after a restart.
//
// # Run
//
// Run first rebuilds: it replays hw.cases.> (decisions, alert records,
// takedown and skip events) and then hw.findings.> and hw.stats.> into the
// case view, the watchlists, the takedown records and the research
// counters. Every write is idempotent on the finding or event id, so a
// Redis view that survived is merely confirmed and a wiped or in-memory one
// is restored. On Redis the findings and tallies are replayed only from
// the checkpoints kept beside the derived state (checkpoint.go: they
// follow the consumers' ack floor); a Redis that lost them was flushed or
// replaced, and everything is replayed, at start-up or, found while
// running, before the next message acts. Then it starts, side by side:
//
//   - the durable consumer "sink" on hw.findings.>, shared by every sink
//     process (JetStream hands each finding to one of them). A finding that
//     does not decode or validate is terminated as poison; a good one joins
//     its cases, its alerts are sent and recorded, takedowns and statistics
//     see it, and only then is it acked;
//   - an ordered consumer of this process's own on hw.cases.>, from where
//     the replay stopped, so that every process sees every decision taken
//     through any process's API;
//   - the durable consumer "sink-stats" on hw.stats.> (scan tallies);
//   - timers: digests, the alert reconcile pass, the takedown tick.
//
// # Alerts
//
// The levels a case has earned are a pure function of the case (alerts.go):
// "new" while no moderator decided, then "escalation:sightings-N",
// "escalation:sources-N" and "escalation:severity-high|critical" as it
// crosses the configured thresholds. Shadow-only cases, cases below
// sink.alerts.min_severity and dismissed or cleared cases earn none. What a
// notifier already had is in the case's alert records (the
// hw.cases.alert events "alert-<case>-<level>-<notifier>", delivered or
// dead-lettered), backed by a Seen key "alert:<case>:<level>:<notifier>";
// before sending, a process claims each level in the state store for 15 s,
// renewed while it delivers, so two processes, or a redelivery and the reconcile
// pass, never send one level twice; an attempt that finds the claim taken
// waits for its record or its expiry (a process killed mid-send), and an
// alert held in a digest keeps a longer claim of its own. All the levels
// due at once go in one message.
//
// # The JSON API
//
//	GET  /api/cases?status=&app=&severity=&limit=&offset=
//	GET  /api/cases/{id}
//	POST /api/cases/{id}/decision        {decision, actor, reason}
//	GET  /api/cases/{id}/hotline-draft   confirmed cases only
//	GET  /api/stats?from=&to=&source=&by_source=
//	GET  /api/cases/{id}/links           cases sharing a handle value, author, link or post
//	GET  /api/cases/{id}/links.svg       the same as a small graph
//	GET  /taxii2/…                       TAXII 2.1 for partners, their own tokens (sink/signals)
//
// A bearer token from the variable named by sink.api_token_env guards it;
// without one the API is read-only and refuses decisions with 403.
//
// # The dashboard
//
// Every other path is the moderator dashboard (package sink/web), behind
// its own login (sink.dashboard.users). dashboard.go gives it the case
// store, the takedown records, the statistics and recordDecision, the one
// function that takes a decision for the API and the pages alike; the
// audit page lists the decisions this process applied (replayed, followed
// or its own), the latest 1000.
package sink
