package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
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
	// each falls back to a local limit of Requests/Replicas in any window of Per
	// (default 1; see [Limiter] for when the local share starts).
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
//
// The vendor's budget holds in every window of Per, across a Redis pause, a kill and
// a restart that loses Redis's data:
//   - each limiter keeps the times of its own admissions over the last Per;
//   - while Redis is unreachable it admits locally, never more than its share
//     (Requests/Replicas) in any window of Per; with several replicas, only once a
//     whole Per has passed since Redis last answered, since until then the others'
//     use of the window is unknown (with one replica its own log is the whole story,
//     and it admits at once);
//   - what it admitted locally is charged to the shared budget when Redis answers
//     again, before anything else is admitted there;
//   - a Redis that lost its data (a restart without persistence) is recognised by an
//     epoch key gone missing under a limiter that knew it: a whole window is then
//     charged, since what went before the loss is unknown, so the budget resumes one
//     Per later.
type Limiter struct {
	rdb      redis.UniversalClient
	cfg      LimiterConfig
	key      string
	interval time.Duration // GCRA emission interval
	tau      time.Duration // GCRA tolerance: (burst-1) intervals
	clk      clock.Clock
	epoch    string // a new one, in case this limiter creates the epoch key

	mu      sync.Mutex
	log     []time.Time // own admissions of the last Per, oldest first
	pending int         // local admissions not yet charged to Redis
	known   string      // the epoch Redis had when it last answered
	lastOK  time.Time   // when Redis last answered (the limiter's start before that)
	down    bool        // Redis did not answer the last time
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
	var id [8]byte
	_, _ = rand.Read(id[:])
	l := &Limiter{rdb: rdb, cfg: cfg, key: cfg.key("limit", cfg.Name), clk: cfg.Clock, epoch: hex.EncodeToString(id[:])}
	l.lastOK = l.clk.Now()
	refill := cfg.Requests - cfg.Burst
	if refill <= 0 {
		refill = 1
	}
	l.interval = cfg.Per / time.Duration(refill)
	l.tau = time.Duration(cfg.Burst-1) * l.interval
	return l, nil
}

// epochCheck opens both scripts: KEYS[2] holds the budget's epoch, created with
// ARGV[1] when missing. Missing when the caller knew one (ARGV[2]) means Redis lost
// the budget (a restart without persistence): lost is then 1, and the script charges
// a whole window, since what was admitted before the loss is unknown.
const epochCheck = `
local ep = redis.call("GET", KEYS[2])
local lost = 0
if not ep then
  ep = ARGV[1]
  redis.call("SET", KEYS[2], ep)
  if ARGV[2] ~= "" then lost = 1 end
end
local charge = tonumber(ARGV[6]) + lost * tonumber(ARGV[7])
`

// gcra charges the requests admitted elsewhere (ARGV[6], and a whole window ARGV[7]
// after a loss), then admits one request at now (ms, ARGV[3]) if the theoretical
// arrival time allows it; otherwise it returns how long to wait. The key expires when
// the bucket is full again.
var gcra = redis.NewScript(epochCheck + `
local now = tonumber(ARGV[3])
local interval = tonumber(ARGV[4])
local tau = tonumber(ARGV[5])
local tat = tonumber(redis.call("GET", KEYS[1]) or now)
if tat < now then tat = now end
tat = tat + charge * interval
local wait = 0
if now < tat - tau then
  wait = tat - tau - now
else
  tat = tat + interval
end
redis.call("SET", KEYS[1], tat, "PX", math.max(1, math.ceil(tat - now)))
return {wait, ep}
`)

// window charges the requests admitted elsewhere to the fixed window KEYS[1], then
// admits one request if fewer than ARGV[7] went in it; otherwise it returns the ms
// until the next window (ARGV[5]). ARGV[3] and ARGV[4] are its start and lifetime.
var window = redis.NewScript(epochCheck + `
local n = redis.call("INCRBY", KEYS[1], charge + 1)
redis.call("PEXPIRE", KEYS[1], ARGV[4])
if n > tonumber(ARGV[7]) then
  redis.call("DECR", KEYS[1])
  return {tonumber(ARGV[5]), ep}
end
return {0, ep}
`)

