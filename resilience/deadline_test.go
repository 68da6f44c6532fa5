package resilience

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
)

// checkHeap verifies the heap order and every entry's slot.
func checkHeap(t *testing.T, d *deadlines) {
	t.Helper()
	for i, e := range d.heap {
		require.Equal(t, i, e.slot)
		if i > 0 {
			require.False(t, e.at.Before(d.heap[(i-1)/2].at), "heap order at %d", i)
		}
	}
}

// testCall is a call state as Client.Do makes it, with parent as the caller's context.
func testCall(parent context.Context) *callState {
	s := &callState{parent: parent}
	s.ctx = callCtx{Context: parent, st: s}
	return s
}

func callDeadlines() deadlines { return newDeadlines(clock.Real{}, expireCall) }

// Random adds and removes keep the heap ordered, and every slot right.
func TestDeadlinesHeap(t *testing.T) {
	d := callDeadlines()
	r := rand.New(rand.NewPCG(7, 7))
	base := time.Now().Add(time.Hour) // none fires during the test
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	var live []*callState
	for range 600 {
		if len(live) > 0 && r.IntN(3) == 0 {
			i := r.IntN(len(live))
			s := live[i]
			live = append(live[:i], live[i+1:]...)
			s.release()
			assert.Equal(t, -1, s.callDL.slot)
			assert.ErrorIs(t, s.ctx.Err(), context.Canceled, "a released call's context ends")
		} else {
			s := testCall(parent)
			s.own(&d, base.Add(time.Duration(r.IntN(1000))*time.Millisecond))
			live = append(live, s)
		}
		checkHeap(t, &d)
	}
	require.Len(t, d.heap, len(live))
	for _, s := range live {
		s.release()
	}
	assert.Empty(t, d.heap)
	d.stop()
}

// Calls past their deadline end with DeadlineExceeded (Err and Cause), in any order
// of arrival; the others stay open; one timer serves them all.
func TestDeadlinesExpire(t *testing.T) {
	d := callDeadlines()
	now := time.Now()
	far := make([]*callState, 3)
	for i := range far {
		far[i] = testCall(context.Background())
		far[i].own(&d, now.Add(time.Hour+time.Duration(i)*time.Second))
	}
	past := make([]*callState, 5)
	for i := range past {
		past[i] = testCall(context.Background())
		past[i].own(&d, now.Add(-time.Duration(i+1)*time.Millisecond)) // due at once, earlier than the pending timer
	}
	for _, s := range past {
		<-s.ctx.Done()
		assert.ErrorIs(t, s.ctx.Err(), context.DeadlineExceeded)
		assert.ErrorIs(t, context.Cause(&s.ctx), context.DeadlineExceeded)
		assert.True(t, s.over())
		dl, ok := s.ctx.Deadline()
		assert.True(t, ok)
		assert.False(t, dl.After(now))
	}
	// a stale timer (one set for an earlier past call) may have ended them all before
	// the current one runs and sets the timer again: wait for that
	rearmed := func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.armed && d.next.Equal(far[0].callDL.at)
	}
	for start := time.Now(); !rearmed() && time.Since(start) < 10*time.Second; {
		runtimeGosched()
	}
	assert.True(t, rearmed(), "the timer is set again for the next call")
	d.mu.Lock()
	assert.Len(t, d.heap, 3)
	d.mu.Unlock()
	for _, s := range far {
		assert.NoError(t, s.ctx.Err())
		assert.False(t, s.over())
		s.release()
	}
	d.stop()
}

// A parent's cancellation reaches the call, and is not reported as a timeout.
func TestDeadlineParentCancel(t *testing.T) {
	d := callDeadlines()
	parent, cancel := context.WithCancel(context.Background())
	s := testCall(parent)
	s.own(&d, time.Now().Add(time.Hour))
	cancel()
	<-s.ctx.Done()
	assert.ErrorIs(t, s.ctx.Err(), context.Canceled)
	s.expire() // the timer firing late changes nothing
	assert.ErrorIs(t, s.ctx.Err(), context.Canceled)
	s.release()
	d.stop()
}

// An attempt deadline ends the context it was set for, even once the entry is reused
// for the next attempt; taking the entry off in time reports that it had not passed.
func TestAttemptDeadlines(t *testing.T) {
	fc := clock.NewFake(time.Now())
	d := newDeadlines(fc, expireAttempt)
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := testCall(parent)
	s.own(nil, time.Time{})
	first := s.cur.Load()
	e := &s.attemptDL
	e.at, e.ctx = fc.Now().Add(time.Second), first
	d.add(e)
	assert.True(t, d.remove(e), "headers in time")
	assert.NoError(t, first.Err())

	d.add(e)
	fc.Advance(time.Second)
	<-first.Done()
	assert.False(t, d.remove(e), "the deadline passed")
	assert.ErrorIs(t, context.Cause(first), errAttemptCancelled)
	assert.False(t, s.over(), "an attempt timeout does not end the call")

	req, err := http.NewRequestWithContext(first, http.MethodGet, "http://vendor.example/", nil)
	require.NoError(t, err)
	s.rreq.Request = req
	next := s.renew()
	assert.Same(t, next, s.rreq.Context(), "the next attempt is sent with the new context")
	assert.Same(t, s, stateFrom(s.rreq.Context()))
	assert.NoError(t, next.Err())
	s.release()
	assert.ErrorIs(t, next.Err(), context.Canceled, "release ends the current context")
}

// A call whose caller's context can never end leaves its own context to the garbage
// collector: release takes it off the watch and cancels nothing.
func TestReleaseUnderAnEndlessParent(t *testing.T) {
	d := callDeadlines()
	s := testCall(context.Background())
	s.own(&d, time.Now().Add(time.Hour))
	s.release()
	assert.Equal(t, -1, s.callDL.slot)
	assert.Empty(t, d.heap)
	assert.NoError(t, s.ctx.Err())
	d.stop()
}

// Through the client: a call timeout ends a call stuck waiting for its answer, and a
// shorter per-call timeout is kept while a longer one is pending.
func TestCallTimeoutEndsAStuckCall(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c, err := New(Policy{Timeout: time.Hour}, WithTransport(tr))
	require.NoError(t, err)

	long := make(chan error, 1)
	longCtx, stopLong := context.WithCancel(context.Background())
	go func() {
		req, _ := http.NewRequestWithContext(longCtx, http.MethodGet, srv.URL, nil)
		_, err := c.Do(req)
		long <- err
	}()
	<-arrived // the call with the hour-long timeout is in flight, its timer pending
	req, _ := http.NewRequestWithContext(WithTimeout(context.Background(), 30*time.Millisecond), http.MethodGet, srv.URL, nil)
	_, err = c.Do(req)
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	stopLong()
	err = <-long
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, connectors.ErrTimeout)
	c.calls.mu.Lock()
	assert.Empty(t, c.calls.heap, "every call left the watch")
	c.calls.mu.Unlock()
	c.calls.stop()
}
