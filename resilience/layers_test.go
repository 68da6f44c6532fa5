package resilience

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
)

func breakerPolicy() Policy {
	p := fixedPolicy(0)
	p.Breaker = Standard().Breaker
	return p
}

func TestBreakerOpensHalfOpensAndCloses(t *testing.T) {
	var mu sync.Mutex
	status, hits := 503, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits++
		w.WriteHeader(status)
	}))
	defer srv.Close()
	setStatus := func(s int) { mu.Lock(); status = s; mu.Unlock() }

	fc := newFake()
	var changes []string
	c := testClient(t, breakerPolicy(), fc, WithHooks(Hooks{OnBreakerChange: func(ch BreakerChange) {
		changes = append(changes, ch.From.String()+"->"+ch.To.String())
	}}))
	host := srv.Listener.Addr().String()
	call := func() error {
		resp, err := get(t, c, context.Background(), srv.URL)
		if err == nil {
			readClose(t, resp)
		}
		return err
	}

	// 4 failures: still closed; the 5th within 5 minutes opens it
	for i := 0; i < 4; i++ {
		require.Error(t, call())
		fc.Advance(time.Minute)
	}
	assert.Equal(t, StateClosed, c.BreakerState(host))
	require.Error(t, call())
	assert.Equal(t, StateOpen, c.BreakerState(host))

	// open: rejected without touching the network
	mu.Lock()
	before := hits
	mu.Unlock()
	err := call()
	assert.ErrorIs(t, err, connectors.ErrCircuitOpen)
	assert.ErrorIs(t, err, ErrRejected)
	mu.Lock()
	assert.Equal(t, before, hits)
	mu.Unlock()
	assert.Equal(t, HealthCritical, c.Health().Status)

	// after 60 s: half-open; 3 successes close it
	fc.Advance(60 * time.Second)
	assert.Equal(t, StateHalfOpen, c.BreakerState(host))
	setStatus(200)
	for i := 0; i < 3; i++ {
		require.NoError(t, call())
	}
	assert.Equal(t, StateClosed, c.BreakerState(host))

	// a failure while half-open reopens at once
	setStatus(503)
	for i := 0; i < 5; i++ {
		_ = call()
	}
	assert.Equal(t, StateOpen, c.BreakerState(host))
	fc.Advance(60 * time.Second)
	require.Error(t, call())
	assert.Equal(t, StateOpen, c.BreakerState(host))
	assert.Equal(t, []string{"closed->open", "open->half-open", "half-open->closed", "closed->open", "open->half-open", "half-open->open"}, changes)
}

// A call counts once in the breaker however many of its attempts failed, so that a
// preset's last retry is not refused by the breaker its own earlier attempts opened:
// Critical's six attempts all reach a failing host, and the first failure of a fifth
// call opens it, which then refuses that call's retries and every later call.
func TestBreakerCountsACallOnce(t *testing.T) {
	s := newScript(t, step{status: 503})
	fc := newFake()
	c := testClient(t, Critical(), fc)
	host := s.srv.Listener.Addr().String()
	for call := 1; call <= 4; call++ {
		_, err := get(t, c, context.Background(), s.srv.URL+"/x")
		require.ErrorIs(t, err, ErrRetriesExhausted, "call %d", call)
		assert.Equal(t, 6*call, s.calls(), "every attempt of call %d reached the host", call)
		assert.Equal(t, StateClosed, c.BreakerState(host), "after call %d", call)
	}
	for _, want := range []int{25, 25} {
		_, err := get(t, c, context.Background(), s.srv.URL+"/x")
		assert.ErrorIs(t, err, connectors.ErrCircuitOpen)
		assert.Equal(t, StateOpen, c.BreakerState(host))
		assert.Equal(t, want, s.calls(), "the fifth failed call opened it; an open breaker refuses without a request")
	}
}

func TestBreakerCountsOnlyFailuresWithinTheWindowAndIgnores4xx(t *testing.T) {
	fc := clock.NewFake(time.Unix(0, 0))
	b := newBreaker("h", Standard().Breaker, fc, nil)
	for i := 0; i < 10; i++ {
		// one failure every 2 minutes: never 5 within 5 minutes
		b.done(false, outcomeFailure)
		fc.Advance(2 * time.Minute)
	}
	assert.Equal(t, StateClosed, b.current())
	for i := 0; i < 20; i++ {
		b.done(false, outcomeIgnore)
		b.done(false, outcomeSuccess)
	}
	assert.Equal(t, StateClosed, b.current())
}

