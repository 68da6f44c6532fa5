package resilience

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dispatchcenter/connectors/clock"
)

// Limiter grants permission to send one request. Implementations must be safe for
// concurrent use. The in-process [TokenBucket] is the default; a limiter shared by
// several replicas (a vendor's quota is per key, not per process) plugs in through
// [WithLimiter].
type Limiter interface {
	// Wait blocks until one request may be sent. It returns an error matching
	// connectors.ErrRateLimited and ErrRejected when the request may not be sent in
	// time (or at once, for a fail-fast limiter), or the context's error.
	Wait(ctx context.Context) error
}

// TokenBucket is a [Limiter] on golang.org/x/time/rate. It never waits past the
// context's deadline: a wait that would cross it fails at once.
type TokenBucket struct {
	// mu orders the times given to lim: rate.Limiter treats a time earlier than its
	// last one as a new start and would refill twice, so a caller whose reading of
	// the clock is older than the last one used is given that one instead.
	mu       sync.Mutex
	last     time.Time
	lim      *rate.Limiter
	clk      clock.Clock
	failFast bool
}

// NewTokenBucket returns a limiter for p (p.Requests must be positive).
func NewTokenBucket(p LimitPolicy, clk clock.Clock) *TokenBucket {
	if clk == nil {
		clk = clock.Real{}
	}
	burst := p.Burst
	if burst < 1 {
		burst = 1
	}
	refill := p.Requests - burst
	if refill < 1 {
		refill = 1
	}
	r := rate.Limit(float64(refill) / p.Per.Seconds())
	tb := &TokenBucket{lim: rate.NewLimiter(r, burst), clk: clk, failFast: p.FailFast}
	// start from the clock's time so a fake clock sees a full bucket
	tb.lim.AllowN(tb.at(clk.Now()), 0)
	return tb
}

// Wait implements [Limiter].
func (t *TokenBucket) Wait(ctx context.Context) error {
	_, err := t.wait(ctx)
	return err
}

// wait is Wait, and says how long it waited (for [Hooks.OnLimiterWait]).
func (t *TokenBucket) wait(ctx context.Context) (time.Duration, error) {
	r, d, err := t.reserve(ctx)
	if err != nil || d <= 0 {
		return 0, err
	}
	if err := t.clk.Sleep(ctx, d); err != nil {
		t.cancel(r)
		return 0, err
	}
	return d, nil
}

// at orders now after the last time given to the limiter (t.mu held).
func (t *TokenBucket) at(now time.Time) time.Time {
	if now.Before(t.last) {
		return t.last
	}
	t.last = now
	return now
}

// reserve takes one token and returns how long to wait for it; a wait the limiter
// may not make is cancelled.
func (t *TokenBucket) reserve(ctx context.Context) (*rate.Reservation, time.Duration, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.at(t.clk.Now())
	r := t.lim.ReserveN(now, 1)
	if !r.OK() {
		return nil, 0, errLimitFast
	}
	d := r.DelayFrom(now)
	switch {
	case d <= 0:
		return r, 0, nil
	case t.failFast:
		r.CancelAt(now)
		return nil, 0, errLimitFast
	}
	if dl, ok := ctx.Deadline(); ok && d > time.Until(dl) { // a context deadline is real time
		r.CancelAt(now)
		return nil, 0, errLimitWait
	}
	return r, d, nil
}

func (t *TokenBucket) cancel(r *rate.Reservation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r.CancelAt(t.at(t.clk.Now()))
}

// Tokens returns the tokens available now (negative when callers are queued).
func (t *TokenBucket) Tokens() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lim.TokensAt(t.clk.Now())
}

// AllOf returns a [Limiter] that waits on each of ls in turn, for vendors with more
// than one window (Dayforce's example: 10 per second and 100 per minute). A grant
// taken from an earlier limiter is not returned when a later one refuses, so AllOf
// errs on the side of sending less.
func AllOf(ls ...Limiter) Limiter {
	if len(ls) == 1 {
		return ls[0]
	}
	return allOf(ls)
}

type allOf []Limiter

func (a allOf) Wait(ctx context.Context) error {
	for _, l := range a {
		if err := l.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
