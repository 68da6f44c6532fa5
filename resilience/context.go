package resilience

import (
	"context"
	"time"
)

// IdempotencyKeyHeader is the header whose presence makes a POST or PATCH safe to
// retry (draft-ietf-httpapi-idempotency-key-header). Connectors that need one set it
// once per logical call, so every retry carries the same key.
const IdempotencyKeyHeader = "Idempotency-Key"

type overridesKey struct{}

// overrides are per-call settings carried in the request context.
type overrides struct {
	idempotent    bool
	noRetry       bool
	maxRetriesSet bool
	maxRetries    int
	timeoutSet    bool
	timeout       time.Duration
	cacheTTLSet   bool
	cacheTTL      time.Duration
	route         string
}

func overridesFrom(ctx context.Context) *overrides {
	o, _ := ctx.Value(overridesKey{}).(*overrides)
	return o
}

func withOverride(ctx context.Context, f func(*overrides)) context.Context {
	o := &overrides{}
	if prev := overridesFrom(ctx); prev != nil {
		*o = *prev
	}
	f(o)
	return context.WithValue(ctx, overridesKey{}, o)
}

// Idempotent marks the calls made with ctx as safe to retry whatever their method,
// for vendors whose POST operations are idempotent by contract.
func Idempotent(ctx context.Context) context.Context {
	return withOverride(ctx, func(o *overrides) { o.idempotent = true })
}

// NoRetry turns retries off for the calls made with ctx.
func NoRetry(ctx context.Context) context.Context {
	return withOverride(ctx, func(o *overrides) { o.noRetry = true })
}

// LimitRetries overrides the policy's MaxRetries for the calls made with ctx.
func LimitRetries(ctx context.Context, n int) context.Context {
	return withOverride(ctx, func(o *overrides) { o.maxRetriesSet, o.maxRetries = true, n })
}

// CallTimeout overrides the policy's call Timeout for the calls made with ctx (0
// removes it; the context's own deadline still holds).
func CallTimeout(ctx context.Context, d time.Duration) context.Context {
	return withOverride(ctx, func(o *overrides) { o.timeoutSet, o.timeout = true, d })
}

// CacheFor overrides the cache TTL of the GET calls made with ctx (negative: do
// not cache).
func CacheFor(ctx context.Context, ttl time.Duration) context.Context {
	return withOverride(ctx, func(o *overrides) { o.cacheTTLSet, o.cacheTTL = true, ttl })
}

// Route names the operation of the calls made with ctx ("GetDevices"); hooks and
// logs report it instead of the URL path, which may hold identifiers.
func Route(ctx context.Context, route string) context.Context {
	return withOverride(ctx, func(o *overrides) { o.route = route })
}
