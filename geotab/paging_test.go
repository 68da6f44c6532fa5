package geotab_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/resilience"
)

// TestDayOfFleetPagesWhole: a day of GPS for 50 vehicles (every 30 s while they
// drive) is more than one Get may answer. Unpaged, MyGeotab refuses it with
// OverLimitException; LogRecords pages through it whole, in date order, each record
// once, as many as GetCountOf counts.
func TestDayOfFleetPagesWhole(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(50), geotabtest.WithZones(0))
	srv.Advance(24 * time.Hour)
	pages := 0
	c, _ := newClient(t, srv, geotab.WithHooks(resilience.Hooks{OnCall: func(ci resilience.CallInfo) {
		if ci.Route == "Get LogRecord" {
			pages++
		}
	}}))
	ctx := context.Background()
	total, err := c.CountOf(ctx, geotab.TypeNameLogRecord)
	require.NoError(t, err)
	require.Greater(t, total, 2*geotab.MaxResults, "a day of a 50-vehicle fleet")

	_, err = geotab.Get[geotab.LogRecord](ctx, c, geotab.TypeNameLogRecord, nil, 0)
	var ge *geotab.Error
	require.ErrorAs(t, err, &ge, "an unpaged Get of a day is refused")
	assert.Equal(t, geotab.ExOverLimit, ge.Exception)
	pages = 0

	seen := make(map[string]bool, total)
	var prev time.Time
	for lr, err := range c.LogRecords(ctx, geotab.DateRangeSearch{}) {
		require.NoError(t, err)
		require.False(t, seen[lr.ID], "each record once")
		seen[lr.ID] = true
		require.False(t, lr.DateTime.Before(prev), "in date order")
		prev = lr.DateTime.Time
	}
	assert.Equal(t, total, len(seen), "the whole day")
	assert.Equal(t, total/geotab.MaxResults+1, pages, "full pages of 50 000, then the rest")
}

// TestGetAllBreaksTiesOnLastID pages with pages smaller than one instant's records
// (every vehicle reports at the same 30-second step), through the time-ordered and
// the sorted paths of the fake, and matches the unpaged answer.
func TestGetAllBreaksTiesOnLastID(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(5), geotabtest.WithZones(5))
	srv.Advance(3 * time.Hour)
	c, _ := newClient(t, srv)
	ctx := context.Background()
	ids := func(t *testing.T, recs []string, err error) []string {
		t.Helper()
		require.NoError(t, err)
		require.NotEmpty(t, recs)
		return recs
	}
	for _, size := range []int{1, 3, 7, 1000} {
		want, err := geotab.Get[geotab.LogRecord](ctx, c, geotab.TypeNameLogRecord, nil, 0)
		require.NoError(t, err)
		got, err := geotab.Collect(geotab.GetAll[geotab.LogRecord](ctx, c, geotab.TypeNameLogRecord, nil, size*3))
		assert.Equal(t, idsOf(want), ids(t, idsOf(got), err), "LogRecord pages of %d", size*3)

		wantEv, err := geotab.Get[geotab.ExceptionEvent](ctx, c, geotab.TypeNameExceptionEvent, nil, 0)
		require.NoError(t, err)
		gotEv, err := geotab.Collect(geotab.GetAll[geotab.ExceptionEvent](ctx, c, geotab.TypeNameExceptionEvent, nil, size))
		assert.ElementsMatch(t, idsOf(wantEv), ids(t, idsOf(gotEv), err), "ExceptionEvent pages of %d", size)
	}
}

func idsOf[T geotab.LogRecord | geotab.ExceptionEvent](recs []T) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		switch v := any(r).(type) {
		case geotab.LogRecord:
			out[i] = v.ID
		case geotab.ExceptionEvent:
			out[i] = v.ID
		}
	}
	return out
}

// BenchmarkLogRecordsDays pages through 1 and 7 days of GPS of a 50-vehicle fleet
// (about 120 000 records a day) and reports the heap the read keeps live above the
// fake's own data ("live-MiB", measured after a collection in the middle of every
// page): one page's worth, whatever the length of the history.
func BenchmarkLogRecordsDays(b *testing.B) {
	for _, days := range []int{1, 7} {
		b.Run(map[int]string{1: "1day", 7: "7days"}[days], func(b *testing.B) {
			srv := geotabtest.NewServer(b, geotabtest.WithVehicles(50), geotabtest.WithZones(0))
			srv.Advance(time.Duration(days) * 24 * time.Hour)
			c, err := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
			require.NoError(b, err)
			ctx := context.Background()
			live := func() uint64 {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			var peak uint64
			n := 0
			for b.Loop() {
				b.StopTimer()
				base := live()
				b.StartTimer()
				n = 0
				for _, err := range c.LogRecords(ctx, geotab.DateRangeSearch{}) {
					if err != nil {
						b.Fatal(err)
					}
					if n++; n%geotab.MaxResults == geotab.MaxResults/2 {
						b.StopTimer()
						if l := live(); l > base {
							peak = max(peak, l-base)
						}
						b.StartTimer()
					}
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "live-MiB")
			b.ReportMetric(float64(n), "records")
		})
	}
}
