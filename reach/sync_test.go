package reach_test

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
)

var errCrash = errors.New("simulated crash")

// syncOnce runs a sync to its end, or "crashes" after crashAfter changes (0: never).
func syncOnce(t *testing.T, c *reach.Client, cp connectors.Checkpoint, crashAfter int) (map[string]bool, error) {
	t.Helper()
	seen := map[string]bool{}
	n := 0
	for ch, err := range c.Sync(context.Background(), cp, reach.SyncOptions{Kinds: []reach.Kind{reach.KindServiceRequest}, PageSize: 25}) {
		if err != nil {
			return seen, err
		}
		seen[ch.ServiceRequest.ID] = true
		if n++; crashAfter > 0 && n == crashAfter {
			return seen, errCrash
		}
	}
	return seen, nil
}

func TestSyncResumesAfterACrashWithoutGaps(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(180))
	cp := connectors.FileCheckpoint{Path: filepath.Join(t.TempDir(), "reach-sync.json")}

	// first run crashes in the middle of the fourth page
	first, err := syncOnce(t, newClient(t, srv), cp, 90)
	require.ErrorIs(t, err, errCrash)
	// a new process resumes from the checkpoint and finishes
	second, err := syncOnce(t, newClient(t, srv), cp, 0)
	require.NoError(t, err)
	all := map[string]bool{}
	for id := range first {
		all[id] = true
	}
	for id := range second {
		all[id] = true
	}
	assert.Len(t, all, 180, "every record arrived")
	assert.LessOrEqual(t, len(second), 180-75, "the resumed run did not start over (pages before the crash were saved)")

	// changes made after the sync show up on the next run, and only those (plus the
	// overlap window)
	srv.Advance(time.Hour)
	require.True(t, srv.Touch("SR000007"))
	require.True(t, srv.Touch("SR000042"))
	third, err := syncOnce(t, newClient(t, srv), cp, 0)
	require.NoError(t, err)
	assert.True(t, third["SR000007"] && third["SR000042"])
	// besides them, only records from the 1-minute overlap before the last run's
	// newest change come again (at-least-once), not the whole table
	assert.Less(t, len(third), 6)
}

func TestExportResumesAfterACrash(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithExportSize(2500))
	cp := &connectors.MemoryCheckpoint{}
	c := newClient(t, srv)
	var seqs []int64
	for rec, err := range c.Export(context.Background(), reach.ExportOptions{Checkpoint: cp, PageSize: 400}) {
		require.NoError(t, err)
		seqs = append(seqs, rec.Seq)
		if len(seqs) == 1000 {
			break // crash inside the third page
		}
	}
	c2 := newClient(t, srv)
	for rec, err := range c2.Export(context.Background(), reach.ExportOptions{Checkpoint: cp, PageSize: 400}) {
		require.NoError(t, err)
		seqs = append(seqs, rec.Seq)
	}
	got := map[int64]bool{}
	for _, s := range seqs {
		got[s] = true
	}
	assert.Len(t, got, 2500, "nothing lost")
	assert.Len(t, seqs, 2500+200, "only the unfinished page came again")
	// a finished export stays finished
	for range c2.Export(context.Background(), reach.ExportOptions{Checkpoint: cp}) {
		t.Fatal("the export was finished")
	}
}

// BenchmarkExport1M streams 1 000 000 export records from the fake through the client
// and reports records/s and the peak heap; goal: peak heap under 64 MiB and flat
// between 100 000 and 1 000 000 records.
func BenchmarkExport1M(b *testing.B) {
	for _, n := range []int64{100_000, 1_000_000} {
		b.Run(formatN(n), func(b *testing.B) {
			srv := reachtest.NewServer(b, reachtest.WithExportSize(n), reachtest.WithServiceRequests(0), reachtest.WithCustomers(1), reachtest.WithTechnicians(1))
			c, err := reach.New(srv.Config())
			if err != nil {
				b.Fatal(err)
			}
			var peak uint64
			for b.Loop() {
				runtime.GC()
				count := int64(0)
				var ms runtime.MemStats
				for rec, err := range c.Export(context.Background(), reach.ExportOptions{PageSize: 5000}) {
					if err != nil {
						b.Fatal(err)
					}
					_ = rec
					if count++; count%100_000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
				}
				if count != n {
					b.Fatalf("%d records", count)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

func formatN(n int64) string {
	if n >= 1_000_000 {
		return "1M"
	}
	return "100k"
}
