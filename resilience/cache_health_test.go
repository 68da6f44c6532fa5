package resilience

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
)

func cachePolicy() Policy {
	p := fixedPolicy(0)
	p.Breaker = Standard().Breaker
	p.Cache = CachePolicy{MaxEntries: 2, TTL: 5 * time.Minute, Routes: []CacheRoute{
		{Prefix: "/employees", TTL: time.Hour}, {Prefix: "/live", TTL: -1}, {Prefix: "/stale-only", TTL: 0}}}
	return p
}

func TestCacheFreshHitsPerRouteTTL(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "v%d", n.Add(1))
	}))
	defer srv.Close()
	fc := newFake()
	c := testClient(t, cachePolicy(), fc)
	read := func(path string) (string, *http.Response) {
		resp, err := get(t, c, context.Background(), srv.URL+path)
		require.NoError(t, err)
		return readClose(t, resp), resp
	}
	b1, _ := read("/items")
	b2, r2 := read("/items")
	assert.Equal(t, b1, b2)
	assert.True(t, FromCache(r2))
	assert.False(t, IsStale(r2))
	assert.False(t, StoredAt(r2).IsZero())

	fc.Advance(6 * time.Minute) // past the default 5 minutes
	b3, _ := read("/items")
	assert.NotEqual(t, b2, b3)

	e1, _ := read("/employees/1")
	fc.Advance(30 * time.Minute) // within the route's hour
	e2, _ := read("/employees/1")
	assert.Equal(t, e1, e2)

	l1, _ := read("/live")
	l2, _ := read("/live")
	assert.NotEqual(t, l1, l2, "TTL < 0 disables the cache")

	assert.Equal(t, 1, c.InvalidateCache("/employees"))
	e3, _ := read("/employees/1")
	assert.NotEqual(t, e2, e3)
	assert.LessOrEqual(t, c.cache.len(), 2, "bounded")
}

func TestStaleFallback(t *testing.T) {
	var mu sync.Mutex
	status := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprintf(w, "equipment list (status %d)", status)
	}))
	defer srv.Close()
	set := func(s int) { mu.Lock(); status = s; mu.Unlock() }
	fc := newFake()
	c := testClient(t, cachePolicy(), fc)
	resp, err := get(t, c, context.Background(), srv.URL+"/stale-only")
	require.NoError(t, err)
	good := readClose(t, resp)

	// TTL 0: not served fresh, but kept for the fallback
	set(503)
	for i := 0; i < 5; i++ {
		resp, err = get(t, c, context.Background(), srv.URL+"/stale-only")
		require.NoError(t, err)
		assert.True(t, IsStale(resp))
		assert.Equal(t, good, readClose(t, resp))
	}
	// the breaker is open now: still served stale, without touching the network
	assert.Equal(t, StateOpen, c.BreakerState(srv.Listener.Addr().String()))
	resp, err = get(t, c, context.Background(), srv.URL+"/stale-only")
	require.NoError(t, err)
	assert.True(t, IsStale(resp))
	readClose(t, resp)
	h := c.Health()
	assert.Equal(t, HealthCritical, h.Status)

	// beyond StaleFor (24 h by default) nothing is served
	fc.Advance(25 * time.Hour)
	_, err = get(t, c, context.Background(), srv.URL+"/stale-only")
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrUnavailable)
}

func TestHealthClassification(t *testing.T) {
	th := DefaultThresholds()
	cases := []struct {
		name    string
		samples func(s *stats, now time.Time)
		want    HealthStatus
	}{
		{"no calls", func(*stats, time.Time) {}, HealthOK},
		{"fast and fine", func(s *stats, now time.Time) {
			for i := 0; i < 200; i++ {
				s.record(now, 100*time.Millisecond, false, false)
			}
		}, HealthOK},
		{"slow p95 warns", func(s *stats, now time.Time) {
			for i := 0; i < 100; i++ {
				s.record(now, 3*time.Second, false, false)
			}
		}, HealthWarning},
		{"very slow p95 is critical", func(s *stats, now time.Time) {
			for i := 0; i < 100; i++ {
				s.record(now, 6*time.Second, false, false)
			}
		}, HealthCritical},
		{"2% errors warn", func(s *stats, now time.Time) {
			for i := 0; i < 100; i++ {
				s.record(now, time.Millisecond, i < 2, false)
			}
		}, HealthWarning},
		{"10% unavailable is critical", func(s *stats, now time.Time) {
			for i := 0; i < 100; i++ {
				s.record(now, time.Millisecond, i < 10, i < 10)
			}
		}, HealthCritical},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s stats
			now := time.Unix(100, 0)
			tc.samples(&s, now)
			h := s.snapshot()
			h.classify(th)
			assert.Equal(t, tc.want, h.Status, h.Reasons)
		})
	}
	var s stats
	for i := 1; i <= 100; i++ {
		s.record(time.Unix(int64(i), 0), time.Duration(i)*time.Millisecond, false, false)
	}
	h := s.snapshot()
	assert.Equal(t, 50*time.Millisecond, h.P50)
	assert.Equal(t, 95*time.Millisecond, h.P95)
	assert.Equal(t, 99*time.Millisecond, h.P99)
	assert.Equal(t, time.Unix(100, 0).Add(100*time.Millisecond), h.LastSuccess, "the last call's start plus its latency")
}

// TestThousandGoroutinesThroughOneBreakerAndLimiter runs 1000 concurrent calls through
// one client with a breaker, a limiter and a bulkhead (run with -race).
func TestThousandGoroutinesThroughOneBreakerAndLimiter(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	p := Standard()
	p.Retry.Backoff = Fixed{}
	p.Breaker.FailureThreshold = 1 << 20 // count, never trip, so every call reaches the server
	p.Limit = LimitPolicy{Requests: 1 << 20, Per: time.Second, Burst: 1 << 10}
	p.Bulkhead = BulkheadPolicy{MaxConcurrent: 64, MaxWait: time.Minute}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	defer tr.CloseIdleConnections()
	var attempts atomic.Int64
	c, err := New(p, WithTransport(tr), WithHooks(Hooks{OnAttempt: func(AttemptInfo) { attempts.Add(1) }}))
	require.NoError(t, err)
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			_ = resp.Body.Close()
			ok.Add(1)
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1000), ok.Load()+failed.Load())
	assert.Equal(t, hits.Load(), attempts.Load(), "every attempt reached the server exactly once")
	assert.GreaterOrEqual(t, ok.Load(), int64(990))
	h := c.Health()
	assert.Equal(t, 1000, h.Calls)
	assert.Equal(t, StateClosed, h.Breakers[srv.Listener.Addr().String()])
}

// On the real clock, Health's times are wall-clock times of the calls' ends.
func TestHealthTimesAreWallTimes(t *testing.T) {
	s := newScript(t, step{status: 200, body: "ok"}, step{status: 503})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c, err := New(fixedPolicy(0), WithTransport(tr))
	require.NoError(t, err)
	before := time.Now()
	resp, err := get(t, c, context.Background(), s.srv.URL)
	require.NoError(t, err)
	readClose(t, resp)
	_, err = get(t, c, context.Background(), s.srv.URL)
	require.Error(t, err)
	after := time.Now()
	h := c.Health()
	for name, at := range map[string]time.Time{"LastSuccess": h.LastSuccess, "LastFailure": h.LastFailure} {
		assert.False(t, at.Before(before), name)
		assert.False(t, at.After(after), name)
	}
	assert.False(t, h.LastFailure.Before(h.LastSuccess))
}
