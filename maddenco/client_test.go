package maddenco_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/resilience"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newClient(t *testing.T, srv *maddencotest.Server, clk clock.Clock, opts ...maddenco.Option) *maddenco.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	if clk == nil {
		clk = clock.NewFake(time.Now())
	}
	all := append([]maddenco.Option{maddenco.WithHTTPClient(&http.Client{Transport: tr}), maddenco.WithClock(clk)}, opts...)
	c, err := maddenco.New(srv.Config(), all...)
	require.NoError(t, err)
	return c
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func TestConfig(t *testing.T) {
	_, err := maddenco.New(maddenco.Config{Burst: -1})
	require.Error(t, err)
	for _, f := range []string{"BaseURL", "APIKey", "Burst"} {
		assert.Contains(t, err.Error(), f)
	}
	_, err = maddenco.New(maddenco.Config{BaseURL: "http://maddenco.example.com", APIKey: "k"})
	assert.ErrorContains(t, err, "plain http", "credentials never travel in clear to a real host")
}

func TestReads(t *testing.T) {
	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(1200))
	c := newClient(t, srv, nil)
	ctx := context.Background()

	all := collect(t, c.EquipmentList(ctx, maddenco.EquipmentFilter{PageSize: 500}))
	require.Len(t, all, 1200)
	seen := map[string]bool{}
	for i, e := range all {
		require.False(t, seen[e.ID], "no duplicates across pages")
		seen[e.ID] = true
		if i > 0 {
			require.Less(t, all[i-1].ID, e.ID, "id order")
		}
	}

	e, err := c.Equipment(ctx, maddencotest.EquipmentID(7))
	require.NoError(t, err)
	assert.Equal(t, maddencotest.EquipmentID(7), e.Value.ID)
	assert.False(t, e.Stale)
	assert.NotEmpty(t, e.Value.Specifications)
	assert.True(t, e.Value.Warranty.EndsOn.After(e.Value.Warranty.StartsOn.Time))

	site := maddencotest.Sites()[3]
	at, err := c.SiteEquipment(ctx, site)
	require.NoError(t, err)
	assert.Len(t, at.Value, 30, "1200 pieces over 40 sites")
	for _, e := range at.Value {
		assert.Equal(t, site, e.Location.SiteID)
	}

	inRepair := collect(t, c.EquipmentList(ctx, maddenco.EquipmentFilter{Status: maddenco.EquipmentStatusInRepair}))
	require.NotEmpty(t, inRepair)
	for _, e := range inRepair {
		assert.Equal(t, maddenco.EquipmentStatusInRepair, e.Status)
	}

	due := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	scheds := collect(t, c.MaintenanceSchedules(ctx, "", due))
	require.NotEmpty(t, scheds)
	for i, s := range scheds {
		assert.True(t, s.NextDueOn.Before(due))
		if i > 0 {
			assert.False(t, s.NextDueOn.Before(scheds[i-1].NextDueOn.Time), "soonest due first")
		}
	}
	one := collect(t, c.MaintenanceSchedules(ctx, maddencotest.EquipmentID(7), time.Time{}))
	require.Len(t, one, 1)
	logs := collect(t, c.MaintenanceLogs(ctx, maddencotest.EquipmentID(7), time.Time{}))
	require.Len(t, logs, 1)
	assert.Equal(t, one[0].ID, logs[0].ScheduleID)

	low := collect(t, c.Parts(ctx, maddenco.PartFilter{BelowReorderPoint: true}))
	require.NotEmpty(t, low)
	for _, p := range low {
		assert.LessOrEqual(t, p.QuantityOnHand, p.ReorderPoint)
	}
	p, err := c.Part(ctx, low[0].PartNumber)
	require.NoError(t, err)
	assert.Equal(t, low[0].PartNumber, p.Value.PartNumber)
}

