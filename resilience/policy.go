package resilience

import (
	"errors"
	"fmt"
	"time"
)

// Policy configures every layer of a [Client]. Start from a preset ([Critical],
// [Standard], [Monitoring]) and override fields; the zero value of a layer's policy
// turns that layer off (except Retry, whose zero value means "no retries").
type Policy struct {
	// Retry decides how often and how long to wait between attempts.
	Retry RetryPolicy
	// Breaker configures the per-host circuit breaker.
	Breaker BreakerPolicy
	// Limit configures the client-wide rate limiter (off when Requests is 0). A
	// limiter given with [WithLimiter] replaces it.
	Limit LimitPolicy
	// Bulkhead bounds concurrent calls (off when MaxConcurrent is 0).
	Bulkhead BulkheadPolicy
	// Timeout bounds a whole call, retries, waits and reading the body included
	// (like http.Client.Timeout). 0 means no bound beyond the caller's context.
	Timeout time.Duration
	// AttemptTimeout bounds each attempt until its response headers arrive; it never
	// cuts off a body that is being read. 0 means no per-attempt bound.
	AttemptTimeout time.Duration
	// Cache configures the GET response cache and stale fallback (off when
	// MaxEntries is 0).
	Cache CachePolicy
	// Thresholds classify [Client.Health].
	Thresholds HealthThresholds
}

// RetryPolicy says which failures are retried, how often and after which waits.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt (5 means up to 6
	// attempts). 0 disables retries.
	MaxRetries int
	// Backoff computes the wait before each retry. Nil means no wait.
	Backoff Backoff
	// MaxRetryAfter caps a server's Retry-After hint: a longer hint fails the call at
	// once with [ErrRetryAfterTooLong] instead of sleeping. 0 means 30 seconds.
	MaxRetryAfter time.Duration
	// RetryableStatus lists the HTTP statuses that are retried. Nil means 408, 429,
	// 500, 502, 503 and 504.
	RetryableStatus []int
}

// BreakerPolicy configures the circuit breaker kept for each host.
type BreakerPolicy struct {
	// FailureThreshold failed calls within Window open the breaker. A call counts
	// once, however many of its attempts failed: one call retried to its end does not
	// open the breaker that guards its own retries. 0 disables breakers.
	FailureThreshold int
	// Window is the span in which FailureThreshold failures must fall.
	Window time.Duration
	// OpenFor is how long the breaker stays open before letting probes through.
	OpenFor time.Duration
	// SuccessThreshold consecutive successful probes close it again; it is also the
	// number of probes allowed in flight while half-open.
	SuccessThreshold int
	// MaxHosts bounds how many hosts get their own breaker; further hosts share one.
	// 0 means 256.
	MaxHosts int
}

// LimitPolicy configures a token-bucket rate limit: at most Requests per Per in any
// window of that length, Burst included (the refill rate is (Requests-Burst)/Per, so
// a full bucket plus a window's refill never exceeds Requests).
type LimitPolicy struct {
	// Requests allowed per Per. 0 disables the limiter.
	Requests int
	// Per is the window the vendor counts in (e.g. time.Hour).
	Per time.Duration
	// Burst is how many requests may go at once after a quiet period; 0 means 1.
	Burst int
	// FailFast makes a call that would have to wait fail at once with
	// [connectors.ErrRateLimited] instead; by default it waits, never past its deadline.
	FailFast bool
}

// BulkheadPolicy bounds how many calls may be in flight at once.
type BulkheadPolicy struct {
	// MaxConcurrent calls in flight; 0 disables the bulkhead.
	MaxConcurrent int
	// MaxWait is how long a call waits for a free slot (never past its deadline)
	// before failing with [connectors.ErrBulkheadFull]; 0 fails at once.
	MaxWait time.Duration
}

// CacheRoute sets the cache TTL for URL paths that start with Prefix.
type CacheRoute struct {
	// Prefix of the URL path, e.g. "/Api/acme/V1/Employees".
	Prefix string
	// TTL of fresh entries; a negative TTL disables caching for the route.
	TTL time.Duration
}

// CachePolicy configures the bounded GET response cache, which also serves the last
// good response, marked stale, when a call fails or the breaker is open.
type CachePolicy struct {
	// MaxEntries bounds the store (least recently used entries go first); 0
	// disables the cache and the stale fallback.
	MaxEntries int
	// TTL for GET responses whose path matches no route. 0 means such responses are
	// kept for the stale fallback only, never served fresh.
	TTL time.Duration
	// Routes override TTL by path prefix; the longest matching prefix wins.
	Routes []CacheRoute
	// StaleFor is how long after its expiry an entry may still be served as a stale
	// fallback; 0 means 24 hours.
	StaleFor time.Duration
	// MaxBodyBytes bounds the body of a response that is cached; 0 means 1 MiB.
	MaxBodyBytes int64
}

// Cache TTLs from the integration design's caching strategy, for [CacheRoute] and [CachePolicy].
const (
	// CacheTTLAPI is for ordinary API responses.
	CacheTTLAPI = 5 * time.Minute
	// CacheTTLEmployee is for employee data.
	CacheTTLEmployee = time.Hour
	// CacheTTLCalendar is for calendars and schedules.
	CacheTTLCalendar = 24 * time.Hour
)

