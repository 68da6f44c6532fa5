package resilience

import (
	"context"
	"net/http"
)

// Telemetry instruments a client, and the connector above it, for tracing and
// metrics. Package github.com/dispatchcenter/connectors/otel implements it on
// OpenTelemetry; it is a module of its own, so that this one stays free of it.
type Telemetry interface {
	// Operation starts one operation of a connector (system "reach", operation
	// "POST /api/servicerequests" or "GetFeed LogRecord"): the context it returns
	// carries the operation to the calls made with it, and end records how it ended.
	Operation(ctx context.Context, system, operation string) (context.Context, func(OperationEnd))
	// Transport wraps the transport that sends each attempt, outside the attempt
	// middleware (auth, User-Agent): it sees every attempt, retries included, and
	// may add headers (trace context) to a copy of the request.
	Transport(next http.RoundTripper) http.RoundTripper
	// Hooks observe retries, breaker changes, limiter waits and finished calls,
	// alongside the hooks of [WithHooks].
	Hooks() Hooks
}

// OperationEnd is how an operation ended, for [Telemetry.Operation].
type OperationEnd struct {
	// StatusCode is the last answer's status, 0 when none came.
	StatusCode int
	// Attempts is the number of attempts of its calls.
	Attempts int
	// Err is the operation's error (redacted), nil on success.
	Err error
	// Breaker is the state of the vendor host's breaker when it ended.
	Breaker BreakerState
	// IdempotencyKey reports whether the operation carried an idempotency key
	// (never the key).
	IdempotencyKey bool
}

// WithTelemetry instruments the client with t: t's Transport wraps every attempt
// and t's Hooks run with those of [WithHooks].
func WithTelemetry(t Telemetry) Option { return func(o *options) { o.telemetry = t } }

// Telemetry returns the client's telemetry, nil when it has none.
func (c *Client) Telemetry() Telemetry { return c.telemetry }

// CallAttempt reports, to the attempt middleware and the telemetry's transport,
// the route of the call a request belongs to (see [Route]) and which attempt it is
// (1 for the first); ok is false for a request that is not a client's attempt.
func CallAttempt(ctx context.Context) (route string, attempt int, ok bool) {
	st := stateFrom(ctx)
	if st == nil {
		return "", 0, false
	}
	return st.route, st.attempts + 1, true
}

// join returns hooks that call a's hook, then b's, for each observation.
func join(a, b Hooks) Hooks {
	return Hooks{
		OnAttempt:       both(a.OnAttempt, b.OnAttempt),
		OnRetry:         both(a.OnRetry, b.OnRetry),
		OnBreakerChange: both(a.OnBreakerChange, b.OnBreakerChange),
		OnLimiterWait:   both(a.OnLimiterWait, b.OnLimiterWait),
		OnCall:          both(a.OnCall, b.OnCall),
	}
}

func both[T any](f, g func(T)) func(T) {
	switch {
	case f == nil:
		return g
	case g == nil:
		return f
	}
	return func(v T) { f(v); g(v) }
}
