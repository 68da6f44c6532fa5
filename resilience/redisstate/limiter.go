package redisstate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/clock"
	"github.com/dispatchcenter/connectors/resilience"
)

// LimiterConfig configures [NewLimiter].
type LimiterConfig struct {
	// Name identifies the budget in Redis (e.g. "maddenco:<key id>"), shared by every
	// replica using the same name.
	Name string
	// Requests allowed per Per. In GCRA mode Burst of them may go at once and the rest
	// refill evenly, so that no window of length Per ever holds more than Requests
	// (unlike a rate of Requests/Per with a burst of Requests, which admits about
	// twice the budget in the first window).
	Requests int
	Per      time.Duration
	Burst    int
	// FixedWindow counts calendar windows of Per (e.g. clock hours) instead, for
	// vendors that reset their count on the hour.
	FixedWindow bool
	// Replicas is how many processes share the budget: when Redis is unreachable,
	// each falls back to a local limit of Requests/Replicas (default 1).
	Replicas int
	// FailClosed refuses every request while Redis is unreachable (an error matching
	// connectors.ErrRateLimited) instead of falling back to the local share.
	FailClosed bool
	// Clock tells the time and sleeps (tests); the time sent to Redis is this clock's,
	// so replicas' clocks should agree (NTP): skew uses up headroom.
	Clock clock.Clock
	Options
}

// Limiter is a resilience.Limiter whose budget lives in Redis. It is safe for
// concurrent use.
type Limiter struct {
	rdb      redis.UniversalClient
	cfg      LimiterConfig
	key      string
	interval time.Duration // GCRA emission interval
	tau      time.Duration // GCRA tolerance: (burst-1) intervals
	fallback resilience.Limiter
	clk      clock.Clock
}

// NewLimiter returns a limiter over rdb.
func NewLimiter(rdb redis.UniversalClient, cfg LimiterConfig) (*Limiter, error) {
	switch {
	case cfg.Name == "":
		return nil, errors.New("redisstate: a limiter needs a Name")
	case cfg.Requests <= 0 || cfg.Per <= 0:
		return nil, errors.New("redisstate: a limiter needs Requests and Per")
	case cfg.Burst < 0 || cfg.Burst > cfg.Requests:
		return nil, errors.New("redisstate: Burst must be between 0 and Requests")
	}
	if cfg.Burst == 0 {
		cfg.Burst = 1
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	l := &Limiter{rdb: rdb, cfg: cfg, key: cfg.key("limit", cfg.Name), clk: cfg.Clock}
	refill := cfg.Requests - cfg.Burst
	if refill <= 0 {
		refill = 1
	}
	l.interval = cfg.Per / time.Duration(refill)
	l.tau = time.Duration(cfg.Burst-1) * l.interval
	local := max(1, cfg.Requests/cfg.Replicas)
	l.fallback = resilience.NewTokenBucket(resilience.LimitPolicy{Requests: local, Per: cfg.Per, Burst: max(1, min(cfg.Burst/cfg.Replicas, local))}, cfg.Clock)
	return l, nil
}

// gcra admits one request at now (ms) if the theoretical arrival time allows it;
// otherwise it returns how long to wait. The key expires when the bucket is full again.
var gcra = redis.NewScript(`
local key = KEYS[1]
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tau = tonumber(ARGV[3])
local tat = tonumber(redis.call("GET", key) or now)
if tat < now then tat = now end
local allow_at = tat - tau
if now < allow_at then
  return allow_at - now
end
local new_tat = tat + interval
redis.call("SET", key, new_tat, "PX", math.max(1, math.ceil(new_tat - now)))
return 0
`)

// window admits one request in the fixed window starting at ARGV[1] if fewer than
// ARGV[2] went in it; otherwise it returns the ms until the next window.
var window = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[3]) end
if n > tonumber(ARGV[2]) then
  redis.call("DECR", KEYS[1])
  return tonumber(ARGV[4])
end
return 0
`)

// Wait blocks until one request may be sent under the shared budget, or fails with
// connectors.ErrRateLimited when it could not be before the context's deadline.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		wait, err := l.reserve(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if l.cfg.FailClosed {
				return fmt.Errorf("redisstate: %w: the shared limiter is unreachable: %w", connectors.ErrRateLimited, err)
			}
			l.cfg.log().Warn("redisstate: the shared limiter is unreachable; using the local share of the budget",
				"limiter", l.cfg.Name, "error", err)
			return l.fallback.Wait(ctx)
		}
		if wait <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && l.clk.Now().Add(wait).After(dl) {
			return fmt.Errorf("redisstate: %w: the shared budget frees up in %s, after the deadline (%w)", connectors.ErrRateLimited, wait, resilience.ErrRejected)
		}
		if err := l.clk.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func (l *Limiter) reserve(ctx context.Context) (time.Duration, error) {
	now := l.clk.Now()
	ms := func(d time.Duration) int64 { return int64(math.Ceil(float64(d) / float64(time.Millisecond))) }
	if l.cfg.FixedWindow {
		start := now.Truncate(l.cfg.Per)
		next := start.Add(l.cfg.Per).Sub(now)
		key := l.key + ":" + fmt.Sprint(start.UnixMilli())
		n, err := window.Run(ctx, l.rdb, []string{key}, start.UnixMilli(), l.cfg.Requests, ms(l.cfg.Per)+1000, max(1, ms(next))).Int64()
		return time.Duration(n) * time.Millisecond, err
	}
	n, err := gcra.Run(ctx, l.rdb, []string{l.key}, now.UnixMilli(), ms(l.interval), ms(l.tau)).Int64()
	return time.Duration(n) * time.Millisecond, err
}
