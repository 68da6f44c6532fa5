package redisstate_test

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/resilience/redisstate"
)

// TestBudgetHoldsAcrossRedisPauseKillAndRestart runs callers on replicas sharing a
// 40-request budget per 2 s against a real redis-server, which is paused (SIGSTOP)
// for 3 s, resumed, then killed and restarted without its data. No window of 2 s
// ever holds more than 40 admissions, and the budget is used again after each fault.
// It runs in real time: the server's pauses and timeouts are real.
func TestBudgetHoldsAcrossRedisPauseKillAndRestart(t *testing.T) {
	const requests, per = 40, 2 * time.Second
	for _, tc := range []struct {
		name     string
		replicas int
		fixed    bool
	}{
		{"one replica, gcra", 1, false},
		{"two replicas, gcra", 2, false},
		{"two replicas, fixed windows", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := realRedis(t)
			var limiters []*redisstate.Limiter
			for range tc.replicas {
				rdb := redis.NewClient(&redis.Options{Addr: srv.addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond,
					ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, PoolTimeout: 200 * time.Millisecond})
				t.Cleanup(func() { _ = rdb.Close() })
				l, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "budget", Requests: requests, Per: per, Burst: 10,
					FixedWindow: tc.fixed, Replicas: tc.replicas})
				require.NoError(t, err)
				limiters = append(limiters, l)
			}
			ctx, stop := context.WithCancel(context.Background())
			var mu sync.Mutex
			var at []admission
			var wg sync.WaitGroup
			for _, l := range limiters {
				for range 3 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for ctx.Err() == nil {
							wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
							from := time.Now()
							err := l.Wait(wctx)
							to := time.Now()
							cancel()
							if err == nil {
								mu.Lock()
								at = append(at, admission{from, to})
								mu.Unlock()
							}
						}
					}()
				}
			}
			phase := func(d time.Duration) int { // the admissions of the next d
				mu.Lock()
				n := len(at)
				mu.Unlock()
				time.Sleep(d) // the scenario's own clock: the faults last real seconds
				mu.Lock()
				defer mu.Unlock()
				return len(at) - n
			}
			before := phase(3 * time.Second)
			srv.signal(t, syscall.SIGSTOP)
			paused := phase(3 * time.Second)
			srv.signal(t, syscall.SIGCONT)
			resumed := phase(3 * time.Second)
			srv.stop() // SIGKILL
			killed := phase(time.Second)
			srv.start(t)
			restarted := phase(5 * time.Second)
			stop()
			wg.Wait()
			t.Logf("admitted: %d before, %d paused, %d resumed, %d killed, %d restarted", before, paused, resumed, killed, restarted)
			if tc.fixed {
				perWindow := map[time.Time]int{}
				for _, a := range at {
					if w := a.from.Truncate(per); w.Equal(a.to.Truncate(per)) { // surely in w
						perWindow[w]++
					}
				}
				for w, n := range perWindow {
					assert.LessOrEqual(t, n, requests, "calendar window %s", w)
				}
			} else {
				assert.LessOrEqual(t, maxSurelyInWindow(at, per), requests, "no window of %s holds more than the budget", per)
			}
			assert.Greater(t, before, requests, "the budget is used")
			assert.Greater(t, resumed, 0, "and again once Redis is back")
			assert.Greater(t, restarted, 0, "and after Redis lost its data")
		})
	}
}

// admission is a granted Wait as the test can time it: Redis admitted it at some
// instant between the call (from) and its return (to). Counting return times alone
// puts an admission made at the end of one window into the next when the caller is
// slow to run again (a loaded machine), which is not an excess.
type admission struct{ from, to time.Time }

// maxSurelyInWindow returns the most admissions that surely fell within one window of
// length w (both their call and their return inside it), over the windows that start
// at each admission's call.
func maxSurelyInWindow(as []admission, w time.Duration) int {
	best := 0
	for _, start := range as {
		end := start.from.Add(w)
		n := 0
		for _, a := range as {
			if !a.from.Before(start.from) && a.to.Before(end) {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}
