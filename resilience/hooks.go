package resilience

import (
	"net/http"
	"time"
)

// Hooks receive observations for metrics and traces. Every field is optional; hooks
// run synchronously on the calling goroutine, so they must be fast and safe for
// concurrent use. No hook ever sees a query value, header or body.
type Hooks struct {
	// OnAttempt is called after each attempt.
	OnAttempt func(AttemptInfo)
	// OnRetry is called before waiting for a retry.
	OnRetry func(RetryInfo)
	// OnBreakerChange is called when a host's breaker changes state.
	OnBreakerChange func(BreakerChange)
	// OnLimiterWait is called when the rate limiter delayed or refused an attempt.
	OnLimiterWait func(LimiterWait)
	// OnCall is called once per call, after its last attempt.
	OnCall func(CallInfo)
}

// AttemptInfo describes one attempt.
type AttemptInfo struct {
	Method, Host, Route string
	// Attempt is 1 for the first attempt.
	Attempt int
	// StatusCode is 0 when the attempt got no response.
	StatusCode int
	// Err is the attempt's error, if any.
	Err      error
	Duration time.Duration
}

// RetryInfo describes a retry about to happen.
type RetryInfo struct {
	Method, Host, Route string
	// Attempt is the attempt that failed (1 for the first).
	Attempt    int
	StatusCode int
	Err        error
	// Wait is how long the client waits before the next attempt.
	Wait time.Duration
	// RetryAfter is the server's hint, if any.
	RetryAfter time.Duration
}

// LimiterWait describes a rate-limiter decision that was not an instant grant.
type LimiterWait struct {
	Host, Route string
	Waited      time.Duration
	// Err is set when the limiter refused.
	Err error
}

// CallInfo describes a finished call.
type CallInfo struct {
	Method, Host, Route string
	Attempts            int
	// Sent is how many requests reached the network: attempts the breaker, limiter
	// or bulkhead stopped are not in it, and net/http's own re-sends on a dead reused
	// connection are (see [CallError.Sent]).
	Sent       int
	StatusCode int
	Err        error
	Duration   time.Duration
	// Cache is "hit" or "stale" when the response came from the cache, else "".
	Cache string
}

func cacheState(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Header.Get(CacheHeader)
}
