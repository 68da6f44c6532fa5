package maddenco_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
)

// The default client syncs the default fake (the integration design's 5 000 pieces
// of equipment, 15 300 changes) from nothing, within the 1 000 requests an hour the
// fake enforces: pages of 500, the most the API allows, make it 31 requests, the
// burst and a few waits of 3.6 s for the budget.
func TestDefaultClientSyncsTheDefaultFakeWithinBudget(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := maddencotest.NewServer(t, maddencotest.WithClock(clk))
	c, err := maddenco.New(srv.Config(), maddenco.WithClock(clk))
	require.NoError(t, err)
	start, n := clk.Now(), 0
	for _, err := range c.Sync(context.Background(), &connectors.MemoryCheckpoint{}, maddenco.SyncOptions{}) {
		require.NoError(t, err)
		n++
	}
	t.Logf("%d changes in %d requests, %s of fake time", n, len(srv.Requests()), clk.Now().Sub(start))
	require.GreaterOrEqual(t, n, 5000)
	require.Zero(t, srv.Throttled(), "never over the fake's hourly budget")
}

// A sync larger than the hourly budget waits for the budget within the caller's
// context instead of failing at the per-call timeout: 31 requests against a budget
// of 10 an hour take the burst, then a token an hour, and never pass the fake's own
// window.
func TestSyncLargerThanTheBudgetWaitsForIt(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := maddencotest.NewServer(t, maddencotest.WithClock(clk), maddencotest.WithRateLimit(10))
	cfg := srv.Config()
	cfg.RequestsPerHour = 10
	c, err := maddenco.New(cfg, maddenco.WithClock(clk))
	require.NoError(t, err)
	start, n := clk.Now(), 0
	for _, err := range c.Sync(context.Background(), &connectors.MemoryCheckpoint{}, maddenco.SyncOptions{}) {
		require.NoError(t, err)
		n++
	}
	t.Logf("%d changes in %d requests, %s of fake time", n, len(srv.Requests()), clk.Now().Sub(start))
	require.GreaterOrEqual(t, n, 5000)
	require.Zero(t, srv.Throttled(), "never over the budget")
	require.Greater(t, clk.Now().Sub(start), 20*time.Hour, "it waited for the budget, hour by hour")
}
