package resilience

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// HealthStatus classifies a [Health] snapshot.
type HealthStatus int

// Health statuses, from best to worst.
const (
	HealthOK HealthStatus = iota
	HealthWarning
	HealthCritical
)

// String returns "ok", "warning" or "critical".
func (s HealthStatus) String() string {
	switch s {
	case HealthOK:
		return "ok"
	case HealthWarning:
		return "warning"
	}
	return "critical"
}

// HealthThresholds are the alert thresholds a [Health] snapshot is classified with.
// A threshold of 0 is not checked.
type HealthThresholds struct {
	// ResponseTimeWarning and ResponseTimeCritical apply to the 95th percentile.
	ResponseTimeWarning, ResponseTimeCritical time.Duration
	// ErrorRateWarning and ErrorRateCritical are fractions (0.01 = 1 %).
	ErrorRateWarning, ErrorRateCritical float64
	// AvailabilityWarning and AvailabilityCritical are fractions below which the
	// status degrades (0.99 = 99 %).
	AvailabilityWarning, AvailabilityCritical float64
}

// DefaultThresholds are the integration design's alert thresholds: response time over 2 s warning,
// over 5 s critical; error rate over 1 % warning, over 5 % critical; availability under
// 99 % warning, under 95 % critical.
func DefaultThresholds() HealthThresholds {
	return HealthThresholds{
		ResponseTimeWarning: 2 * time.Second, ResponseTimeCritical: 5 * time.Second,
		ErrorRateWarning: 0.01, ErrorRateCritical: 0.05,
		AvailabilityWarning: 0.99, AvailabilityCritical: 0.95,
	}
}

// Health is a snapshot of a client's recent calls, for health endpoints.
type Health struct {
	// Name of the client (the connector's system).
	Name string
	// Status is the worst classification among the checks; Reasons say which.
	Status  HealthStatus
	Reasons []string
	// Breakers holds the state of each host's breaker.
	Breakers map[string]BreakerState
	// LastSuccess and LastFailure are the times of the last call of each kind.
	LastSuccess, LastFailure time.Time
	// Calls is the number of calls in the window the figures below cover (the last
	// 1024 calls).
	Calls int
	// ErrorRate is the fraction of calls that failed (an error, or a 5xx status).
	ErrorRate float64
	// Availability is the fraction of calls the vendor answered with a status below
	// 500 (connection errors, timeouts, 5xx and open breakers count against it).
	Availability float64
	// Latency percentiles of the calls in the window (retries included).
	P50, P95, P99 time.Duration
	// InFlight is the number of calls under way (when a bulkhead is configured).
	InFlight int
	// Queued is the number of calls waiting for the bulkhead, the client's queue
	// depth (when a bulkhead is configured).
	Queued int
	// Thresholds are those Status was classified with (the policy's).
	Thresholds HealthThresholds
}

const statsWindow = 1024

type sample struct {
	latency     time.Duration
	failed      bool
	unavailable bool
}

// stats keeps a ring of the last statsWindow calls.
type stats struct {
	mu                       sync.Mutex
	ring                     [statsWindow]sample
	n, next                  int
	lastSuccess, lastFailure ended
}

// ended is when a call ended, kept as its start and latency: the sum is only needed
// for a snapshot, and time.Time.Add costs ~20 ns.
type ended struct {
	start   time.Time
	latency time.Duration
}

// at is when the call ended.
func (e ended) at() time.Time {
	if e.start.IsZero() {
		return time.Time{}
	}
	return e.start.Add(e.latency)
}

// record adds a call that started at start and took latency.
func (s *stats) record(start time.Time, latency time.Duration, failed, unavailable bool) {
	s.mu.Lock()
	s.ring[s.next] = sample{latency: latency, failed: failed, unavailable: unavailable}
	s.next = (s.next + 1) % statsWindow
	if s.n < statsWindow {
		s.n++
	}
	if failed {
		s.lastFailure = ended{start, latency}
	} else {
		s.lastSuccess = ended{start, latency}
	}
	s.mu.Unlock()
}

// snapshot summarizes the ring; clk is the clock the starts were read from.
func (s *stats) snapshot() Health {
	s.mu.Lock()
	n := s.n
	lat := make([]time.Duration, n)
	failed, unavail := 0, 0
	for i := 0; i < n; i++ {
		x := s.ring[i]
		lat[i] = x.latency
		if x.failed {
			failed++
		}
		if x.unavailable {
			unavail++
		}
	}
	h := Health{LastSuccess: s.lastSuccess.at(), LastFailure: s.lastFailure.at(), Calls: n, Availability: 1}
	s.mu.Unlock()
	if n > 0 {
		slices.Sort(lat)
		h.P50, h.P95, h.P99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
		h.ErrorRate = float64(failed) / float64(n)
		h.Availability = float64(n-unavail) / float64(n)
	}
	return h
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func (h *Health) classify(t HealthThresholds) {
	h.Thresholds = t
	raise := func(s HealthStatus, reason string) {
		if s > h.Status {
			h.Status = s
		}
		h.Reasons = append(h.Reasons, reason)
	}
	if h.Calls > 0 {
		switch {
		case t.ResponseTimeCritical > 0 && h.P95 > t.ResponseTimeCritical:
			raise(HealthCritical, fmt.Sprintf("p95 response time %s over %s", h.P95, t.ResponseTimeCritical))
		case t.ResponseTimeWarning > 0 && h.P95 > t.ResponseTimeWarning:
			raise(HealthWarning, fmt.Sprintf("p95 response time %s over %s", h.P95, t.ResponseTimeWarning))
		}
		switch {
		case t.ErrorRateCritical > 0 && h.ErrorRate > t.ErrorRateCritical:
			raise(HealthCritical, fmt.Sprintf("error rate %.1f%% over %.1f%%", h.ErrorRate*100, t.ErrorRateCritical*100))
		case t.ErrorRateWarning > 0 && h.ErrorRate > t.ErrorRateWarning:
			raise(HealthWarning, fmt.Sprintf("error rate %.1f%% over %.1f%%", h.ErrorRate*100, t.ErrorRateWarning*100))
		}
		switch {
		case t.AvailabilityCritical > 0 && h.Availability < t.AvailabilityCritical:
			raise(HealthCritical, fmt.Sprintf("availability %.1f%% under %.1f%%", h.Availability*100, t.AvailabilityCritical*100))
		case t.AvailabilityWarning > 0 && h.Availability < t.AvailabilityWarning:
			raise(HealthWarning, fmt.Sprintf("availability %.1f%% under %.1f%%", h.Availability*100, t.AvailabilityWarning*100))
		}
	}
	for host, st := range h.Breakers {
		if st == StateOpen {
			raise(HealthCritical, "circuit open for "+host)
		}
	}
}