func TestWrites(t *testing.T) {
	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(50))
	c := newClient(t, srv, nil)
	ctx := context.Background()
	eq := maddencotest.EquipmentID(3)
	at := time.Date(2026, 2, 3, 15, 4, 0, 0, time.UTC)

	wc := maddenco.WorkOrderCompletion{Status: maddenco.WorkOrderCompletionStatusCompleted, CompletedAt: at, EquipmentIDs: []string{eq},
		TechnicianID: "T0001", LaborHours: 1.5, PartsUsed: []maddenco.PartUsed{{PartNumber: maddencotest.PartNumber(1), Quantity: 2}}}
	got, err := c.ReportCompletion(ctx, "SR000123", wc)
	require.NoError(t, err)
	assert.Equal(t, wc.Status, got.Status)
	// the completion's answer is lost: the retried PUT replaces, nothing is duplicated
	srv.Fail(maddencotest.Fault{Match: "putWorkOrderCompletion", After: true, Reset: true})
	wc.Notes = "corrected"
	_, err = c.ReportCompletion(ctx, "SR000123", wc)
	require.NoError(t, err)
	stored, ok := srv.Completion("SR000123")
	require.True(t, ok)
	assert.Equal(t, "corrected", stored.Notes)

	_, err = c.ReportCompletion(ctx, "SR000124", maddenco.WorkOrderCompletion{Status: maddenco.WorkOrderCompletionStatusCompleted, CompletedAt: at, EquipmentIDs: []string{"EQ99999"}})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest)
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "unknown_equipment", ae.Code)
	assert.Equal(t, 422, ae.StatusCode)
	assert.NotEmpty(t, ae.RequestID)

	before, err := c.Equipment(ctx, eq)
	require.NoError(t, err)
	for _, h := range []float64{6, 4} { // the second report for the day replaces the first
		_, err = c.ReportUsage(ctx, eq, at, maddenco.UsageReport{Hours: h, Cycles: 12, WorkOrderIDs: []string{"SR000123"}})
		require.NoError(t, err)
	}
	u, ok := srv.Usage(eq, "2026-02-03")
	require.True(t, ok)
	assert.Equal(t, 4.0, u.Hours)
	var after maddenco.Equipment
	for e, err := range c.EquipmentList(ctx, maddenco.EquipmentFilter{}) { // lists are a different cache entry
		require.NoError(t, err)
		if e.ID == eq {
			after = e
		}
	}
	assert.Equal(t, before.Value.MeterHours+4, after.MeterHours)

	_, err = c.ReportUsage(ctx, "EQ99999", at, maddenco.UsageReport{Hours: 1})
	assert.ErrorIs(t, err, connectors.ErrNotFound)
	_, err = c.ReportUsage(ctx, eq, at, maddenco.UsageReport{Hours: 25})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "the fake checks the body against the contract")
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(t *testing.T) *maddenco.Client
		want  error
	}{
		{"unknown equipment", func(t *testing.T) *maddenco.Client {
			return newClient(t, maddencotest.NewServer(t, maddencotest.WithEquipment(5)), nil)
		}, connectors.ErrNotFound},
		{"wrong key", func(t *testing.T) *maddenco.Client {
			srv := maddencotest.NewServer(t, maddencotest.WithEquipment(5))
			cfg := srv.Config()
			cfg.APIKey = "nope"
			c, err := maddenco.New(cfg, maddenco.WithClock(clock.NewFake(time.Now())))
			require.NoError(t, err)
			return c
		}, connectors.ErrUnauthorized},
		{"outside the allowlist", func(t *testing.T) *maddenco.Client {
			return newClient(t, maddencotest.NewServer(t, maddencotest.WithEquipment(5), maddencotest.WithAllowlist("10.0.0.0/8")), nil)
		}, connectors.ErrForbidden},
		{"down with nothing cached", func(t *testing.T) *maddenco.Client {
			srv := maddencotest.NewServer(t, maddencotest.WithEquipment(5))
			srv.Fail(maddencotest.Fault{Status: 503, Times: 10})
			return newClient(t, srv, nil)
		}, connectors.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.setup(t)
			_, err := c.Equipment(ctx, "EQ99999")
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(5), maddencotest.WithAllowlist("127.0.0.0/8", "::1/128"))
	_, err := newClient(t, srv, nil).Equipment(ctx, maddencotest.EquipmentID(1))
	assert.NoError(t, err, "loopback is on this allowlist")
	assert.Zero(t, srv.Forbidden())
}

