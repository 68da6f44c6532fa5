// Package resilience wraps outbound HTTP calls in composable policies — retry with
// backoff, a per-host circuit breaker, a rate limiter, call and attempt timeouts, a
// bulkhead, and a response cache with stale fallback — built on
// github.com/hashicorp/go-retryablehttp. It is usable without any connector.
//
// # Presets
//
// The dispatch center's integration design defines three policies, available as [Critical] (reach,
// merchant: 5 retries, exponential full-jitter backoff from 2 s capped at 30 s),
// [Standard] (maddenco, dayforce, geotab: 3 retries, linear 5 s) and [Monitoring]
// (treadnet: 2 retries, fixed 10 s). All three use the integration design's breaker (open after 5
// failed calls within 5 minutes, for 60 s; close after 3 successful probes; a call
// counts once however many of its attempts failed), its 30 s request timeout for each
// attempt, and a call timeout that leaves room for every attempt and wait
// ([CallBudget]), so the last retry always runs. Every field can be overridden.
//
// # Layers
//
// Once per call, outside the retry loop: the cache lookup, the call timeout, the
// bulkhead and the per-call state. Inside go-retryablehttp's loop, CheckRetry decides
// and waits (it is the only hook that sees both the context and the error): it retries
// connection errors and 408, 429, 500, 502, 503, 504; it retries POST and PATCH only
// when the request carries an Idempotency-Key, is marked with [Idempotent], or
// provably never left the machine ([NotSent]); it treats Retry-After (seconds or HTTP
// date) as a floor under the backoff and fails fast with [ErrRetryAfterTooLong] when the
// hint is beyond the cap; and it never starts a wait that would end past the deadline.
// Once per attempt, as a RoundTripper chain: the host's breaker, the limiter, the
// attempt timeout (which stops at the response headers and never cuts off a body being
// read), then the caller's middleware (auth, User-Agent) and the pooled base transport.
//
// # How go-retryablehttp is used
//
// go-retryablehttp runs the retry loop, replays request bodies and drains the bodies
// of answers that are retried. This package sets five fields of its Client and the
// request's ResponseHandler, nothing else.
// CheckRetry ([Client] method checkRetry) classifies each attempt, counts attempts per
// call, honours Retry-After and waits the backoff itself, because it is the only hook
// that sees both the context and the error (so no wait runs past a deadline).
// Backoff therefore returns 0. RetryMax is unbounded, since the per-call limit is
// enforced in CheckRetry (calls may override it). ErrorHandler passes the last
// response and error through unchanged, so that [Client.Do] builds its [*CallError]
// itself. The HTTPClient's transport is the per-attempt chain; a connector's response
// check (a vendor that reports errors inside a 200) is the request's ResponseHandler.
//
// Local rejections (breaker open, limiter, bulkhead) match [ErrRejected] and the
// sentinels of package connectors, and are never retried. Every failure is a
// [*CallError] that keeps the attempt count and the last response (status, headers,
// the first 8 KiB of the body).
//
// # Observability
//
// [Hooks] report attempts, retries, breaker changes, limiter waits and finished calls;
// a logger given with [WithLogger] receives redacted records (query values, secrets and
// card numbers never appear); without one the client is silent. [Client.Health] returns
// a snapshot classified with the integration design's alert thresholds.
//
// # Time
//
// Every wait goes through a [Clock], injectable with [WithClock], so tests of
// 30-second backoffs and 60-second breaker windows take microseconds. On the real
// clock, deadlines, windows and latencies read only the monotonic clock.
//
// # Deadlines
//
// The call timeout is context.WithTimeout on the request's context (the caller's
// deadline still holds when it comes first), released when the response body is
// closed. The attempt timeout gives each attempt a child context that a timer cancels
// until the response headers arrive; the call's context, and so the retries, go on.
//
// # Cost
//
// Against an in-memory transport, the chain (retry, breaker, limiter, bulkhead) costs
// about 3 µs and 10 allocations per call above plain go-retryablehttp, a call timeout
// about 1.5 µs more, an attempt timeout about 2 µs more: under 5 % of a loopback GET.
// The benchmarks module (internal/benchmarks) measures it against go-retryablehttp,
// bare net/http and failsafe-go.
package resilience