// redisRetry is how often, at most, a limiter admitting locally asks Redis again.
const redisRetry = time.Second

// Wait blocks until one request may be sent under the shared budget, or fails with
// connectors.ErrRateLimited when it could not be before the context's deadline.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		wait, err := l.reserve(ctx)
		sleep := wait
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if l.cfg.FailClosed {
				return fmt.Errorf("redisstate: %w: the shared limiter is unreachable: %w", connectors.ErrRateLimited, err)
			}
			if l.markDown() {
				l.cfg.log().Warn("redisstate: the shared limiter is unreachable; using the local share of the budget",
					"limiter", l.cfg.Name, "error", err)
			}
			if wait = l.local(); wait <= 0 {
				return nil
			}
			sleep = min(wait, redisRetry) // Redis may be back before the local share frees up
		}
		if wait <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && l.clk.Now().Add(wait).After(dl) {
			return fmt.Errorf("redisstate: %w: the shared budget frees up in %s, after the deadline (%w)", connectors.ErrRateLimited, wait, resilience.ErrRejected)
		}
		if err := l.clk.Sleep(ctx, sleep); err != nil {
			return err
		}
	}
}

// markDown records that Redis did not answer and reports whether it answered the
// time before (one warning per outage).
func (l *Limiter) markDown() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	was := !l.down
	l.down = true
	return was
}

// recent drops the own admissions older than Per at now and returns how many remain
// (l.mu held).
func (l *Limiter) recent(now time.Time) int {
	i := 0
	for i < len(l.log) && now.Sub(l.log[i]) >= l.cfg.Per {
		i++
	}
	l.log = l.log[i:]
	return len(l.log)
}

// local admits one request on the local share, recording it, or returns how long to
// wait for the share to allow one.
func (l *Limiter) local() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clk.Now()
	share := l.cfg.Requests
	if l.cfg.Replicas > 1 {
		share = max(1, l.cfg.Requests/l.cfg.Replicas)
		if from := l.lastOK.Add(l.cfg.Per); now.Before(from) {
			return from.Sub(now) // the others' use of this window is unknown
		}
	}
	if n := l.recent(now); n >= share {
		return l.log[n-share].Add(l.cfg.Per).Sub(now)
	}
	l.log = append(l.log, now)
	l.pending++
	return 0
}

// reserve asks Redis for one request, charging what was admitted locally first.
func (l *Limiter) reserve(ctx context.Context) (time.Duration, error) {
	l.mu.Lock()
	now := l.clk.Now()
	// the charge is taken out of pending at once, so that concurrent callers do not
	// charge it twice; a failed call puts it back (a script that ran all the same
	// charges it twice, which errs on the safe side)
	charge, known := l.pending, l.known
	l.pending = 0
	l.mu.Unlock()
	ms := func(d time.Duration) int64 { return int64(math.Ceil(float64(d) / float64(time.Millisecond))) }
	var res []any
	var err error
	if l.cfg.FixedWindow {
		start := now.Truncate(l.cfg.Per)
		key := l.key + ":" + fmt.Sprint(start.UnixMilli())
		res, err = window.Run(ctx, l.rdb, []string{key, l.key + ":epoch"}, l.epoch, known, start.UnixMilli(), ms(l.cfg.Per)+1000,
			max(1, ms(start.Add(l.cfg.Per).Sub(now))), charge, l.cfg.Requests).Slice()
	} else {
		res, err = gcra.Run(ctx, l.rdb, []string{l.key, l.key + ":epoch"}, l.epoch, known, now.UnixMilli(), ms(l.interval), ms(l.tau),
			charge, l.cfg.Requests).Slice()
	}
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("redisstate: the limiter script answered %v", res)
	}
	if err != nil {
		l.mu.Lock()
		l.pending += charge
		l.mu.Unlock()
		return 0, err
	}
	wait, _ := res[0].(int64)
	epoch, _ := res[1].(string)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastOK, l.known, l.down = l.clk.Now(), epoch, false
	if wait == 0 {
		l.recent(now)
		l.log = append(l.log, now)
	}
	return time.Duration(wait) * time.Millisecond, nil
}
