package fakekit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/fake"
)

// Fault is the public fake.Fault: the fakes take it from their users.
type Fault = fake.Fault

// Queue is a concurrency-safe queue of faults.
type Queue struct {
	mu     sync.Mutex
	faults []*Fault
}

// Add queues f (Times defaults to 1).
func (q *Queue) Add(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = append(q.faults, &f)
}

// Take returns the first fault matching op (or any of alts), counting it down.
func (q *Queue) Take(op string, alts ...string) *Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.faults {
		ok := f.Match == "" || f.Match == op
		for _, a := range alts {
			ok = ok || f.Match == a
		}
		if !ok {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			q.faults = append(q.faults[:i], q.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// Apply injects the transport-level part of f. It reports whether it wrote the whole
// answer (the fake must then write nothing).
func Apply(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	if !f.RetryAfterDate.IsZero() {
		w.Header().Set("Retry-After", f.RetryAfterDate.UTC().Format(http.TimeFormat))
	}
	switch {
	case f.Reset:
		Reset(w)
		return true
	case f.Status != 0:
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return true
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data": [{"id": "1", `)
		return true
	case f.Truncate:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		_, _ = io.WriteString(w, `{"data":[{"id":"1","name":"Tru`)
		return true
	}
	return false
}

// Reset closes the client's connection without an answer.
func Reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// Recorder keeps the requests a fake received, already masked by the fake.
type Recorder[T any] struct {
	mu   sync.Mutex
	reqs []T
}

// Add records one request.
func (r *Recorder[T]) Add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, v)
}

// All returns the requests recorded so far, in order.
func (r *Recorder[T]) All() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.reqs...)
}

// Life is a fake's lifetime outside a test: each fake's Server keeps one, which
// [Start] fills and Stop ends.
type Life struct {
	mu   sync.Mutex
	stop func()
}

// Stop runs the cleanups of a fake made by [Start], once, and reports whether it
// did: false for a fake made by its NewServer, which stops with its test.
func (l *Life) Stop() bool {
	l.mu.Lock()
	stop := l.stop
	l.stop = nil
	l.mu.Unlock()
	if stop == nil {
		return false
	}
	stop()
	return true
}

// Start builds a fake outside a test, for the fakes' New: newServer is the fake's
// NewServer; a failure it reports with Fatalf is returned as an error, after what it
// had started is stopped; life finds the fake's [Life], which its Close stops.
func Start[T any](newServer func(testing.TB) T, life func(T) *Life) (v T, err error) {
	tb := &standaloneTB{}
	defer func() {
		if p := recover(); p != nil {
			tb.Stop()
			var zero T
			v, err = zero, fmt.Errorf("%v", p)
		}
	}()
	v = newServer(tb)
	l := life(v)
	l.mu.Lock()
	l.stop = tb.Stop
	l.mu.Unlock()
	return v, nil
}

// standaloneTB stands in for *testing.T where a fake is started outside a test:
// Cleanup functions run on Stop, Fatalf panics (Standalone recovers it).
type standaloneTB struct {
	testing.TB
	fns []func()
}

// Helper does nothing.
func (e *standaloneTB) Helper() {}

// Cleanup registers f to run on Stop.
func (e *standaloneTB) Cleanup(f func()) { e.fns = append(e.fns, f) }

// Fatalf panics with the message.
func (e *standaloneTB) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// Stop runs the cleanups, last registered first.
func (e *standaloneTB) Stop() {
	for i := len(e.fns) - 1; i >= 0; i-- {
		e.fns[i]()
	}
}

// Advance moves a fake's clock forward by d, for the fakes' Advance: c is the fake's
// own *clock.Fake or the one its user gave it; a clock a test cannot move (the real
// one) makes Advance a programming error.
func Advance(c clock.Clock, d time.Duration) {
	f, ok := c.(*clock.Fake)
	if !ok {
		panic(fmt.Sprintf("fake clock: Advance needs a *clock.Fake, the fake was given a %T", c))
	}
	f.Advance(d)
}
