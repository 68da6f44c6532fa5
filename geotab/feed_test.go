package geotab_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"encoding/json"
	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/resilience"
	"path/filepath"
)

// collect reads records from a feed until n arrived.
func collect[T any](t *testing.T, seq func(func(T, error) bool), n int) []T {
	t.Helper()
	var out []T
	for rec, err := range seq {
		require.NoError(t, err)
		out = append(out, rec)
		if len(out) == n {
			break
		}
	}
	return out
}

func TestLogRecordFeedResumesAfterRestart(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(3))
	start := srv.Now()
	srv.Advance(10 * time.Minute)
	cursor := connectors.FileCheckpoint{Path: filepath.Join(t.TempDir(), "logrecord-feed.json")}
	c1, _ := newClient(t, srv)
	ctx := context.Background()
	all, err := geotab.Collect(c1.LogRecords(ctx, geotab.DateRangeSearch{}))
	require.NoError(t, err)
	total := len(all)
	require.Greater(t, total, 10)

	// the first process backfills from the start in small pages, then stops
	opts := geotab.FeedOptions{Checkpoint: cursor, FromDate: start, PageSize: 7}
	first := collect(t, c1.LogRecordFeed(ctx, opts), total)
	assert.Len(t, first, total)
	b, err := cursor.Load(ctx)
	require.NoError(t, err)
	var saved struct{ Version string }
	require.NoError(t, json.Unmarshal(b, &saved))
	assert.Len(t, saved.Version, 16, "version tokens are 16 hex digits")

	// more data arrives; a new process resumes from the persisted token
	srv.Advance(5 * time.Minute)
	more, err := geotab.Collect(c1.LogRecords(ctx, geotab.DateRangeSearch{FromDate: geotab.NewTime(srv.Now().Add(-5 * time.Minute).Add(time.Second))}))
	require.NoError(t, err)
	require.NotEmpty(t, more)
	c2, _ := newClient(t, srv)
	seen := map[string]bool{}
	for _, r := range first {
		seen[r.ID] = true
	}
	want := map[string]bool{}
	for _, r := range more {
		want[r.ID] = true
	}
	dups := 0
	for r, err := range c2.LogRecordFeed(ctx, opts) {
		require.NoError(t, err)
		if seen[r.ID] {
			dups++ // the first process stopped inside a page, whose token was not saved
		}
		delete(want, r.ID)
		if len(want) == 0 {
			break
		}
	}
	assert.Less(t, dups, opts.PageSize, "only the unfinished page comes again (at-least-once)")
	assert.Equal(t, total%opts.PageSize, dups, "exactly the records of the unfinished page")
}

func TestNewFeedStartsAtThePresentAndBacksOff(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	srv.Advance(10 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := 0
	c, fc := newClient(t, srv, geotab.WithHooks(resilience.Hooks{OnCall: func(ci resilience.CallInfo) {
		if ci.Route == "GetFeed LogRecord" {
			if polls++; polls == 6 {
				cancel()
			}
		}
	}}))
	for _, err := range c.LogRecordFeed(ctx, geotab.FeedOptions{MinWait: time.Second, MaxWait: 8 * time.Second}) {
		require.NoError(t, err)
		t.Fatal("a new feed without FromDate returns nothing old")
	}
	assert.Equal(t, 6, polls)
	var waits []time.Duration
	for _, d := range fc.Sleeps() {
		if d >= time.Second {
			waits = append(waits, d)
		}
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}, waits,
		"empty polls back off, doubling up to MaxWait")
}

func TestTripsAreReplacedByDeviceAndStart(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	start := srv.Now()
	srv.Advance(2 * time.Hour)
	c, _ := newClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	byKey := map[string]geotab.Trip{}
	ids := map[string]bool{}
	for trip, err := range c.TripFeed(ctx, geotab.FeedOptions{FromDate: start}) {
		require.NoError(t, err)
		ids[trip.ID] = true
		byKey[geotab.TripKey(trip)] = trip // upsert
		if len(ids) >= 10 {
			break
		}
	}
	assert.Less(t, len(byKey), len(ids), "in-progress trips come again with new ids under the same key")
}

func TestExceptionEventFeedSeesInvalidations(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(10), geotabtest.WithZones(10))
	srv.Advance(3 * time.Hour)
	ctx := context.Background()
	cursor := &connectors.MemoryCheckpoint{}
	// one poll of a new feed saves the head token and yields nothing
	pollCtx, cancel := context.WithCancel(ctx)
	c, _ := newClient(t, srv, geotab.WithHooks(resilience.Hooks{OnCall: func(ci resilience.CallInfo) {
		if ci.Route == "GetFeed ExceptionEvent" {
			cancel()
		}
	}}))
	for _, err := range c.ExceptionEventFeed(pollCtx, geotab.FeedOptions{Checkpoint: cursor}) {
		require.NoError(t, err)
		t.Fatal("nothing old on a new feed")
	}
	b, err := cursor.Load(ctx)
	require.NoError(t, err)
	var head struct{ Version string }
	require.NoError(t, json.Unmarshal(b, &head))
	require.Len(t, head.Version, 16, "a new feed starts at the present: its token is saved")

	evs, err := geotab.Collect(c.ExceptionEvents(ctx, geotab.ExceptionEventSearch{}))
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	require.True(t, srv.InvalidateEvent(evs[0].ID))
	for ev, err := range c.ExceptionEventFeed(ctx, geotab.FeedOptions{Checkpoint: cursor}) {
		require.NoError(t, err)
		assert.Equal(t, evs[0].ID, ev.ID, "same id, newer version")
		assert.True(t, geotab.IsInvalidated(ev))
		break
	}
}
