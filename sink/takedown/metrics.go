package takedown

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	skipped  *prometheus.CounterVec
	removal  *prometheus.HistogramVec
	checks   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handlewatch_sink_takedown_requests_total",
			Help: "Takedown request state changes published, by target and state.",
		}, []string{"target", "state"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handlewatch_sink_takedown_skipped_total",
			Help: "Takedown requests not sent, by target and reason (every one also has a case event).",
		}, []string{"target", "reason"}),
		removal: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "handlewatch_sink_takedown_time_to_removal_seconds",
			Help: "Time from the first notice to the verified removal, by target.",
			// 1h … about 64 days.
			Buckets: prometheus.ExponentialBuckets(3600, 2, 11),
		}, []string{"target"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handlewatch_sink_takedown_checks_total",
			Help: "Re-checks of reported content, by target and verdict (up, gone, unknown).",
		}, []string{"target", "verdict"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.skipped, m.removal, m.checks} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
			switch existing := are.ExistingCollector.(type) {
			case *prometheus.CounterVec:
				if c == prometheus.Collector(m.requests) {
					m.requests = existing
				} else if c == prometheus.Collector(m.skipped) {
					m.skipped = existing
				} else {
					m.checks = existing
				}
			case *prometheus.HistogramVec:
				m.removal = existing
			}
		}
	}
	return m, nil
}
