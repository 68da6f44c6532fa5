package resilience

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
)

// testCall is a call state as Client.Do makes it, with parent as the caller's context.
func testCall(parent context.Context) *callState {
	s := &callState{parent: parent}
	s.ctx = callCtx{Context: parent, st: s}
	return s
}

// A call's own deadline ends its context with DeadlineExceeded, and reports itself as
// the context's deadline; a deadline still ahead ends nothing.
func TestCallDeadlines(t *testing.T) {
	now := time.Now()
	far := testCall(context.Background())
	far.own(now.Add(time.Hour))
	past := testCall(context.Background())
	past.own(now.Add(-time.Millisecond))
	<-past.ctx.Done()
	assert.ErrorIs(t, past.ctx.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, context.Cause(&past.ctx), context.DeadlineExceeded)
	assert.True(t, past.over())
	dl, ok := past.ctx.Deadline()
	assert.True(t, ok)
	assert.False(t, dl.After(now))
	past.release()

	assert.NoError(t, far.ctx.Err())
	assert.False(t, far.over())
	dl, ok = far.ctx.Deadline()
	assert.True(t, ok)
	assert.Equal(t, now.Add(time.Hour), dl)
	far.release()
	assert.False(t, far.timer.Stop(), "release stopped the timer")
}

// A parent's cancellation reaches the call, and is not reported as a timeout.
func TestDeadlineParentCancel(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	s := testCall(parent)
	s.own(time.Now().Add(time.Hour))
	cancel()
	<-s.ctx.Done()
	assert.ErrorIs(t, s.ctx.Err(), context.Canceled)
	s.expire() // the timer firing late changes nothing
	assert.ErrorIs(t, s.ctx.Err(), context.Canceled)
	s.release()
}

// An attempt timeout ends the call's current context with errAttemptCancelled but
// not the call; renew gives the next attempt a new context, on the request the retry
// loop sends next.
func TestAttemptTimeoutRenews(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := testCall(parent)
	s.own(time.Time{})
	first := s.cur.Load()
	first.cancel(errAttemptCancelled) // what the attempt's timer does
	<-first.Done()
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
// collector: release stops its timer and cancels nothing.
func TestReleaseUnderAnEndlessParent(t *testing.T) {
	s := testCall(context.Background())
	s.own(time.Now().Add(time.Hour))
	s.release()
	assert.False(t, s.timer.Stop(), "the timer was stopped")
	assert.NoError(t, s.ctx.Err())
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
	req, _ := http.NewRequestWithContext(CallTimeout(context.Background(), 30*time.Millisecond), http.MethodGet, srv.URL, nil)
	_, err = c.Do(req)
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	stopLong()
	err = <-long
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, connectors.ErrTimeout)
}
