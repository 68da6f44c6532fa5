package resilience

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// deadlines enforces one kind of deadline (the calls' timeouts, or the attempts')
// for every call of a client with one timer. A context.WithDeadline per call costs a
// timer of its own, set and stopped every time (~400 ns and 4 allocations); here a
// deadline joins a heap and leaves it when its call or attempt ends, the timer is set
// for the earliest deadline only when none earlier is pending, and when it fires it
// ends everything past its deadline and is set again for the next one.
type deadlines struct {
	clk   clock.Clock      // real time (tests give a fake one to drive the timer)
	due   func(c *callCtx) // what a passed deadline does
	mu    sync.Mutex
	heap  []*deadline // a min-heap on at; deadline.slot is the index
	armed bool        // a timer is pending, for next
	next  time.Time
	gen   uint64 // which pending timer is the current one
	timer clock.Timer
}

// deadline is one entry: a call's deadline, or its current attempt's.
type deadline struct {
	at   time.Time
	slot int      // index in the heap; -1 once it left it
	ctx  *callCtx // the context it ends (its st is the call's state)
}

func newDeadlines(clk clock.Clock, due func(*callCtx)) deadlines {
	return deadlines{clk: clk, due: due}
}

// add puts e, whose at is set, under watch.
func (d *deadlines) add(e *deadline) {
	d.mu.Lock()
	e.slot = len(d.heap)
	d.heap = append(d.heap, e)
	d.up(e.slot)
	if !d.armed || e.at.Before(d.next) {
		if d.armed {
			d.timer.Stop() // if it is already firing, its generation is stale and it only sweeps
		}
		d.arm(e.at)
	}
	d.mu.Unlock()
}

// remove takes e off watch and reports whether it was still there (false: its
// deadline passed and the timer took it). The pending timer is left to fire, find
// nothing due and stop, which is cheaper than stopping and setting it every time.
func (d *deadlines) remove(e *deadline) bool {
	d.mu.Lock()
	i := e.slot
	if i >= 0 {
		d.removeAt(i)
	}
	d.mu.Unlock()
	return i >= 0
}

func (d *deadlines) arm(at time.Time) {
	d.gen++
	gen := d.gen
	d.armed, d.next = true, at
	d.timer = d.clk.AfterFunc(at.Sub(d.clk.Now()), func() { d.fire(gen) })
}

// fire ends what is past its deadline and, if it is the current timer, sets the next
// one.
func (d *deadlines) fire(gen uint64) {
	d.mu.Lock()
	now := d.clk.Now()
	var due []*callCtx
	for len(d.heap) > 0 && !d.heap[0].at.After(now) {
		due = append(due, d.heap[0].ctx) // the entry may be reused once it is off the heap
		d.removeAt(0)
	}
	if gen == d.gen {
		d.armed = false
		if len(d.heap) > 0 {
			d.arm(d.heap[0].at)
		}
	}
	d.mu.Unlock()
	for _, c := range due {
		d.due(c)
	}
}

// stop stops the pending timer (for tests that check nothing is left running).
func (d *deadlines) stop() {
	d.mu.Lock()
	if d.armed {
		d.timer.Stop()
		d.armed = false
	}
	d.mu.Unlock()
}

func (d *deadlines) removeAt(i int) {
	h := d.heap
	last := len(h) - 1
	h[i].slot = -1
	if i != last {
		h[i] = h[last]
		h[i].slot = i
	}
	h[last] = nil
	d.heap = h[:last]
	if i != last {
		d.down(i)
		d.up(i)
	}
}

func (d *deadlines) up(i int) {
	h := d.heap
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].at.Before(h[p].at) {
			return
		}
		h[i], h[p] = h[p], h[i]
		h[i].slot, h[p].slot = i, p
		i = p
	}
}

func (d *deadlines) down(i int) {
	h := d.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].at.Before(h[l].at) {
			m = r
		}
		if !h[m].at.Before(h[i].at) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].slot, h[m].slot = i, m
		i = m
	}
}