// The integration design's breaker: opens after 5 failures within 5 minutes, stays open 60 s,
// closes after 3 successes.
func seedBreaker() BreakerPolicy {
	return BreakerPolicy{FailureThreshold: 5, Window: 5 * time.Minute, OpenFor: 60 * time.Second, SuccessThreshold: 3}
}

// DefaultTimeout is the integration design's request timeout: the presets bound each
// attempt with it ([Policy.AttemptTimeout]).
const DefaultTimeout = 30 * time.Second

// preset builds a preset policy: each attempt bounded by [DefaultTimeout], and the
// whole call by [CallBudget], so that the last retry always has its full time.
func preset(r RetryPolicy) Policy {
	return Policy{
		Retry:          r,
		Breaker:        seedBreaker(),
		AttemptTimeout: DefaultTimeout,
		Timeout:        CallBudget(r, DefaultTimeout),
		Thresholds:     DefaultThresholds(),
	}
}

// CallBudget is the longest a call under r can take when every attempt runs for its
// whole attempt timeout: MaxRetries+1 attempts plus the longest backoff wait before
// each retry. The presets use it as their [Policy.Timeout]; set it again after
// changing a preset's Retry or AttemptTimeout. A Retry-After hint longer than the
// backoff can still meet the call's deadline; the retry loop then gives up rather
// than wait past it.
func CallBudget(r RetryPolicy, attempt time.Duration) time.Duration {
	budget := time.Duration(r.MaxRetries+1) * attempt
	if r.Backoff != nil {
		for n := 1; n <= r.MaxRetries; n++ {
			budget += r.Backoff.Delay(n, 1)
		}
	}
	return budget
}

// Critical is the policy of the systems the dispatch center cannot work without
// (reach, merchant), the integration design's "critical systems": 5 retries with
// exponential full-jitter backoff from 2 s capped at 30 s (at most 2 + 4 + 8 + 16 +
// 30 s); the integration design's breaker; 30 s per attempt and 240 s per call
// ([CallBudget]).
func Critical() Policy {
	return preset(RetryPolicy{MaxRetries: 5, Backoff: Exponential{Base: 2 * time.Second, Cap: 30 * time.Second}})
}

// Standard is the policy of the business systems (maddenco, dayforce, geotab): 3
// retries with a linear 5 s backoff (5 s, 10 s, 15 s); the integration design's
// breaker; 30 s per attempt and 150 s per call ([CallBudget]).
func Standard() Policy {
	return preset(RetryPolicy{MaxRetries: 3, Backoff: Linear{Step: 5 * time.Second}})
}

// Monitoring is the policy of the monitoring systems (treadnet): 2 retries with a
// fixed 10 s wait; the integration design's breaker; 30 s per attempt and 110 s per
// call ([CallBudget]).
func Monitoring() Policy {
	return preset(RetryPolicy{MaxRetries: 2, Backoff: Fixed{Wait: 10 * time.Second}})
}

// Validate reports every problem with p at once.
func (p Policy) Validate() error {
	var errs []error
	neg := func(name string, d time.Duration) {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative (got %s)", name, d))
		}
	}
	if p.Retry.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("Retry.MaxRetries must not be negative (got %d)", p.Retry.MaxRetries))
	}
	neg("Retry.MaxRetryAfter", p.Retry.MaxRetryAfter)
	neg("Timeout", p.Timeout)
	neg("AttemptTimeout", p.AttemptTimeout)
	if p.Timeout > 0 && p.AttemptTimeout > p.Timeout {
		errs = append(errs, fmt.Errorf("AttemptTimeout (%s) must not exceed Timeout (%s)", p.AttemptTimeout, p.Timeout))
	}
	if b := p.Breaker; b.FailureThreshold != 0 {
		if b.FailureThreshold < 0 || b.Window <= 0 || b.OpenFor <= 0 || b.SuccessThreshold <= 0 {
			errs = append(errs, errors.New("breaker needs FailureThreshold, Window, OpenFor and SuccessThreshold all positive"))
		}
	}
	if l := p.Limit; l.Requests != 0 {
		if l.Requests < 0 || l.Per <= 0 || l.Burst < 0 || l.Burst >= l.Requests && l.Requests > 1 {
			errs = append(errs, fmt.Errorf("limit needs Requests > 0, Per > 0 and 0 <= Burst < Requests (got %d per %s, burst %d)", l.Requests, l.Per, l.Burst))
		}
	}
	if p.Bulkhead.MaxConcurrent < 0 {
		errs = append(errs, errors.New("bulkhead: MaxConcurrent must not be negative"))
	}
	neg("Bulkhead.MaxWait", p.Bulkhead.MaxWait)
	if p.Cache.MaxEntries < 0 {
		errs = append(errs, errors.New("cache: MaxEntries must not be negative"))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("resilience: invalid policy: %w", errors.Join(errs...))
}