func TestBreakerClassification(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	cases := []struct {
		name string
		ctx  context.Context
		resp *http.Response
		err  error
		want outcome
	}{
		{"2xx", bg, &http.Response{StatusCode: 200}, nil, outcomeSuccess},
		{"404 is the host answering", bg, &http.Response{StatusCode: 404}, nil, outcomeSuccess},
		{"429 is not a host failure", bg, &http.Response{StatusCode: 429}, nil, outcomeSuccess},
		{"500", bg, &http.Response{StatusCode: 500}, nil, outcomeFailure},
		{"connection error", bg, nil, errors.New("connection reset"), outcomeFailure},
		{"attempt timeout", bg, nil, &attemptTimeoutError{d: time.Second}, outcomeFailure},
		{"caller cancelled", cancelled, nil, context.Canceled, outcomeIgnore},
		{"local rejection", bg, nil, errLimitWait, outcomeIgnore},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, classify(tc.ctx, tc.resp, tc.err), tc.name)
	}
}

func TestBreakerIsPerHostAndBounded(t *testing.T) {
	fc := newFake()
	p := Standard().Breaker
	p.MaxHosts = 2
	r := newBreakers(p, fc, nil)
	a, b, c := r.get("a"), r.get("b"), r.get("c")
	assert.NotSame(t, a, b)
	assert.Same(t, r.overflow, c)
	assert.Same(t, a, r.get("a"))
	for i := 0; i < 5; i++ {
		a.done(false, outcomeFailure)
	}
	assert.Equal(t, StateOpen, a.current())
	assert.Equal(t, StateClosed, b.current())
}

func TestHalfOpenAllowsOnlySuccessThresholdProbes(t *testing.T) {
	fc := newFake()
	b := newBreaker("h", Standard().Breaker, fc, nil)
	for i := 0; i < 5; i++ {
		b.done(false, outcomeFailure)
	}
	fc.Advance(time.Minute)
	for i := 0; i < 3; i++ {
		probe, err := b.allow()
		require.NoError(t, err)
		assert.True(t, probe)
	}
	_, err := b.allow()
	assert.ErrorIs(t, err, connectors.ErrCircuitOpen)
}

func TestLimiter(t *testing.T) {
	t.Run("waits on the clock, never more than the budget", func(t *testing.T) {
		fc := newFake()
		lim := NewTokenBucket(LimitPolicy{Requests: 1000, Per: time.Hour, Burst: 10}, fc)
		start := fc.Now()
		for i := 0; i < 1000; i++ {
			require.NoError(t, lim.Wait(context.Background()))
		}
		// burst 10 at once, then 990 refilled over the hour: 1000 in (almost) an hour
		elapsed := fc.Now().Sub(start)
		assert.InDelta(t, time.Hour.Seconds(), elapsed.Seconds(), 4)
		assert.LessOrEqual(t, elapsed, time.Hour)
	})
	t.Run("fail fast", func(t *testing.T) {
		lim := NewTokenBucket(LimitPolicy{Requests: 10, Per: time.Minute, Burst: 1, FailFast: true}, newFake())
		require.NoError(t, lim.Wait(context.Background()))
		err := lim.Wait(context.Background())
		assert.ErrorIs(t, err, connectors.ErrRateLimited)
		assert.ErrorIs(t, err, ErrRejected)
	})
	t.Run("a wait past the deadline fails at once", func(t *testing.T) {
		fc := newFake()
		lim := NewTokenBucket(LimitPolicy{Requests: 2, Per: time.Hour, Burst: 1}, fc)
		require.NoError(t, lim.Wait(context.Background()))
		ctx, cancel := context.WithDeadline(context.Background(), fc.Now().Add(time.Minute))
		defer cancel()
		err := lim.Wait(ctx)
		assert.ErrorIs(t, err, connectors.ErrRateLimited)
		assert.Empty(t, fc.Sleeps())
		assert.InDelta(t, 0, lim.Tokens(), 0.01, "a cancelled reservation gives its token back")
	})
	t.Run("all of several windows", func(t *testing.T) {
		// Dayforce's example: 10 per second and 100 per minute
		fc := newFake()
		lim := AllOf(NewTokenBucket(LimitPolicy{Requests: 10, Per: time.Second, Burst: 5}, fc),
			NewTokenBucket(LimitPolicy{Requests: 100, Per: time.Minute, Burst: 10}, fc))
		start := fc.Now()
		var sent []time.Time
		for i := 0; i < 200; i++ {
			require.NoError(t, lim.Wait(context.Background()))
			sent = append(sent, fc.Now())
		}
		for i := range sent {
			// no second holds more than 10, no minute more than 100
			if i+10 < len(sent) {
				assert.GreaterOrEqual(t, sent[i+10].Sub(sent[i]), time.Second-time.Millisecond, "request %d", i)
			}
			if i+100 < len(sent) {
				assert.GreaterOrEqual(t, sent[i+100].Sub(sent[i]), time.Minute-time.Millisecond, "request %d", i)
			}
		}
		assert.Less(t, fc.Now().Sub(start), 3*time.Minute)
		one := NewTokenBucket(LimitPolicy{Requests: 1, Per: time.Second}, fc)
		assert.Same(t, one, AllOf(one), "one limiter is returned as is")
	})
}

