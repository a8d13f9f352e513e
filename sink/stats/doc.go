// Package stats owns the research figures: counters per source, app and
// day (posts scanned, findings, distinct handles, cases confirmed),
// prevalence with Wilson intervals, and pseudonymised exports.
//
// # How the sink uses it
//
// The sink builds one Stats with New(cfg.Research, Deps{Log, Store: the
// state.Store, Metrics, Now}) and feeds it every message of the three
// record streams, during the rebuild and live alike (each call is
// idempotent on the message's own id, so a replay or a redelivery counts
// once; each is one state.Batch, so one Redis round trip, all or nothing):
//
//   - ObserveFinding(ctx, f) for every wire.Finding on hw.findings.>
//     (stream FINDINGS), in the findings handler, before the ack;
//   - ObserveTally(ctx, t) for every wire.ScanTally on hw.stats.> (stream
//     STATS): the sink needs a consumer (or replay + consumer) on that
//     stream, which holds the posts-scanned denominators;
//   - ObserveEvent(ctx, ev) for every wire.CaseEvent on hw.cases.> (only
//     decisions count; the rest is ignored).
//
// An error wrapping ErrInvalid means the message can never be counted
// (Term it as poison); any other error is the store's: redeliver.
// Rebuild(ctx, stats, bus.Replay) does the three replays in one call for
// a sink that does not replay them itself.
//
// The sink mounts Handler() at GET /api/stats (behind its login): query
// from, to (UTC days, YYYY-MM-DD, both included; default the last 30
// days), source (one source) and by_source (true adds per-source
// figures); the answer is a Report as JSON.
//
// `handlewatch stats` calls Command(ctx, bus.Replay, os.Stdout,
// CommandOptions{From, To, Source, BySource, JSON, Retention}): it
// replays the streams into a memory store and prints tables (or the
// Report as JSON), offline, from any process that reaches NATS.
// `handlewatch export` calls Export(ctx, bus.Replay, w, ExportOptions{
// Format, StudyKeyEnv: cfg.Research.StudyKeyEnv, IncludeText, From, To}).
//
// # The figures
//
// Counters (state.Counters, per UTC day): posts scanned per source (from
// tallies, by the posts' fetch day); findings overall and per source,
// app, severity, source×app and source×severity (by the day the finding
// was detected, which is the fetch day within minutes); decisions per
// kind and app (by the decision's day). Distinct handles (state.Distinct:
// exact in memory, HyperLogLog with about 0.8 % error on Redis) per day
// overall and per app, source and source×app; distinct counts do not add
// across days, so a report gives them per day only. A finding with
// handles of two apps counts once overall and once for each app.
//
// Prevalence is findings per 10,000 posts scanned with a Wilson 95 %
// score interval (Wilson), per day, per source and day, per app and
// severity over the period, and overall. It is left out (nil) where no
// posts were scanned, or where findings exceed posts (tallies missing:
// the report says so in Warnings).
//
// # Retention
//
// sink.research.retention (default 365d, at most 400d, the life of a day
// counter in the state store) bounds the derived figures: messages of
// older days are not counted, and reports start at the oldest kept day.
// nats.findings_retention bounds the FINDINGS and STATS streams
// themselves, hence what a rebuild can recover: keep retention no longer
// than nats.findings_retention, or a rebuild after a Redis wipe will
// recover fewer days than the live counters held.
//
// # Exports
//
// One row per finding, CSV (columns CSVHeader) or NDJSON (ExportRow):
// finding pseudonym, source, source kind, day, apps, handle pseudonyms,
// author pseudonym, severity, score, rules version, signal categories,
// and the evidence excerpt only with IncludeText. Handles, authors and
// finding ids are HMAC-SHA256 pseudonyms under the study key (stable
// within a study, unlinkable across studies); permalinks, post ids and
// author URLs are dropped, because they name the author on most
// platforms. No key (of at least 16 bytes), no export.
//
// Metrics: handlewatch_sink_stats_messages_total{kind,result}.
package stats
