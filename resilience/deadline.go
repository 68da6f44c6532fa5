package resilience

import (
	"context"
	"errors"
	"time"
)

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
	if !c.st.deadline.IsZero() {
		return c.st.deadline, true
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

// own gives the call a cancellable context of its own, and, when dl is not zero, a
// deadline: the context ends with context.DeadlineExceeded as its cause when dl
// passes (Err says DeadlineExceeded too), and with the caller's. Deadlines are real
// time, whatever the client's clock.
func (s *callState) own(dl time.Time) {
	s.ctx.Context, s.ctx.cancel = context.WithCancelCause(s.parent)
	s.cur.Store(&s.ctx)
	if !dl.IsZero() {
		s.deadline = dl
		s.timer = time.AfterFunc(time.Until(dl), s.expire)
	}
}

// release stops the call's deadline and ends its context (when it has its own). A
// context whose parent can never be cancelled is registered nowhere and left to the
// garbage collector. Contexts derived from it (the transport's) end with their
// requests, as they do under net/http.
func (s *callState) release() {
	if s.timer != nil {
		s.timer.Stop()
	}
	if c := s.cur.Load(); c != nil && s.parent.Done() != nil {
		c.cancel(nil)
	}
}

func (s *callState) expire() {
	if s.parent.Err() != nil {
		return // cancelled by its caller first: not a timeout
	}
	s.expired.Store(true)
	if c := s.cur.Load(); c != nil {
		c.cancel(context.DeadlineExceeded)
	}
}

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