// The budget holds under 50 concurrent callers: 1 500 reads that would take the fake
// far past 1000 in an hour all succeed, none is refused, and they take as long as the
// budget says. The clocks are fake: the waits cost no time.
func TestHourlyLimitHeldUnderConcurrency(t *testing.T) {
	// a stepped clock: each waiting caller wakes at its own time, as on the wall clock
	clk := clock.NewStepped(time.Now())
	srv := maddencotest.NewServer(t, maddencotest.WithClock(clk))
	c := newClient(t, srv, clk)
	start := clk.Now()
	const callers, each = 50, 30
	var wg sync.WaitGroup
	var failed atomic.Int32
	var active atomic.Int32
	active.Store(callers)
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer active.Add(-1)
			for i := range each {
				// the daily jobs' way to wait longer than the default call timeout
				ctx := resilience.CallTimeout(context.Background(), 3*time.Hour)
				if _, err := c.Equipment(ctx, maddencotest.EquipmentID(1+g*each+i)); err != nil {
					if failed.Add(1) == 1 {
						t.Log(err)
					}
				}
			}
		}()
	}
	clk.Drive(func() int { return int(active.Load()) }) // when every caller waits, to the next wake-up
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Zero(t, srv.Throttled(), "the vendor never had to refuse a request")
	assert.LessOrEqual(t, srv.MaxInAnyHour(), 980)
	assert.Equal(t, callers*each, len(srv.Requests()), "no retries were needed")
	// 25 at once, then 955 an hour (2% headroom): 1 500 requests need (1500-25)/955 hours
	assert.GreaterOrEqual(t, clk.Now().Sub(start), (1500-25)*time.Hour/955)
}

// With the default call timeout a read that would have to wait for the budget fails
// at once, so a dispatch screen is never held for an hour; a read made before is
// answered from the stale fallback instead.
func TestSpentBudgetFailsFastOrServesStale(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := maddencotest.NewServer(t, maddencotest.WithClock(clk), maddencotest.WithEquipment(20))
	cfg := srv.Config()
	cfg.RequestsPerHour, cfg.Burst, cfg.CacheTTL = 10, 3, -1 // 9 an hour with the headroom
	c, err := maddenco.New(cfg, maddenco.WithClock(clk))
	require.NoError(t, err)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		s, err := c.Equipment(ctx, maddencotest.EquipmentID(i))
		require.NoError(t, err)
		require.False(t, s.Stale)
	}
	_, err = c.Equipment(ctx, maddencotest.EquipmentID(9))
	assert.ErrorIs(t, err, connectors.ErrRateLimited, "the next token is 8.6 minutes away, past the call timeout (150 s)")
	s, err := c.Equipment(ctx, maddencotest.EquipmentID(1))
	require.NoError(t, err)
	assert.True(t, s.Stale, "read before: served from the fallback")
	assert.Zero(t, srv.Throttled())
}

