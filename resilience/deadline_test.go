package resilience

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
)

// seenContexts is a base transport that records the context of every attempt it
// sends, then passes it on.
type seenContexts struct {
	next http.RoundTripper
	mu   sync.Mutex
	ctxs []context.Context
}

func (s *seenContexts) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.ctxs = append(s.ctxs, req.Context())
	s.mu.Unlock()
	return s.next.RoundTrip(req)
}

func (s *seenContexts) last() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctxs[len(s.ctxs)-1]
}

// The context an attempt is sent with carries the call's deadline: the call timeout,
// or the caller's deadline when that comes first, or none; it holds while the body
// is open, and closing the body ends it (a call with a deadline of its own releases
// its timer).
func TestCallContext(t *testing.T) {
	s := newScript(t, step{status: 200, body: "ok"})
	for _, tc := range []struct {
		name     string
		timeout  time.Duration // the policy's call timeout
		override *time.Duration
		caller   time.Duration // the caller's deadline from now, 0: none
		want     time.Duration // the deadline the attempt sees, 0: none
		released bool          // closing the body ends the attempt's context
	}{
		{name: "no timeout", want: 0},
		{name: "the call timeout", timeout: time.Hour, want: time.Hour, released: true},
		{name: "the caller's deadline comes first", timeout: time.Hour, caller: time.Minute, want: time.Minute, released: true},
		{name: "the call timeout comes first", timeout: time.Minute, caller: time.Hour, want: time.Minute, released: true},
		{name: "a per-call timeout overrides the policy's", timeout: time.Hour, override: ptr(time.Minute), want: time.Minute, released: true},
		{name: "a per-call 0 removes it", timeout: time.Hour, override: ptr(time.Duration(0)), want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			t.Cleanup(tr.CloseIdleConnections)
			seen := &seenContexts{next: tr}
			p := fixedPolicy(0)
			p.Timeout = tc.timeout
			c := testClient(t, p, newFake(), WithTransport(seen))
			ctx := context.Background()
			if tc.caller > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.caller)
				defer cancel()
			}
			if tc.override != nil {
				ctx = CallTimeout(ctx, *tc.override)
			}
			start := time.Now()
			resp, err := get(t, c, ctx, s.srv.URL)
			require.NoError(t, err)
			sent := seen.last()
			dl, ok := sent.Deadline()
			if tc.want == 0 {
				assert.False(t, ok, "no deadline")
			} else if assert.True(t, ok) {
				assert.WithinDuration(t, start.Add(tc.want), dl, time.Minute/2)
			}
			assert.NoError(t, sent.Err(), "the context holds while the body is open")
			assert.Equal(t, "ok", readClose(t, resp))
			if tc.released {
				assert.ErrorIs(t, sent.Err(), context.Canceled, "closing the body releases the call")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

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
