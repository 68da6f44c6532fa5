package resilience

import (
	"context"
	"sync"
	"time"
)

// deadlines enforces the call timeouts of one client with one runtime timer for every
// call in flight. A context.WithDeadline per call costs a timer of its own, set and
// stopped on every call (~400 ns and 4 allocations); here a call joins a heap ordered
// by deadline and leaves it when it ends, the timer is set for the earliest deadline
// only when none earlier is pending, and when it fires it ends every call past its
// deadline and is set again for the next one. Deadlines follow real time, as
// context.WithDeadline's do.
type deadlines struct {
	mu    sync.Mutex
	calls []*callState // a min-heap on deadline; callState.slot is the index
	armed bool         // a timer is pending, for at
	at    time.Time
	gen   uint64 // which pending timer is the current one
	stop  func() bool
}

// add puts s, whose deadline is set, under watch.
func (d *deadlines) add(s *callState) {
	d.mu.Lock()
	s.slot = len(d.calls)
	d.calls = append(d.calls, s)
	d.up(s.slot)
	if !d.armed || s.deadline.Before(d.at) {
		if d.armed {
			d.stop() // if it is already firing, its generation is stale and it only sweeps
		}
		d.arm(s.deadline)
	}
	d.mu.Unlock()
}

// remove takes s off watch (it ended); the pending timer is left to fire, find
// nothing due and stop, which is cheaper than stopping and setting it per call.
func (d *deadlines) remove(s *callState) {
	d.mu.Lock()
	if i := s.slot; i >= 0 {
		d.removeAt(i)
	}
	d.mu.Unlock()
}

func (d *deadlines) arm(at time.Time) {
	d.gen++
	gen := d.gen
	d.armed, d.at = true, at
	t := time.AfterFunc(time.Until(at), func() { d.fire(gen) })
	d.stop = t.Stop
}

// fire ends the calls past their deadline and, if it is the current timer, sets the
// next one.
func (d *deadlines) fire(gen uint64) {
	d.mu.Lock()
	now := time.Now()
	var due []*callState
	for len(d.calls) > 0 && !d.calls[0].deadline.After(now) {
		due = append(due, d.calls[0])
		d.removeAt(0)
	}
	if gen == d.gen {
		d.armed = false
		if len(d.calls) > 0 {
			d.arm(d.calls[0].deadline)
		}
	}
	d.mu.Unlock()
	for _, s := range due {
		s.expire()
	}
}

func (d *deadlines) removeAt(i int) {
	h := d.calls
	last := len(h) - 1
	h[i].slot = -1
	if i != last {
		h[i] = h[last]
		h[i].slot = i
	}
	h[last] = nil
	d.calls = h[:last]
	if i != last {
		d.down(i)
		d.up(i)
	}
}

func (d *deadlines) up(i int) {
	h := d.calls
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].deadline.Before(h[p].deadline) {
			return
		}
		h[i], h[p] = h[p], h[i]
		h[i].slot, h[p].slot = i, p
		i = p
	}
}

func (d *deadlines) down(i int) {
	h := d.calls
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].deadline.Before(h[l].deadline) {
			m = r
		}
		if !h[m].deadline.Before(h[i].deadline) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].slot, h[m].slot = i, m
		i = m
	}
}

// withDeadline makes s the context of a call that must end by dl: it cancels with
// context.DeadlineExceeded as its cause when dl passes (Err says DeadlineExceeded
// too), and with the parent.
func (s *callState) withDeadline(d *deadlines, dl time.Time) {
	s.Context, s.cancel = context.WithCancelCause(s.Context)
	s.deadline, s.watch = dl, d
	d.add(s)
}

// release ends the call's deadline and context (when it has its own).
func (s *callState) release() {
	if s.watch != nil {
		s.watch.remove(s)
		s.cancel(nil)
	}
}

func (s *callState) expire() {
	if s.Context.Err() != nil {
		return // ended already, or cancelled by its parent
	}
	s.expired.Store(true)
	s.cancel(context.DeadlineExceeded)
}

// Deadline is the call's deadline: its own, or its parent's when that is earlier (the
// call then sets none).
func (s *callState) Deadline() (time.Time, bool) {
	if s.watch != nil {
		return s.deadline, true
	}
	return s.Context.Deadline()
}

// Err is context.DeadlineExceeded once the call's own deadline has passed, as for a
// context from context.WithDeadline.
func (s *callState) Err() error {
	err := s.Context.Err()
	if err != nil && s.expired.Load() {
		return context.DeadlineExceeded
	}
	return err
}
