package clock

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"time"
)

// Clock tells the time, sleeps and schedules functions.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done, in which case it returns ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f in its own goroutine once d has elapsed. Stop on the result
	// cancels the call and reports whether it did.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled call that can be cancelled.
type Timer interface {
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Fake is a manual clock for tests. Sleep advances it by the duration at once (so a
// 30-second backoff takes no time) and records the duration; AfterFunc fires when
// [Fake.Advance] (or a Sleep) moves the clock past its time.
type Fake struct {
	mu       sync.Mutex
	now      time.Time
	sleeps   []time.Duration
	timers   []*fakeTimer
	stepped  bool
	sleepers int
}

// NewFake returns a Fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// NewStepped returns a Fake clock set to start whose Sleep blocks until the clock is
// moved past the sleeper's wake-up time, by [Fake.Advance] or [Fake.AdvanceToNext]: for
// tests of many goroutines waiting at once, where each must wake at its own time and
// not when another sleeper moves the clock. The test drives it: when every goroutine
// it started is asleep ([Fake.Sleepers]), it advances to the next wake-up.
func NewStepped(start time.Time) *Fake { return &Fake{now: start, stepped: true} }

// Sleepers returns how many goroutines are blocked in Sleep (stepped clocks only).
func (f *Fake) Sleepers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sleepers
}

// Drive runs a stepped clock for goroutines that wait on it: whenever every one of
// the active() goroutines still working sleeps, it moves to the next wake-up; it
// returns when active() is 0. Use it from the test's goroutine.
func (f *Fake) Drive(active func() int) {
	for n := active(); n > 0; n = active() {
		if f.Sleepers() >= n {
			f.AdvanceToNext()
		} else {
			runtime.Gosched()
		}
	}
}

// AdvanceToNext moves the clock to the earliest scheduled call or wake-up and runs
// what falls due then. It reports false when nothing is scheduled.
func (f *Fake) AdvanceToNext() bool {
	f.mu.Lock()
	if len(f.timers) == 0 {
		f.mu.Unlock()
		return false
	}
	next := f.timers[0].at
	for _, t := range f.timers[1:] {
		if t.at.Before(next) {
			next = t.at
		}
	}
	f.mu.Unlock()
	f.advance(func(now time.Time) time.Time {
		if next.After(now) {
			return next
		}
		return now
	})
	return true
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep records d and moves the clock to the sleeper's wake-up time (the time of the
// call plus d) unless it is already past it, so concurrent sleepers wait together as
// they would on a real clock rather than one after the other. It does nothing when
// ctx is already done.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	wake := f.now.Add(d)
	if f.stepped {
		woke := make(chan struct{})
		// the sleeper stops counting the moment it is woken, before it runs again, so
		// a test driving the clock never sees it asleep after its wake-up
		t := &fakeTimer{clock: f, at: wake, fn: func() {
			f.mu.Lock()
			f.sleepers--
			f.mu.Unlock()
			close(woke)
		}}
		f.timers = append(f.timers, t)
		f.sleepers++
		f.mu.Unlock()
		select {
		case <-woke:
		case <-ctx.Done():
			if t.Stop() {
				f.mu.Lock()
				f.sleepers--
				f.mu.Unlock()
			}
		}
		return ctx.Err()
	}
	f.mu.Unlock()
	f.advance(func(now time.Time) time.Time {
		if wake.After(now) {
			return wake
		}
		return now
	})
	return ctx.Err()
}

// Sleeps returns the durations passed to Sleep so far, in order.
func (f *Fake) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// Advance moves the clock forward by d and runs, synchronously and in time order, the
// functions scheduled with AfterFunc that fall due.
func (f *Fake) Advance(d time.Duration) {
	f.advance(func(now time.Time) time.Time { return now.Add(d) })
}

// advance sets the clock to to(now) and runs the timers that fall due.
func (f *Fake) advance(to func(now time.Time) time.Time) {
	f.mu.Lock()
	f.now = to(f.now)
	now := f.now
	var due []*fakeTimer
	kept := f.timers[:0]
	for _, t := range f.timers {
		if !t.at.After(now) {
			due = append(due, t)
		} else {
			kept = append(kept, t)
		}
	}
	f.timers = kept
	f.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.fn()
	}
}

// AfterFunc schedules fn for when the clock reaches Now()+d.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	f.mu.Lock()
	t := &fakeTimer{clock: f, at: f.now.Add(d), fn: fn}
	f.timers = append(f.timers, t)
	f.mu.Unlock()
	return t
}

// Pending returns how many AfterFunc calls are scheduled and not yet run or stopped.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

type fakeTimer struct {
	clock *Fake
	at    time.Time
	fn    func()
}

func (t *fakeTimer) Stop() bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.timers {
		if x == t {
			f.timers = append(f.timers[:i], f.timers[i+1:]...)
			return true
		}
	}
	return false
}
