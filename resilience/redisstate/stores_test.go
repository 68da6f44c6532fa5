package redisstate_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/resilience/redisstate"
)

// admitted drives callers through limiters on a stepped clock and returns the
// admission times.
func admitted(t *testing.T, clk *clock.Fake, limiters []*redisstate.Limiter, perLimiter, calls int) []time.Time {
	t.Helper()
	var mu sync.Mutex
	var at []time.Time
	var wg sync.WaitGroup
	var active atomic.Int32
	active.Store(int32(len(limiters) * perLimiter))
	for _, l := range limiters {
		for range perLimiter {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer active.Add(-1)
				for range calls {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					err := l.Wait(ctx)
					cancel()
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					at = append(at, clk.Now())
					mu.Unlock()
				}
			}()
		}
	}
	clk.Drive(func() int { return int(active.Load()) }) // when every caller waits, to the next wake-up
	wg.Wait()
	return at
}

// maxInWindow is the largest number of times within any window of length w.
func maxInWindow(at []time.Time, w time.Duration) int {
	sorted := append([]time.Time(nil), at...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].Before(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	best, lo := 0, 0
	for hi := range sorted {
		for sorted[hi].Sub(sorted[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func TestLimiterNeverExceedsTheBudgetInAnyWindow(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		name := map[bool]string{false: "gcra", true: "fixed window"}[fixed]
		t.Run(name, func(t *testing.T) {
			_, rdb := mini(t)
			clk := clock.NewStepped(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC))
			var ls []*redisstate.Limiter
			for range 4 { // 4 replicas, one budget
				l, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "vendor", Requests: 100, Per: time.Minute, Burst: 10,
					FixedWindow: fixed, Replicas: 4, Clock: clk})
				require.NoError(t, err)
				ls = append(ls, l)
			}
			at := admitted(t, clk, ls, 3, 25) // 300 calls: 3 minutes' budget
			require.Len(t, at, 300)
			if fixed {
				// clock minutes: at most 100 in each
				perMinute := map[time.Time]int{}
				for _, a := range at {
					perMinute[a.Truncate(time.Minute)]++
				}
				for m, n := range perMinute {
					assert.LessOrEqual(t, n, 100, m.String())
				}
				return
			}
			assert.LessOrEqual(t, maxInWindow(at, time.Minute), 100, "no window of a minute holds more than the budget")
			assert.GreaterOrEqual(t, maxInWindow(at, time.Minute), 95, "and the budget is used")
		})
	}
}

func TestStoresWhenRedisIsDown(t *testing.T) {
	mr, rdb := mini(t)
	var logs bytes.Buffer
	opts := redisstate.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx := context.Background()
	clk := clock.NewFake(time.Now())
	l, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "v", Requests: 8, Per: time.Hour, Burst: 8, Replicas: 4, Clock: clk, Options: opts})
	require.NoError(t, err)
	dedupOpen := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{Options: opts})
	dedupClosed := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{FailClosed: true, Options: opts})
	idem := redisstate.NewIdempotencyStore(rdb, redisstate.IdempotencyConfig{Options: opts})
	sessions := redisstate.NewSessionStore(rdb, redisstate.SessionConfig{Options: opts})
	closed, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "v", Requests: 8, Per: time.Hour, FailClosed: true, Clock: clk, Options: opts})
	require.NoError(t, err)
	require.NoError(t, l.Wait(ctx))
	mr.Close() // Redis goes away mid-run
	assert.ErrorIs(t, closed.Wait(ctx), connectors.ErrRateLimited, "fail closed: nothing goes without the shared budget")

	// the limiter falls back to its share of the budget, 8/4 = 2 an hour, once an hour
	// has passed since Redis last answered (until then the other replicas' use of the
	// hour is unknown)
	early, cancelEarly := context.WithTimeout(ctx, time.Minute)
	defer cancelEarly()
	assert.ErrorIs(t, l.Wait(early), connectors.ErrRateLimited, "the hour Redis last saw is not over")
	for range 2 {
		require.NoError(t, l.Wait(ctx))
	}
	short, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	assert.ErrorIs(t, l.Wait(short), connectors.ErrRateLimited, "the local share is spent: the vendor's limit still holds")
	ok, err := dedupOpen.Claim(ctx, "evt-1", time.Hour)
	assert.True(t, ok, "fails open: the event is processed, never lost")
	assert.NoError(t, err)
	_, err = dedupClosed.Claim(ctx, "evt-1", time.Hour)
	assert.Error(t, err, "fails closed: the receiver answers 503 and the sender retries")
	_, _, err = idem.Begin(ctx, "k", time.Minute)
	assert.Error(t, err, "the merchant client then relies on the gateway's idempotency")
	_, err = sessions.Load(ctx, "k")
	assert.Error(t, err)
	_, err = sessions.Lock(ctx, "k")
	assert.Error(t, err, "geotab then logs in without the lock")
	assert.Contains(t, logs.String(), "unreachable")
	assert.Contains(t, logs.String(), "de-duplication unavailable")
}

