package clock

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFakeSleepAdvancesAndRecords(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	require.NoError(t, f.Sleep(context.Background(), 30*time.Second))
	require.NoError(t, f.Sleep(context.Background(), 5*time.Second))
	assert.Equal(t, start.Add(35*time.Second), f.Now())
	assert.Equal(t, []time.Duration{30 * time.Second, 5 * time.Second}, f.Sleeps())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, f.Sleep(ctx, time.Hour), context.Canceled)
	assert.Equal(t, start.Add(35*time.Second), f.Now(), "a cancelled sleep does not advance")
}

func TestFakeAfterFuncFiresInOrderAndStops(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	var got []int
	f.AfterFunc(2*time.Second, func() { got = append(got, 2) })
	f.AfterFunc(1*time.Second, func() { got = append(got, 1) })
	stopped := f.AfterFunc(1500*time.Millisecond, func() { got = append(got, 15) })
	assert.True(t, stopped.Stop())
	assert.False(t, stopped.Stop(), "second Stop reports nothing to stop")
	f.Advance(500 * time.Millisecond)
	assert.Empty(t, got)
	f.Advance(2 * time.Second)
	assert.Equal(t, []int{1, 2}, got)
	assert.Zero(t, f.Pending())
}

func TestRealSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, Real{}.Sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, Real{}.Sleep(context.Background(), 0))
	done := make(chan struct{})
	tm := Real{}.AfterFunc(time.Millisecond, func() { close(done) })
	<-done
	assert.False(t, tm.Stop())
}

func TestSteppedSleepersWakeAtTheirOwnTime(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewStepped(start)
	woke := make(chan time.Time, 3)
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		go func() {
			_ = f.Sleep(context.Background(), d)
			woke <- f.Now()
		}()
	}
	for f.Sleepers() < 3 {
		runtime.Gosched()
	}
	for i := 1; i <= 3; i++ {
		require.True(t, f.AdvanceToNext())
		assert.Equal(t, start.Add(time.Duration(i)*time.Second), <-woke, "each sleeper wakes at its own time")
	}
	assert.False(t, f.AdvanceToNext(), "nothing left")

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- f.Sleep(ctx, time.Hour) }()
	for f.Sleepers() < 1 {
		runtime.Gosched()
	}
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	assert.Zero(t, f.Pending(), "a cancelled sleep leaves no wake-up behind")
}

// Tick on the real clock is a monotonic reading close to time.Now, ordered with it;
// on any other clock it is that clock's Now.
func TestTick(t *testing.T) {
	before := time.Now()
	got := Tick(Real{})
	after := time.Now()
	assert.False(t, got.Before(before), "a later monotonic reading")
	assert.False(t, after.Before(got))
	assert.Less(t, got.Sub(before), time.Second)
	assert.Contains(t, got.String(), "m=+", "it carries a monotonic reading")
	assert.InDelta(t, float64(before.UnixNano()), float64(got.UnixNano()), float64(time.Second), "its wall part is near the wall clock")

	f := NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, f.Now(), Tick(f))

	// Wall gives a Tick reading back as the wall clock shows it
	w := Wall(Real{}, got)
	assert.InDelta(t, float64(got.UnixNano()), float64(w.UnixNano()), float64(time.Second))
	assert.False(t, w.After(time.Now()))
	assert.True(t, Wall(Real{}, time.Time{}).IsZero())
	assert.Equal(t, f.Now(), Wall(f, f.Now()), "other clocks' readings are their own")
}

func BenchmarkClockReads(b *testing.B) {
	b.Run("time.Now", func(b *testing.B) {
		for b.Loop() {
			_ = time.Now()
		}
	})
	b.Run("Tick", func(b *testing.B) {
		var c Clock = Real{}
		for b.Loop() {
			_ = Tick(c)
		}
	})
}