func TestLimiterInClientIsNotRetriedAndReportsWaits(t *testing.T) {
	s := newScript(t, step{status: 200})
	var waits []LimiterWait
	p := fixedPolicy(3)
	p.Limit = LimitPolicy{Requests: 3, Per: time.Minute, Burst: 1, FailFast: true}
	c := testClient(t, p, newFake(), WithHooks(Hooks{OnLimiterWait: func(w LimiterWait) { waits = append(waits, w) }}))
	resp, err := get(t, c, context.Background(), s.srv.URL)
	require.NoError(t, err)
	readClose(t, resp)
	_, err = get(t, c, context.Background(), s.srv.URL)
	assert.ErrorIs(t, err, connectors.ErrRateLimited)
	assert.Equal(t, 1, s.calls(), "a limiter rejection is not retried")
	require.Len(t, waits, 1)
	assert.Error(t, waits[0].Err)
}

func TestBulkhead(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	defer srv.Close()
	p := fixedPolicy(0)
	p.Bulkhead = BulkheadPolicy{MaxConcurrent: 2}
	c := testClient(t, p, newFake())
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := get(t, c, context.Background(), srv.URL)
			if assert.NoError(t, err) {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}()
	}
	<-entered
	<-entered
	assert.Equal(t, 2, c.Health().InFlight)
	_, err := get(t, c, context.Background(), srv.URL)
	assert.ErrorIs(t, err, connectors.ErrBulkheadFull)
	assert.ErrorIs(t, err, ErrRejected)
	close(release)
	wg.Wait()
	assert.Equal(t, 0, c.Health().InFlight)
}

// Waiters are served in arrival order; one that gives up leaves the queue and holds
// no slot; one that cannot wait is refused at once; under many callers the bound
// holds and every slot comes back.
func TestBulkheadQueue(t *testing.T) {
	var mu sync.Mutex
	var order []string
	hold := map[string]chan struct{}{"/first": make(chan struct{}), "/a": make(chan struct{})}
	entered := make(chan string, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Path)
		mu.Unlock()
		entered <- r.URL.Path
		if ch, ok := hold[r.URL.Path]; ok {
			<-ch
		}
	}))
	defer srv.Close()
	p := fixedPolicy(0)
	p.Bulkhead = BulkheadPolicy{MaxConcurrent: 1, MaxWait: time.Minute}
	c := testClient(t, p, newFake())
	call := func(ctx context.Context, path string) <-chan error {
		done := make(chan error, 1)
		go func() {
			resp, err := get(t, c, ctx, srv.URL+path)
			if err == nil {
				readClose(t, resp)
			}
			done <- err
		}()
		return done
	}
	queued := func(n int) func() bool { return func() bool { return c.Health().Queued == n } }

	first := call(context.Background(), "/first")
	assert.Equal(t, "/first", <-entered)
	gotA := call(context.Background(), "/a")
	waitUntil(t, "the first waiter to queue", queued(1))
	ctxB, cancelB := context.WithCancel(context.Background())
	gotB := call(ctxB, "/b")
	waitUntil(t, "the second waiter to queue", queued(2))
	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	_, err := get(t, c, past, srv.URL+"/late")
	assert.ErrorIs(t, err, connectors.ErrBulkheadFull, "a call that cannot wait is refused at once")

	close(hold["/first"])
	assert.NoError(t, <-first)
	assert.Equal(t, "/a", <-entered, "first come, first served")
	cancelB()
	assert.ErrorIs(t, <-gotB, context.Canceled)
	h := c.Health()
	assert.Equal(t, 0, h.Queued, "a waiter that gave up leaves the queue")
	assert.Equal(t, 1, h.InFlight, "only a holds a slot")
	close(hold["/a"])
	assert.NoError(t, <-gotA)
	assert.Equal(t, 0, c.Health().InFlight)
	mu.Lock()
	assert.Equal(t, []string{"/first", "/a"}, order, "b never reached the server")
	mu.Unlock()

	// many callers, some giving up at random: never more than the bound, nothing lost
	b := newBulkhead(BulkheadPolicy{MaxConcurrent: 3, MaxWait: time.Minute}, clock.Real{})
	var inside, peak atomic.Int32
	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if i%7 == 0 {
				cancel()
			}
			if b.acquire(ctx) != nil {
				return
			}
			n := inside.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			runtimeGosched()
			inside.Add(-1)
			b.release()
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int32(3))
	inFlight, waiting := b.load()
	assert.Equal(t, 0, inFlight, "every slot came back")
	assert.Equal(t, 0, waiting, "nobody is left queued")
}