// callCtx is a call's context, the request's context on every attempt, so that
// go-retryablehttp's CheckRetry and the per-attempt transport find the call's state
// without a lookup chain. A call with a timeout of either kind has a cancellable
// context of its own; an attempt timeout cancels it, so the retry that follows gets a
// new one (see [callState.renew]).
type callCtx struct {
	context.Context                         // the call's own, or the caller's when it needs none
	cancel          context.CancelCauseFunc // nil when the call has no context of its own
	st              *callState
}

// Value finds the call state; other keys go to the caller's context.
func (c *callCtx) Value(key any) any {
	if _, ok := key.(stateKey); ok {
		return c.st
	}
	return c.Context.Value(key)
}

// Deadline is the call's deadline: its own, or its parent's when that is earlier (the
// call then sets none).
func (c *callCtx) Deadline() (time.Time, bool) {
	if c.st.watch != nil {
		return c.st.callDL.at, true
	}
	return c.Context.Deadline()
}

// Err is context.DeadlineExceeded once the call's own deadline has passed, as for a
// context from context.WithDeadline.
func (c *callCtx) Err() error {
	err := c.Context.Err()
	if err != nil && c.st.expired.Load() {
		return context.DeadlineExceeded
	}
	return err
}

// errAttemptCancelled is the cause of an attempt's context ended by the attempt timeout.
var errAttemptCancelled = errors.New("resilience: attempt timeout")

// own gives the call a cancellable context of its own, and, when dl is not zero, the
// deadline d enforces: the context ends with context.DeadlineExceeded as its cause
// when dl passes (Err says DeadlineExceeded too), and with the caller's.
func (s *callState) own(d *deadlines, dl time.Time) {
	s.ctx.Context, s.ctx.cancel = context.WithCancelCause(s.parent)
	s.cur.Store(&s.ctx)
	if !dl.IsZero() {
		s.callDL = deadline{at: dl, ctx: &s.ctx}
		s.watch = d
		d.add(&s.callDL)
	}
}

// release ends the call's deadline and its context (when it has its own). A context
// whose parent can never be cancelled is registered nowhere and left to the garbage
// collector: cancelling it only costs (~80 ns, locks included). Contexts derived from
// it (the transport's) end with their requests, as they do under net/http.
func (s *callState) release() {
	if s.watch != nil {
		s.watch.remove(&s.callDL)
	}
	if c := s.cur.Load(); c != nil && s.parent.Done() != nil {
		c.cancel(nil)
	}
}

// expireCall ends a call whose deadline passed (the deadlines' due for calls).
func expireCall(c *callCtx) { c.st.expire() }

func (s *callState) expire() {
	if s.parent.Err() != nil {
		return // cancelled by its caller first: not a timeout
	}
	s.expired.Store(true)
	if c := s.cur.Load(); c != nil {
		c.cancel(context.DeadlineExceeded)
	}
}

// expireAttempt ends the context of an attempt that got no headers in time (the
// deadlines' due for attempts).
func expireAttempt(c *callCtx) { c.cancel(errAttemptCancelled) }

// over reports whether the call itself is done: its caller cancelled it, or its own
// deadline or its caller's passed. An attempt timeout alone does not end it.
func (s *callState) over() bool { return s.expired.Load() || s.parent.Err() != nil }

// renew gives the call a new context after an attempt timeout ended the current one,
// and puts it on the request go-retryablehttp sends next: the retry loop reads the
// request's context after CheckRetry returns, for its wait, and copies the request
// for the next attempt.
func (s *callState) renew() *callCtx {
	n := &callCtx{st: s}
	n.Context, n.cancel = context.WithCancelCause(s.parent)
	s.cur.Store(n)
	if s.expired.Load() { // the call's deadline passed meanwhile: expire missed n
		n.cancel(context.DeadlineExceeded)
	}
	s.rreq.Request = s.rreq.Request.WithContext(n)
	return n
}

var _ context.Context = (*callCtx)(nil)