func TestDedupStore(t *testing.T) {
	mr, rdb := mini(t)
	s := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{Options: redisstate.Options{Prefix: "test"}})
	ctx := context.Background()
	ok, err := s.Claim(ctx, "evt-1", time.Hour)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, _ = s.Claim(ctx, "evt-1", time.Hour)
	assert.False(t, ok, "a repeat")
	assert.True(t, mr.Exists("test:dedup:evt-1"), "namespaced key")
	assert.Equal(t, time.Hour, mr.TTL("test:dedup:evt-1"), "explicit TTL")
	require.NoError(t, s.Release(ctx, "evt-1"))
	ok, _ = s.Claim(ctx, "evt-1", time.Hour)
	assert.True(t, ok, "a released claim (failed hand-off) is processed on the retry")
	mr.FastForward(time.Hour)
	ok, _ = s.Claim(ctx, "evt-1", time.Hour)
	assert.True(t, ok, "after the TTL it is news again")
}

func TestIdempotencyStore(t *testing.T) {
	_, rdb := mini(t)
	s := redisstate.NewIdempotencyStore(rdb, redisstate.IdempotencyConfig{Poll: time.Millisecond})
	ctx := context.Background()
	_, found, err := s.Begin(ctx, "k", time.Minute)
	require.NoError(t, err)
	require.False(t, found, "claimed")
	got := make(chan []byte, 1)
	go func() {
		out, found, err := s.Begin(ctx, "k", time.Minute) // another replica: waits
		if err == nil && found {
			got <- out
		}
		close(got)
	}()
	require.NoError(t, s.Finish(ctx, "k", []byte(`{"id":"txn_1"}`), time.Hour))
	assert.Equal(t, `{"id":"txn_1"}`, string(<-got))

	_, found, _ = s.Begin(ctx, "k2", time.Minute)
	require.False(t, found)
	require.NoError(t, s.Abort(ctx, "k2"))
	_, found, err = s.Begin(ctx, "k2", time.Minute)
	require.NoError(t, err)
	assert.False(t, found, "an aborted claim is claimed again")
	dl, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, _, err = s.Begin(dl, "k2", time.Minute)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a waiter honours its deadline")
}

func TestSessionStore(t *testing.T) {
	_, rdb := mini(t)
	s := redisstate.NewSessionStore(rdb, redisstate.SessionConfig{Poll: time.Millisecond})
	ctx := context.Background()
	got, err := s.Load(ctx, "db/user")
	require.NoError(t, err)
	assert.Nil(t, got)
	sess := []byte(`{"credentials":{"database":"db","userName":"user","sessionId":"s-1"},"server":"my3.geotab.com"}`)
	require.NoError(t, s.Save(ctx, "db/user", sess))
	got, err = s.Load(ctx, "db/user")
	require.NoError(t, err)
	assert.Equal(t, sess, got)

	unlock, err := s.Lock(ctx, "db/user")
	require.NoError(t, err)
	locked := make(chan struct{})
	go func() {
		u, err := s.Lock(ctx, "db/user")
		if err == nil {
			u()
		}
		close(locked)
	}()
	select {
	case <-locked:
		t.Fatal("two holders of the login lock")
	case <-time.After(20 * time.Millisecond):
	}
	unlock()
	<-locked
}

func TestAgainstRealRedis(t *testing.T) {
	srv, rdb := realRedis(t)
	ctx := context.Background()
	dedup := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{})
	ok, err := dedup.Claim(ctx, "evt", time.Minute)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, _ = dedup.Claim(ctx, "evt", time.Minute)
	assert.False(t, ok)
	l, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "real", Requests: 5, Per: time.Hour, Burst: 5})
	require.NoError(t, err)
	for range 5 {
		require.NoError(t, l.Wait(ctx))
	}
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	assert.ErrorIs(t, l.Wait(short), connectors.ErrRateLimited, "the sixth would wait 12 minutes")
	idem := redisstate.NewIdempotencyStore(rdb, redisstate.IdempotencyConfig{})
	_, found, err := idem.Begin(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.False(t, found)
	require.NoError(t, idem.Finish(ctx, "k", []byte("out"), time.Minute))
	out, found, err := idem.Begin(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "out", string(out))

	srv.stop() // stopped mid-run
	ok, err = dedup.Claim(ctx, "evt-2", time.Minute)
	assert.NoError(t, err)
	assert.True(t, ok, "fails open")
	_, _, err = idem.Begin(ctx, "k3", time.Minute)
	assert.Error(t, err)
	var _ redis.UniversalClient = rdb
}