func TestBulkheadWaitsForAFreeSlot(t *testing.T) {
	fc := newFake()
	b := newBulkhead(BulkheadPolicy{MaxConcurrent: 1, MaxWait: time.Second}, fc)
	require.NoError(t, b.acquire(context.Background()))
	got := make(chan error, 1)
	go func() { got <- b.acquire(context.Background()) }()
	waitUntil(t, "the waiter to arm its timer", func() bool { return fc.Pending() > 0 })
	b.release()
	require.NoError(t, <-got)
	// now full again: the wait expires on the clock
	go func() { got <- b.acquire(context.Background()) }()
	waitUntil(t, "the waiter to arm its timer", func() bool { return fc.Pending() > 0 })
	fc.Advance(time.Second)
	assert.ErrorIs(t, <-got, connectors.ErrBulkheadFull)
}

// The attempt timeout is a deadline, so it runs in real time whatever the client's
// clock (a fake one only makes the backoff instant): these servers never answer, and
// a short timeout ends each attempt.
func TestAttemptTimeout(t *testing.T) {
	const attempt = 20 * time.Millisecond
	t.Run("no headers in time: retried, then timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // never answers
		}))
		defer srv.Close()
		p := fixedPolicy(1)
		p.AttemptTimeout = attempt
		c := testClient(t, p, newFake(), WithHooks(Hooks{OnAttempt: func(AttemptInfo) {}}))
		_, err := get(t, c, context.Background(), srv.URL)
		require.Error(t, err)
		assert.ErrorIs(t, err, connectors.ErrTimeout)
		assert.ErrorIs(t, err, ErrRetriesExhausted)
		var ce *CallError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 2, ce.Attempts)
	})
	t.Run("a stalled attempt is retried, and the retry answers", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				<-r.Context().Done() // the first attempt never gets headers
				return
			}
			_, _ = io.WriteString(w, "ok")
		}))
		defer srv.Close()
		p := fixedPolicy(2)
		p.Timeout = time.Hour
		p.AttemptTimeout = attempt
		c := testClient(t, p, newFake())
		resp, err := get(t, c, context.Background(), srv.URL)
		require.NoError(t, err)
		assert.Equal(t, "ok", readClose(t, resp))
		assert.Equal(t, 2, Attempts(resp))
	})
	t.Run("a POST without a key is not sent again", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
			n.Add(1)
			<-r.Context().Done()
		}))
		defer srv.Close()
		p := fixedPolicy(3)
		p.AttemptTimeout = attempt
		c := testClient(t, p, newFake())
		_, err := post(t, c, context.Background(), srv.URL, "{}", nil)
		require.Error(t, err)
		assert.ErrorIs(t, err, connectors.ErrTimeout)
		var ce *CallError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 1, ce.Attempts)
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("does not cut off a body being read", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "first half;")
			w.(http.Flusher).Flush()
			// the rest comes well after the attempt timeout: only real time can show
			// that a timer does not fire
			select {
			case <-time.After(5 * attempt):
			case <-r.Context().Done():
				return
			}
			_, _ = io.WriteString(w, "second half")
		}))
		defer srv.Close()
		p := fixedPolicy(0)
		p.AttemptTimeout = attempt
		c := testClient(t, p, newFake())
		resp, err := get(t, c, context.Background(), srv.URL)
		require.NoError(t, err)
		assert.Equal(t, "first half;second half", readClose(t, resp))
	})
}

func TestCallTimeoutCoversTheBodyAndIsReleasedOnClose(t *testing.T) {
	s := newScript(t, step{status: 200, body: "ok"})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	seen := &seenContexts{next: tr}
	c := testClient(t, fixedPolicy(0), newFake(), WithTransport(seen))
	resp, err := get(t, c, context.Background(), s.srv.URL)
	require.NoError(t, err)
	_, isWrapped := resp.Body.(*callState)
	assert.False(t, isWrapped, "no call timeout configured: body untouched")
	readClose(t, resp)

	p := fixedPolicy(0)
	p.Timeout = time.Minute
	c = testClient(t, p, newFake(), WithTransport(seen))
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp2, err := get(t, c, parent, s.srv.URL)
	require.NoError(t, err)
	sent := seen.last()
	assert.NoError(t, sent.Err(), "the timeout holds while the body is open")
	assert.Equal(t, "ok", readClose(t, resp2))
	assert.ErrorIs(t, sent.Err(), context.Canceled, "closing the body releases it")
}
