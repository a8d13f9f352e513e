package crawler

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the crawler's Prometheus series, all prefixed
// handlewatch_crawler_.
type metrics struct {
	published    *prometheus.CounterVec   // source
	duplicates   *prometheus.CounterVec   // source
	invalid      *prometheus.CounterVec   // source
	runs         *prometheus.CounterVec   // source, result
	requests     *prometheus.CounterVec   // source, outcome
	lastSuccess  *prometheus.GaugeVec     // source, target
	lastError    *prometheus.GaugeVec     // source, target
	failures     *prometheus.GaugeVec     // source, target
	runPosts     *prometheus.GaugeVec     // source, target
	runDuration  *prometheus.HistogramVec // source
	cursorSaves  *prometheus.CounterVec   // source
	streamsAlive *prometheus.GaugeVec     // source
	leased       *prometheus.GaugeVec     // source, target
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry() // nothing exported, nothing global
	}
	const ns, sub = "handlewatch", "crawler"
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help}, labels)
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help}, labels)
	}
	m := &metrics{
		published:  counter("posts_published_total", "Posts published for the first time.", "source"),
		duplicates: counter("posts_duplicate_total", "Posts skipped because their key was already seen.", "source"),
		invalid:    counter("posts_invalid_total", "Posts an adapter returned that could not be published (missing id…).", "source"),
		runs:       counter("runs_total", "Polls and stream sessions by result: ok, error, retry, blocked.", "source", "result"),
		requests: counter("requests_total",
			"HTTP requests by outcome: ok, not_modified, retry, blocked, status_4xx, status_5xx, refused_<reason>, error.", "source", "outcome"),
		lastSuccess: gauge("last_success_timestamp_seconds", "When the target last polled (or streamed) without error.", "source", "target"),
		lastError:   gauge("last_error_timestamp_seconds", "When the target last failed.", "source", "target"),
		failures:    gauge("consecutive_failures", "Failed runs of the target since its last success.", "source", "target"),
		runPosts:    gauge("run_posts", "Posts the target's last run published.", "source", "target"),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub,
			Name: "run_duration_seconds", Help: "Duration of one poll of a target, pages included.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 12)}, []string{"source"}),
		cursorSaves:  counter("cursor_saves_total", "Cursors saved after their posts were published.", "source"),
		streamsAlive: gauge("streams_running", "Stream sessions running now.", "source"),
		leased:       gauge("target_leased", "1 while this process holds the target's lease and crawls it (with crawler leases).", "source", "target"),
	}
	var err error
	reg1 := func(c prometheus.Collector) prometheus.Collector {
		if err != nil {
			return c
		}
		var e error
		if e = reg.Register(c); e != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(e, &are) {
				// A second crawler on the same registry shares the series.
				return are.ExistingCollector
			}
			err = e
		}
		return c
	}
	m.published = reg1(m.published).(*prometheus.CounterVec)
	m.duplicates = reg1(m.duplicates).(*prometheus.CounterVec)
	m.invalid = reg1(m.invalid).(*prometheus.CounterVec)
	m.runs = reg1(m.runs).(*prometheus.CounterVec)
	m.requests = reg1(m.requests).(*prometheus.CounterVec)
	m.lastSuccess = reg1(m.lastSuccess).(*prometheus.GaugeVec)
	m.lastError = reg1(m.lastError).(*prometheus.GaugeVec)
	m.failures = reg1(m.failures).(*prometheus.GaugeVec)
	m.runPosts = reg1(m.runPosts).(*prometheus.GaugeVec)
	m.runDuration = reg1(m.runDuration).(*prometheus.HistogramVec)
	m.cursorSaves = reg1(m.cursorSaves).(*prometheus.CounterVec)
	m.streamsAlive = reg1(m.streamsAlive).(*prometheus.GaugeVec)
	m.leased = reg1(m.leased).(*prometheus.GaugeVec)
	if err != nil {
		return nil, fmt.Errorf("registering crawler metrics: %w", err)
	}
	return m, nil
}
