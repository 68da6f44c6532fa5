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
	waitUntil(t, "three sleepers", func() bool { return f.Sleepers() == 3 })
	for i := 1; i <= 3; i++ {
		require.True(t, f.AdvanceToNext())
		assert.Equal(t, start.Add(time.Duration(i)*time.Second), <-woke, "each sleeper wakes at its own time")
	}
	assert.False(t, f.AdvanceToNext(), "nothing left")

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- f.Sleep(ctx, time.Hour) }()
	waitUntil(t, "the sleeper", func() bool { return f.Sleepers() == 1 })
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	assert.Zero(t, f.Pending(), "a cancelled sleep leaves no wake-up behind")
}

// waitUntil lets other goroutines run until cond holds, and fails the test, saying
// what it waited for, after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}
