package detector

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics of the detector worker, registered on the process registry.
type metrics struct {
	scanned         *prometheus.CounterVec
	findings        *prometheus.CounterVec
	duration        prometheus.Histogram
	reloads         *prometheus.CounterVec
	rulesInfo       *prometheus.GaugeVec
	poison          prometheus.Counter
	watchlistErrors prometheus.Counter
	watchlistSize   *prometheus.GaugeVec
	ackErrors       prometheus.Counter
	republished     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	return &metrics{
		scanned: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "posts_scanned_total",
			Help: "Posts scanned, by source (a redelivered post counts again; the sink's counters count it once).",
		}, []string{"source"})),
		findings: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "findings_total",
			Help: "Findings published, by severity.",
		}, []string{"severity"})),
		duration: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "detect_duration_seconds",
			Help:    "Time to decode, detect and publish one post.",
			Buckets: prometheus.ExponentialBuckets(5e-6, 4, 10),
		})),
		reloads: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "rule_reloads_total",
			Help: "Rule reloads, by result (ok, failed).",
		}, []string{"result"})),
		rulesInfo: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "rules_info",
			Help: "The rule-set version in force (value 1).",
		}, []string{"version"})),
		poison: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "poison_posts_total",
			Help: "Posts terminated because they can never be processed.",
		})),
		watchlistErrors: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "watchlist_refresh_errors_total",
			Help: "Failed refreshes of the watchlist sets.",
		})),
		watchlistSize: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "watchlist_handles",
			Help: "Handles on the state store's watchlists, by list (known, cleared).",
		}, []string{"list"})),
		ackErrors: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "ack_errors_total",
			Help: "Posts whose ack failed after their tally was published (they are redelivered and counted once).",
		})),
		republished: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "handlewatch", Subsystem: "detector", Name: "republished_total",
			Help: "Findings and tallies the streams acknowledged and then lost (disk full), published again before their posts were acked.",
		})),
	}
}

func (m *metrics) rulesVersion(old, cur *Engine) {
	if old != nil {
		m.rulesInfo.DeleteLabelValues(old.RulesVersion())
	}
	m.rulesInfo.WithLabelValues(cur.RulesVersion()).Set(1)
}

// register registers c, or returns the collector already registered under
// its name (two workers in one process share the metrics).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}
