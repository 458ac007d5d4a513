// Package metrics exposes the daemon's Prometheus metrics and a health
// check over HTTP on a loopback address.
package metrics

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

// namespace starts every metric name of the daemon.
const namespace = "emailgend"

// States of the LLM circuit breaker accepted by SetBreakerState, and the
// values of the emailgend_llm_breaker_state gauge.
const (
	BreakerClosed   = "closed"    // 0: requests go to the LLM
	BreakerHalfOpen = "half-open" // 1: a trial request is allowed
	BreakerOpen     = "open"      // 2: requests are rejected without trying
)

var breakerValues = map[string]float64{
	BreakerClosed:   0,
	BreakerHalfOpen: 1,
	BreakerOpen:     2,
}

// Metrics is the daemon's set of metrics, in a registry of its own so
// tests and other packages cannot add to or clash with it. Every method is
// safe on a nil *Metrics and does nothing there, so the daemon can run
// with metrics off.
type Metrics struct {
	registry *prometheus.Registry

	messages   *prometheus.CounterVec
	delivery   *prometheus.HistogramVec
	generation *prometheus.HistogramVec
	breaker    prometheus.Gauge
	poolSize   prometheus.Gauge
	reloads    *prometheus.CounterVec
	deckies    prometheus.Gauge
	lastTick   prometheus.Gauge
}

// New returns Metrics registered in a new registry, together with the Go
// runtime, process and build information collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "messages_total",
			Help:      "Messages generated for mail deckies, by decky source (topology, fleet, shard), language, generator and result (delivered, failed).",
		}, []string{"source", "language", "generator", "result"}),
		// One exec takes about 50 ms on a local engine (see
		// docs/BENCHMARKS.md), and the buckets reach past the default 8s
		// exec timeout, so a raised --exec-timeout still lands in a
		// finite bucket.
		delivery: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "delivery_duration_seconds",
			Help:      "Time to deliver one message to every mail container of a decky, by result (delivered, failed).",
			Buckets:   []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"result"}),
		// Buckets span the template generator, which makes no network
		// call, and LLM requests up to and past their 60s default
		// timeout.
		generation: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "generation_duration_seconds",
			Help:      "Time to write one message, by generator.",
			Buckets:   []float64{0.0001, 0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120},
		}, []string{"generator"}),
		breaker: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "llm_breaker_state",
			Help:      "State of the LLM circuit breaker: 0 closed, 1 half-open, 2 open.",
		}),
		poolSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "persona_pool_size",
			Help:      "Valid personas in the global persona pool.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "persona_pool_reloads_total",
			Help:      "Loads of the global persona pool file, by result (ok, error).",
		}, []string{"result"}),
		deckies: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "mail_deckies",
			Help:      "Mail deckies found by the last discovery.",
		}),
		lastTick: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "last_successful_tick_timestamp_seconds",
			Help:      "Unix time of the last tick that ended without an error.",
		}),
	}
	// Both results start at zero, so rate() and increase() see a series
	// before the first failure.
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("error")

	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		m.messages,
		m.delivery,
		m.generation,
		m.breaker,
		m.poolSize,
		m.reloads,
		m.deckies,
		m.lastTick,
	)
	return m
}

// ObserveMessage counts one message and records how long its delivery and
// its generation took. source is topology, fleet or shard, and result is
// delivered or failed. A zero or negative duration is not recorded, for a
// step that did not run, such as the delivery of a dry run.
func (m *Metrics) ObserveMessage(source, language, generator, result string, delivery, generation time.Duration) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(source, language, generator, result).Inc()
	if delivery > 0 {
		m.delivery.WithLabelValues(result).Observe(delivery.Seconds())
	}
	if generation > 0 {
		m.generation.WithLabelValues(generator).Observe(generation.Seconds())
	}
}

// SetBreakerState records the LLM circuit breaker's state, one of
// BreakerClosed, BreakerHalfOpen and BreakerOpen. Any other state is
// rejected with an error and leaves the gauge unchanged.
func (m *Metrics) SetBreakerState(state string) error {
	value, ok := breakerValues[state]
	if !ok {
		return fmt.Errorf("invalid LLM breaker state %q: want %s, %s or %s", state, BreakerClosed, BreakerHalfOpen, BreakerOpen)
	}
	if m == nil {
		return nil
	}
	m.breaker.Set(value)
	return nil
}

// SetPoolSize records the number of valid personas in the global pool.
func (m *Metrics) SetPoolSize(personas int) {
	if m == nil {
		return
	}
	m.poolSize.Set(float64(personas))
}

// PoolReloaded counts one load of the global persona pool file, successful
// or not.
func (m *Metrics) PoolReloaded(ok bool) {
	if m == nil {
		return
	}
	result := "ok"
	if !ok {
		result = "error"
	}
	m.reloads.WithLabelValues(result).Inc()
}

// SetDeckies records the number of mail deckies the last discovery found.
func (m *Metrics) SetDeckies(count int) {
	if m == nil {
		return
	}
	m.deckies.Set(float64(count))
}

// TickSucceeded records the time a tick ended without an error.
func (m *Metrics) TickSucceeded(at time.Time) {
	if m == nil {
		return
	}
	m.lastTick.Set(float64(at.UnixNano()) / 1e9)
}

// handler returns the /metrics handler. Errors from a collector are logged
// and the other metrics are still served.
func (m *Metrics) handler(log *zap.Logger) http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	opts := promhttp.HandlerOpts{
		ErrorLog:      zap.NewStdLog(log),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry,
		// The limit keeps a misbehaving local client from piling up
		// concurrent gathers.
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	}
	return promhttp.InstrumentMetricHandler(m.registry, promhttp.HandlerFor(m.registry, opts))
}
