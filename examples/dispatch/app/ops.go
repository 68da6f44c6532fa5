package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dispatchcenter/connectors/resilience"
)

// metrics are counted from the resilience hooks and the bus.
type metrics struct {
	mu       sync.Mutex
	systems  map[string]string // vendor host → system name
	requests map[string]int64  // system/status class
	latency  map[string]float64
	retries  map[string]int64
	consumed atomic.Int64
	dead     atomic.Int64
}

func (m *metrics) attempt(a resilience.AttemptInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.requests == nil {
		m.requests, m.latency, m.retries = map[string]int64{}, map[string]float64{}, map[string]int64{}
	}
	class := "error"
	if a.StatusCode > 0 {
		class = fmt.Sprintf("%dxx", a.StatusCode/100)
	}
	k := m.system(a.Host) + "|" + class
	m.requests[k]++
	m.latency[m.system(a.Host)] += a.Duration.Seconds()
}

func (m *metrics) retry(r resilience.RetryInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.retries == nil {
		m.requests, m.latency, m.retries = map[string]int64{}, map[string]float64{}, map[string]int64{}
	}
	m.retries[m.system(r.Host)]++
}

// system names the system a vendor host belongs to (the host when unknown); called
// with m.mu held.
func (m *metrics) system(host string) string {
	if s, ok := m.systems[host]; ok {
		return s
	}
	return host
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

// serveMetrics writes the Prometheus text format.
func (s *Service) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	m := &s.metrics
	m.mu.Lock()
	keys := make([]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("# HELP dispatch_vendor_requests_total Attempts sent to each system, by status class.\n# TYPE dispatch_vendor_requests_total counter\n")
	for _, k := range keys {
		system, class, _ := strings.Cut(k, "|")
		fmt.Fprintf(&b, "dispatch_vendor_requests_total{system=%q,class=%q} %d\n", system, class, m.requests[k])
	}
	b.WriteString("# HELP dispatch_vendor_request_seconds_total Time spent in attempts per system.\n# TYPE dispatch_vendor_request_seconds_total counter\n")
	for system, sec := range m.latency {
		fmt.Fprintf(&b, "dispatch_vendor_request_seconds_total{system=%q} %g\n", system, sec)
	}
	b.WriteString("# HELP dispatch_vendor_retries_total Retries per system.\n# TYPE dispatch_vendor_retries_total counter\n")
	for system, n := range m.retries {
		fmt.Fprintf(&b, "dispatch_vendor_retries_total{system=%q} %d\n", system, n)
	}
	m.mu.Unlock()
	b.WriteString("# HELP dispatch_breaker_open Breakers open per system.\n# TYPE dispatch_breaker_open gauge\n")
	for name, h := range s.Health() {
		open := 0
		for _, st := range h.Breakers {
			if st == resilience.StateOpen {
				open++
			}
		}
		fmt.Fprintf(&b, "dispatch_breaker_open{system=%q} %d\n", name, open)
	}
	if waiting, unacked, err := s.bus.Pending(context.Background()); err == nil {
		fmt.Fprintf(&b, "# HELP dispatch_queue_depth Events waiting for the consumer, and delivered but not acknowledged.\n# TYPE dispatch_queue_depth gauge\n")
		fmt.Fprintf(&b, "dispatch_queue_depth{state=\"waiting\"} %d\ndispatch_queue_depth{state=\"unacked\"} %d\n", waiting, unacked)
	}
	fmt.Fprintf(&b, "# HELP dispatch_events_consumed_total Events processed from the bus.\n# TYPE dispatch_events_consumed_total counter\ndispatch_events_consumed_total %d\n", m.consumed.Load())
	fmt.Fprintf(&b, "# HELP dispatch_dead_letters_total Events dead-lettered after %d deliveries.\n# TYPE dispatch_dead_letters_total counter\ndispatch_dead_letters_total %d\n", MaxDeliver, m.dead.Load())
	ts := s.traps.Stats()
	fmt.Fprintf(&b, "# HELP dispatch_trap_queue_dropped_total SNMP traps dropped for a full queue.\n# TYPE dispatch_trap_queue_dropped_total counter\ndispatch_trap_queue_dropped_total %d\n", ts.Dropped)
	fmt.Fprintf(&b, "# HELP dispatch_traps_total SNMP packets received, by outcome.\n# TYPE dispatch_traps_total counter\n")
	for _, o := range []struct {
		outcome string
		n       int64
	}{{"queued", ts.Queued}, {"refused", ts.Refused}, {"malformed", ts.Malformed}, {"unmapped", ts.Unmapped}, {"duplicate", ts.Duplicates}} {
		fmt.Fprintf(&b, "dispatch_traps_total{outcome=%q} %d\n", o.outcome, o.n)
	}
	fmt.Fprintf(&b, "# HELP dispatch_trap_decoder_panics_total SNMP packets that made the decoder panic (contained, counted as malformed).\n# TYPE dispatch_trap_decoder_panics_total counter\ndispatch_trap_decoder_panics_total %d\n", ts.DecoderPanics)
	fmt.Fprintf(&b, "# HELP dispatch_trap_foreign_engines_total SNMPv3 traps refused for coming from an engine their user is not bound to.\n# TYPE dispatch_trap_foreign_engines_total counter\ndispatch_trap_foreign_engines_total %d\n", ts.ForeignEngines)
	fmt.Fprintf(&b, "# HELP dispatch_trap_informs_answered_total SNMP informs answered with a response PDU.\n# TYPE dispatch_trap_informs_answered_total counter\ndispatch_trap_informs_answered_total %d\n", ts.InformsAnswered)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}
