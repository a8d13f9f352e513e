package sink

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	findings       *prometheus.CounterVec // result: new, repeat, no_handle, poison
	casesCreated   prometheus.Counter
	events         *prometheus.CounterVec // type, result: applied, repeat, invalid
	decisions      *prometheus.CounterVec // decision
	alertsSent     *prometheus.CounterVec // notifier
	alertsFailed   *prometheus.CounterVec // notifier: failed attempts
	alertsDead     *prometheus.CounterVec // notifier
	alertsQueued   *prometheus.CounterVec // notifier, reason: digest, rate_limit
	escalations    *prometheus.CounterVec // notifier
	rebuildSeconds prometheus.Gauge
	rebuildMsgs    *prometheus.GaugeVec // stream
	stateWipes     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	const ns, sub = "handlewatch", "sink"
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help}, labels)
	}
	m := &metrics{
		findings: counter("findings_consumed_total", "Findings consumed, by result (new, repeat, no_handle, poison).", "result"),
		casesCreated: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "cases_created_total",
			Help: "Cases created by a live finding (not by a rebuild)."}),
		events:       counter("case_events_total", "Case events seen, by type and result (applied, repeat, invalid).", "type", "result"),
		decisions:    counter("decisions_total", "Moderator decisions recorded through this sink's API.", "decision"),
		alertsSent:   counter("alerts_sent_total", "Alert messages delivered (digests count once).", "notifier"),
		alertsFailed: counter("alerts_failed_total", "Failed alert delivery attempts.", "notifier"),
		alertsDead:   counter("alerts_dead_lettered_total", "Alert messages given up on after the last attempt.", "notifier"),
		alertsQueued: counter("alerts_queued_total", "Alerts held for a digest, by reason (digest, rate_limit).", "notifier", "reason"),
		escalations:  counter("escalations_total", "Escalation alerts delivered.", "notifier"),
		rebuildSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "rebuild_duration_seconds",
			Help: "How long the last start-up rebuild from the streams took."}),
		rebuildMsgs: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "rebuild_messages",
			Help: "Messages replayed by the last start-up rebuild, by stream."}, []string{"stream"}),
		stateWipes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "state_wipes_total",
			Help: "Times the derived state was found missing from Redis while running (flushed or replaced) and rebuilt."}),
	}
	for _, c := range []prometheus.Collector{m.findings, m.casesCreated, m.events, m.decisions, m.alertsSent, m.alertsFailed,
		m.alertsDead, m.alertsQueued, m.escalations, m.rebuildSeconds, m.rebuildMsgs, m.stateWipes} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering sink metrics: %w", err)
		}
	}
	return m, nil
}
