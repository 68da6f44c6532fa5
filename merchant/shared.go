package merchant

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// IdempotencyStore shares the outcome of a mutating call made with the caller's
// idempotency key ([WithIdempotencyKey]) between processes: the same call repeated
// from another replica gets the first outcome without reaching the gateway, and waits
// while the first is still in flight. The gateway's own idempotency stays the last
// line; the store makes a repeat cheap and keeps it off the gateway.
type IdempotencyStore interface {
	// Begin claims key for a call in flight for at most ttl. When a call has finished
	// under key it returns that call's outcome (found); when one is in flight it
	// waits for it, until ctx ends.
	Begin(ctx context.Context, key string, ttl time.Duration) (outcome []byte, found bool, err error)
	// Finish stores the outcome of the call that claimed key, kept for keep.
	Finish(ctx context.Context, key string, outcome []byte, keep time.Duration) error
	// Abort releases the claim of a call that ended without an outcome, so that a
	// later try runs.
	Abort(ctx context.Context, key string) error
}

// How long a shared claim and outcome are kept: the in-flight claim outlives the
// Critical policy's worst case (its call budget: 6 attempts of 30 s and 60 s of
// waits), the outcome the gateway's 24 hours.
const (
	sharedClaimTTL = 5 * time.Minute
	sharedKeep     = 24 * time.Hour
)

// WithIdempotencyStore shares the outcomes of calls made with the caller's keys (see
// [IdempotencyStore]); resilience/redisstate has a Redis one.
func WithIdempotencyStore(s IdempotencyStore) Option {
	return Option{func(o *connector.Options) { o.Extra = append(o.Extra, s) }}
}

// shared runs call once per caller key across the processes sharing c's store. A
// store that fails is logged and bypassed: the gateway's idempotency still holds.
func shared[T any](ctx context.Context, c *Client, op string, opts []CallOption, call func() (T, error)) (T, error) {
	o := applyCallOptions(opts)
	if c.store == nil || o.key == "" {
		return call()
	}
	key := "merchant/" + op + "/" + o.key
	out, found, err := c.store.Begin(ctx, key, sharedClaimTTL)
	switch {
	case err != nil:
		c.log.Warn("merchant: the idempotency store failed; relying on the gateway's idempotency", "operation", op, "error", err)
		return call()
	case found:
		var v T
		if err := json.Unmarshal(out, &v); err == nil {
			return v, nil
		}
		c.log.Warn("merchant: a stored outcome did not decode; calling the gateway", "operation", op)
		return call()
	}
	v, err := call()
	if err != nil {
		if aerr := c.store.Abort(context.WithoutCancel(ctx), key); aerr != nil {
			c.log.Warn("merchant: releasing an idempotency claim failed", "operation", op, "error", aerr)
		}
		return v, err
	}
	b, _ := json.Marshal(v)
	if ferr := c.store.Finish(context.WithoutCancel(ctx), key, b, sharedKeep); ferr != nil {
		c.log.Warn("merchant: storing an outcome failed", "operation", op, "error", ferr)
	}
	return v, nil
}
