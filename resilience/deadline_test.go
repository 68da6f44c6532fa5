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
)

// checkHeap verifies the heap order and every call's slot.
func checkHeap(t *testing.T, d *deadlines) {
	t.Helper()
	for i, s := range d.calls {
		require.Equal(t, i, s.slot)
		if i > 0 {
			require.False(t, s.deadline.Before(d.calls[(i-1)/2].deadline), "heap order at %d", i)
		}
	}
}

// Random adds and removes keep the heap ordered, and every slot right.
func TestDeadlinesHeap(t *testing.T) {
	var d deadlines
	r := rand.New(rand.NewPCG(7, 7))
	base := time.Now().Add(time.Hour) // none fires during the test
	var live []*callState
	for range 600 {
		if len(live) > 0 && r.IntN(3) == 0 {
			i := r.IntN(len(live))
			s := live[i]
			live = append(live[:i], live[i+1:]...)
			s.release()
			assert.Equal(t, -1, s.slot)
			assert.ErrorIs(t, s.Err(), context.Canceled, "a released call's context ends")
		} else {
			s := &callState{Context: context.Background()}
			s.withDeadline(&d, base.Add(time.Duration(r.IntN(1000))*time.Millisecond))
			live = append(live, s)
		}
		checkHeap(t, &d)
	}
	require.Len(t, d.calls, len(live))
	for _, s := range live {
		s.release()
	}
	assert.Empty(t, d.calls)
	d.stop()
}

// Calls past their deadline end with DeadlineExceeded (Err and Cause), in any order
// of arrival; the others stay open; one timer serves them all.
func TestDeadlinesExpire(t *testing.T) {
	var d deadlines
	now := time.Now()
	far := make([]*callState, 3)
	for i := range far {
		far[i] = &callState{Context: context.Background()}
		far[i].withDeadline(&d, now.Add(time.Hour+time.Duration(i)*time.Second))
	}
	past := make([]*callState, 5)
	for i := range past {
		past[i] = &callState{Context: context.Background()}
		past[i].withDeadline(&d, now.Add(-time.Duration(i+1)*time.Millisecond)) // due at once, earlier than the pending timer
	}
	for _, s := range past {
		<-s.Done()
		assert.ErrorIs(t, s.Err(), context.DeadlineExceeded)
		assert.ErrorIs(t, context.Cause(s), context.DeadlineExceeded)
		dl, ok := s.Deadline()
		assert.True(t, ok)
		assert.False(t, dl.After(now))
	}
	d.mu.Lock()
	assert.Len(t, d.calls, 3)
	assert.True(t, d.armed, "the timer is set again for the next call")
	assert.Equal(t, far[0].deadline, d.at)
	d.mu.Unlock()
	for _, s := range far {
		assert.NoError(t, s.Err())
		s.release()
	}
	d.stop()
}

// A parent's cancellation reaches the call, and is not reported as a timeout.
func TestDeadlineParentCancel(t *testing.T) {
	var d deadlines
	parent, cancel := context.WithCancel(context.Background())
	s := &callState{Context: parent}
	s.withDeadline(&d, time.Now().Add(time.Hour))
	cancel()
	<-s.Done()
	assert.ErrorIs(t, s.Err(), context.Canceled)
	s.expire() // the timer firing late changes nothing
	assert.ErrorIs(t, s.Err(), context.Canceled)
	s.release()
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
	c.deadlines.mu.Lock()
	assert.Empty(t, c.deadlines.calls, "every call left the watch")
	c.deadlines.mu.Unlock()
	c.deadlines.stop()
}
