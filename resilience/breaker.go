package resilience

import (
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// BreakerState is the state of a circuit breaker.
type BreakerState int

// Breaker states.
const (
	// StateClosed: calls flow; failures are counted.
	StateClosed BreakerState = iota
	// StateOpen: calls fail at once with connectors.ErrCircuitOpen.
	StateOpen
	// StateHalfOpen: a few probe calls are let through to test the host.
	StateHalfOpen
)

// String returns "closed", "open" or "half-open".
func (s BreakerState) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateOpen:
		return "open"
	case StateHalfOpen:
		return "half-open"
	}
	return "unknown"
}

// BreakerChange reports a breaker's change of state.
type BreakerChange struct {
	// Host whose breaker changed ("*" for the shared overflow breaker).
	Host     string
	From, To BreakerState
	At       time.Time
}

type outcome uint8

const (
	outcomeIgnore outcome = iota
	outcomeSuccess
	outcomeFailure
)

// breaker opens after threshold failures within window (a ring of the last threshold
// failure times), stays open for openFor, then lets up to successThreshold probes
// through; that many successes close it, one failure reopens it.
type breaker struct {
	host string
	p    BreakerPolicy
	clk  clock.Clock
	onCh func(BreakerChange)

	mu        sync.Mutex
	state     BreakerState
	failures  []time.Time // ring
	next      int
	count     int
	openUntil time.Time
	probes    int // in flight while half-open
	successes int
}

func newBreaker(host string, p BreakerPolicy, clk clock.Clock, onCh func(BreakerChange)) *breaker {
	return &breaker{host: host, p: p, clk: clk, onCh: onCh, failures: make([]time.Time, p.FailureThreshold)}
}

// allow decides whether an attempt may go. probe reports a half-open probe, which
// must be passed back to done.
func (b *breaker) allow() (probe bool, err error) {
	b.mu.Lock()
	if b.state == StateClosed {
		b.mu.Unlock()
		return false, nil
	}
	now := b.clk.Now()
	var ch *BreakerChange
	if b.state == StateOpen {
		if now.Before(b.openUntil) {
			b.mu.Unlock()
			return false, errCircuitOpen
		}
		ch = b.setState(StateHalfOpen, now)
	}
	if b.probes >= b.p.SuccessThreshold {
		b.mu.Unlock()
		b.report(ch)
		return false, errCircuitOpen
	}
	b.probes++
	b.mu.Unlock()
	b.report(ch)
	return true, nil
}

// done records an attempt's outcome.
func (b *breaker) done(probe bool, o outcome) {
	if !probe && o != outcomeFailure {
		return // a success or an ignored outcome in the closed state changes nothing
	}
	now := b.clk.Now()
	b.mu.Lock()
	var ch *BreakerChange
	if probe && b.state == StateHalfOpen {
		b.probes--
		switch o {
		case outcomeSuccess:
			b.successes++
			if b.successes >= b.p.SuccessThreshold {
				ch = b.setState(StateClosed, now)
			}
		case outcomeFailure:
			ch = b.trip(now)
		}
	} else if b.state == StateClosed && o == outcomeFailure {
		b.failures[b.next] = now
		b.next = (b.next + 1) % len(b.failures)
		if b.count < len(b.failures) {
			b.count++
		}
		// the oldest of the last threshold failures is at b.next once the ring is full
		if b.count == len(b.failures) && now.Sub(b.failures[b.next]) <= b.p.Window {
			ch = b.trip(now)
		}
	}
	b.mu.Unlock()
	b.report(ch)
}

func (b *breaker) trip(now time.Time) *BreakerChange {
	b.openUntil = now.Add(b.p.OpenFor)
	return b.setState(StateOpen, now)
}

// setState must be called with mu held; it resets the counters of the new state.
func (b *breaker) setState(s BreakerState, now time.Time) *BreakerChange {
	if s == b.state {
		return nil
	}
	from := b.state
	b.state = s
	b.probes, b.successes = 0, 0
	if s == StateClosed {
		b.count, b.next = 0, 0
	}
	if b.onCh == nil {
		return nil
	}
	return &BreakerChange{Host: b.host, From: from, To: s, At: now}
}

func (b *breaker) report(ch *BreakerChange) {
	if ch != nil {
		b.onCh(*ch)
	}
}

// State returns the breaker's state now (an open breaker whose time is up reports
// half-open).
func (b *breaker) current() BreakerState {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == StateOpen && !now.Before(b.openUntil) {
		return StateHalfOpen
	}
	return b.state
}

// breakers is the keyed registry: one breaker per host, bounded.
type breakers struct {
	p    BreakerPolicy
	clk  clock.Clock
	onCh func(BreakerChange)

	mu       sync.RWMutex
	byHost   map[string]*breaker
	overflow *breaker
}

func newBreakers(p BreakerPolicy, clk clock.Clock, onCh func(BreakerChange)) *breakers {
	if p.MaxHosts <= 0 {
		p.MaxHosts = 256
	}
	return &breakers{p: p, clk: clk, onCh: onCh, byHost: make(map[string]*breaker),
		overflow: newBreaker("*", p, clk, onCh)}
}

func (r *breakers) get(host string) *breaker {
	r.mu.RLock()
	b, ok := r.byHost[host]
	r.mu.RUnlock()
	if ok {
		return b
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.byHost[host]; ok {
		return b
	}
	if len(r.byHost) >= r.p.MaxHosts {
		return r.overflow
	}
	b = newBreaker(host, r.p, r.clk, r.onCh)
	r.byHost[host] = b
	return b
}

func (r *breakers) states() map[string]BreakerState {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]BreakerState, len(r.byHost))
	for h, b := range r.byHost {
		out[h] = b.current()
	}
	return out
}
