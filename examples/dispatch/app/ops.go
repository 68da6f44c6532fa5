package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/dispatchcenter/connectors/resilience"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the service's Prometheus metrics (prometheus/client_golang), on a
// registry of its own: vendor latency as histograms by system and operation, counts
// of attempts, retries, events and dead letters, and what is read when scraped
// (breakers, queue depth, traps) through [serviceCollector].
type metrics struct {
	reg      *prometheus.Registry
	mu       sync.RWMutex
	systems  map[string]string // vendor host → system name
	latency  *prometheus.HistogramVec
	requests *prometheus.CounterVec
	retries  *prometheus.CounterVec
	consumed prometheus.Counter
	dead     prometheus.Counter
	deadN    atomic.Int64 // dead's value, for the demo's story
	handler  http.Handler
}

// deadLetter counts an event dead-lettered.
func (m *metrics) deadLetter() {
	m.dead.Inc()
	m.deadN.Add(1)
}

// newMetrics registers the service's metrics, and collect's, on a new registry.
func newMetrics(collect prometheus.Collector) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), systems: map[string]string{}}
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dispatch_vendor_request_duration_seconds",
		Help: "Duration of each attempt sent to a system, by operation.",
		// the HTTP semantic conventions' buckets; the seeds alert at 2 s and 5 s
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2, 2.5, 5, 7.5, 10}},
		[]string{"system", "operation"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatch_vendor_requests_total",
		Help: "Attempts sent to each system, by status class."}, []string{"system", "class"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dispatch_vendor_retries_total",
		Help: "Retries per system."}, []string{"system"})
	m.consumed = prometheus.NewCounter(prometheus.CounterOpts{Name: "dispatch_events_consumed_total", Help: "Events processed from the bus."})
	m.dead = prometheus.NewCounter(prometheus.CounterOpts{Name: "dispatch_dead_letters_total",
		Help: fmt.Sprintf("Events dead-lettered after %d deliveries.", MaxDeliver)})
	m.reg.MustRegister(m.latency, m.requests, m.retries, m.consumed, m.dead, collect)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) attempt(a resilience.AttemptInfo) {
	class := "error"
	if a.StatusCode > 0 {
		class = fmt.Sprintf("%dxx", a.StatusCode/100)
	}
	system := m.system(a.Host)
	m.requests.WithLabelValues(system, class).Inc()
	m.latency.WithLabelValues(system, a.Route).Observe(a.Duration.Seconds())
}

func (m *metrics) retry(r resilience.RetryInfo) { m.retries.WithLabelValues(m.system(r.Host)).Inc() }

// system names the system a vendor host belongs to (the host when unknown).
func (m *metrics) system(host string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if s, ok := m.systems[host]; ok {
		return s
	}
	return host
}

// serviceCollector reads, when scraped, what the service knows at that moment: the
// open breakers per system, the queue depth of the bus, the trap receiver's counts.
type serviceCollector struct{ s *Service }

var (
	breakerOpenDesc = prometheus.NewDesc("dispatch_breaker_open", "Breakers open per system.", []string{"system"}, nil)
	queueDepthDesc  = prometheus.NewDesc("dispatch_queue_depth", "Events waiting for the consumer, and delivered but not acknowledged.", []string{"state"}, nil)
	trapsDesc       = prometheus.NewDesc("dispatch_traps_total", "SNMP packets received, by outcome.", []string{"outcome"}, nil)
	trapDroppedDesc = prometheus.NewDesc("dispatch_trap_queue_dropped_total", "SNMP traps dropped for a full queue.", nil, nil)
	trapPanicsDesc  = prometheus.NewDesc("dispatch_trap_decoder_panics_total", "SNMP packets that made the decoder panic (contained, counted as malformed).", nil, nil)
	trapForeignDesc = prometheus.NewDesc("dispatch_trap_foreign_engines_total", "SNMPv3 traps refused for coming from an engine their user is not bound to.", nil, nil)
	trapInformsDesc = prometheus.NewDesc("dispatch_trap_informs_answered_total", "SNMP informs answered with a response PDU.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{breakerOpenDesc, queueDepthDesc, trapsDesc, trapDroppedDesc, trapPanicsDesc, trapForeignDesc, trapInformsDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c serviceCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	for name, h := range s.Health() {
		open := 0
		for _, st := range h.Breakers {
			if st == resilience.StateOpen {
				open++
			}
		}
		ch <- prometheus.MustNewConstMetric(breakerOpenDesc, prometheus.GaugeValue, float64(open), name)
	}
	if s.bus != nil {
		if waiting, unacked, err := s.bus.Pending(context.Background()); err == nil {
			ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(waiting), "waiting")
			ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(unacked), "unacked")
		}
	}
	if s.traps == nil {
		return
	}
	ts := s.traps.Stats()
	for _, o := range []struct {
		outcome string
		n       int64
	}{{"queued", ts.Queued}, {"refused", ts.Refused}, {"malformed", ts.Malformed}, {"unmapped", ts.Unmapped}, {"duplicate", ts.Duplicates}} {
		ch <- prometheus.MustNewConstMetric(trapsDesc, prometheus.CounterValue, float64(o.n), o.outcome)
	}
	ch <- prometheus.MustNewConstMetric(trapDroppedDesc, prometheus.CounterValue, float64(ts.Dropped))
	ch <- prometheus.MustNewConstMetric(trapPanicsDesc, prometheus.CounterValue, float64(ts.DecoderPanics))
	ch <- prometheus.MustNewConstMetric(trapForeignDesc, prometheus.CounterValue, float64(ts.ForeignEngines))
	ch <- prometheus.MustNewConstMetric(trapInformsDesc, prometheus.CounterValue, float64(ts.InformsAnswered))
}

// healthz: the process is up.
func (s *Service) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz: per system, the breaker states, last success and error rate; 503 when a
// system is critical.
func (s *Service) readyz(w http.ResponseWriter, _ *http.Request) {
	out := map[string]any{}
	status := http.StatusOK
	for name, h := range s.Health() {
		var last any // blank for a system never called, not 0001-01-01
		if !h.LastSuccess.IsZero() {
			last = h.LastSuccess
		}
		out[name] = map[string]any{"status": h.Status.String(), "reasons": h.Reasons, "breakers": h.Breakers,
			"last_success": last, "error_rate": h.ErrorRate, "calls": h.Calls}
		if h.Status == resilience.HealthCritical {
			status = http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// serveMetrics answers a Prometheus scrape.
func (s *Service) serveMetrics(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}
