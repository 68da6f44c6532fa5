package resilience

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingLimiter grants every request and counts them.
type countingLimiter struct{ n atomic.Int32 }

func (l *countingLimiter) Wait(context.Context) error { l.n.Add(1); return nil }

// TestTransportResendsAreCountedAndLimited: the vendor resets a reused keep-alive
// connection after reading a GET, so net/http sends the GET again by itself on a new
// connection. The SDK's retry loop never sees that send: it is counted anyway (the
// call's Sent, the OnCall hook), and it took a token of the rate budget.
func TestTransportResendsAreCountedAndLimited(t *testing.T) {
	s := newScript(t, step{body: "first"}, step{reset: true}, step{body: "second"})
	lim := &countingLimiter{}
	var calls []CallInfo
	p := fixedPolicy(0)          // no retries of the SDK's own: any re-send is net/http's
	p.Timeout = 30 * time.Second // a call of its own context, as every preset has
	c := testClient(t, p, newFake(), WithLimiter(lim), WithHooks(Hooks{OnCall: func(ci CallInfo) { calls = append(calls, ci) }}))
	ctx := context.Background()

	resp, err := get(t, c, ctx, s.srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "first", readClose(t, resp)) // the connection goes back to the pool
	resp, err = get(t, c, ctx, s.srv.URL)
	require.NoError(t, err, "net/http re-sent the GET on a new connection")
	assert.Equal(t, "second", readClose(t, resp))

	assert.Equal(t, 3, s.calls(), "the vendor saw three requests")
	require.Len(t, calls, 2)
	assert.Equal(t, 1, calls[1].Attempts, "one attempt of the retry loop")
	assert.Equal(t, 2, calls[1].Sent, "two requests left the machine")
	assert.Equal(t, int32(3), lim.n.Load(), "every request that left the machine took a token")
	assert.Equal(t, calls[0].Sent+calls[1].Sent, s.calls(), "what the SDK counts is what the vendor saw")
}