func TestStaleReadsWhileMaddencoIsDown(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := maddencotest.NewServer(t, maddencotest.WithClock(clk), maddencotest.WithEquipment(100))
	c := newClient(t, srv, clk)
	ctx := context.Background()
	id := maddencotest.EquipmentID(42)
	live, err := c.Equipment(ctx, id)
	require.NoError(t, err)
	_, err = c.SiteEquipment(ctx, live.Value.Location.SiteID)
	require.NoError(t, err)
	_, err = c.Part(ctx, maddencotest.PartNumber(5))
	require.NoError(t, err)
	readAt := clk.Now()

	clk.Advance(10 * time.Minute) // past the 5-minute cache: the next reads ask Maddenco
	srv.Fail(maddencotest.Fault{Status: 503, Times: 1000})
	cases := []struct {
		name string
		read func() (bool, time.Time, error)
	}{
		{"equipment", func() (bool, time.Time, error) { s, err := c.Equipment(ctx, id); return s.Stale, s.AsOf, err }},
		{"site", func() (bool, time.Time, error) {
			s, err := c.SiteEquipment(ctx, live.Value.Location.SiteID)
			return s.Stale, s.AsOf, err
		}},
		{"part", func() (bool, time.Time, error) {
			s, err := c.Part(ctx, maddencotest.PartNumber(5))
			return s.Stale, s.AsOf, err
		}},
		{"part again", func() (bool, time.Time, error) {
			s, err := c.Part(ctx, maddencotest.PartNumber(5))
			return s.Stale, s.AsOf, err
		}},
		// the fifth failed call: the breaker counts calls, not their attempts
		{"equipment again, opening the breaker", func() (bool, time.Time, error) { s, err := c.Equipment(ctx, id); return s.Stale, s.AsOf, err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stale, asOf, err := tc.read()
			require.NoError(t, err)
			assert.True(t, stale)
			assert.False(t, asOf.After(readAt), "as of when it was last read live")
		})
	}
	for _, st := range c.Health().Breakers {
		assert.Equal(t, resilience.StateOpen, st, "five failed calls opened the breaker")
	}
	_, err = c.Equipment(ctx, maddencotest.EquipmentID(43))
	assert.ErrorIs(t, err, connectors.ErrCircuitOpen, "never read: nothing to fall back on")
}

func TestChangesResumeFromTheCheckpoint(t *testing.T) {
	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(120))
	c := newClient(t, srv, nil)
	ctx := context.Background()
	cp := &connectors.MemoryCheckpoint{}
	const seeded = 120*3 + 300

	// the first run stops half-way (a crash, or the caller breaking out)
	n := 0
	for _, err := range c.Sync(ctx, cp, maddenco.SyncOptions{PageSize: 100}) {
		require.NoError(t, err)
		if n++; n == 250 {
			break
		}
	}
	// the next run resumes with the batch it was in: 200 were saved as done
	var rest []maddenco.Change
	for ch, err := range c.Sync(ctx, cp, maddenco.SyncOptions{PageSize: 100}) {
		require.NoError(t, err)
		rest = append(rest, ch)
	}
	require.Len(t, rest, seeded-200)
	assert.EqualValues(t, 201, rest[0].Seq)

	assert.Empty(t, collect(t, c.Sync(ctx, cp, maddenco.SyncOptions{})), "nothing new")
	require.True(t, srv.SetStatus(maddencotest.EquipmentID(9), maddenco.EquipmentStatusOutOfService))
	require.True(t, srv.RetirePart(maddencotest.PartNumber(2)))
	got := collect(t, c.Sync(ctx, cp, maddenco.SyncOptions{}))
	require.Len(t, got, 2)
	assert.Equal(t, maddenco.ChangeKindEquipment, got[0].Kind)
	assert.Equal(t, maddenco.EquipmentStatusOutOfService, got[0].Equipment.Status)
	assert.Equal(t, maddenco.ChangeOpDelete, got[1].Op)
	assert.Equal(t, maddencotest.PartNumber(2), got[1].ID)

	bad := &connectors.MemoryCheckpoint{}
	require.NoError(t, bad.Save(ctx, []byte("{")))
	for _, err := range c.Sync(ctx, bad, maddenco.SyncOptions{}) {
		assert.ErrorContains(t, err, "bad sync checkpoint")
	}
}

func TestTheAPIKeyIsNeverLogged(t *testing.T) {
	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(5))
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv, nil, maddenco.WithLogger(log))
	srv.Fail(maddencotest.Fault{Status: 503, Times: 2})
	_, err := c.Equipment(context.Background(), maddencotest.EquipmentID(1))
	require.NoError(t, err)
	_, err = c.Equipment(context.Background(), "EQ99999")
	require.Error(t, err)
	require.NotZero(t, buf.Len(), "the retries were logged")
	assert.NotContains(t, buf.String(), maddencotest.APIKey)
	assert.NotContains(t, err.Error(), maddencotest.APIKey)
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Body+r.Query, maddencotest.APIKey)
	}
	assert.False(t, errors.Is(err, connectors.ErrUnavailable))
}
