package resilience

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// bulkhead bounds concurrent calls. A free slot costs one uncontended lock (a
// channel semaphore costs a channel send and receive, about twice as much); callers
// that may wait queue in arrival order and are handed a slot as one is released.
type bulkhead struct {
	mu      sync.Mutex
	n, max  int
	waiters []chan struct{} // closed when handed a slot
	maxWait time.Duration
	clk     clock.Clock
}

func newBulkhead(p BulkheadPolicy, clk clock.Clock) *bulkhead {
	return &bulkhead{max: p.MaxConcurrent, maxWait: p.MaxWait, clk: clk}
}

// tryAcquire takes a free slot if there is one and no caller is queued for it.
func (b *bulkhead) tryAcquire() bool {
	b.mu.Lock()
	ok := b.n < b.max && len(b.waiters) == 0
	if ok {
		b.n++
	}
	b.mu.Unlock()
	return ok
}

// acquire takes a slot, waiting for one up to the policy's MaxWait (never past ctx's
// deadline) when none is free. Callers try [bulkhead.tryAcquire] first: acquire is
// the slow path, and checks for a free slot once more under the lock.
func (b *bulkhead) acquire(ctx context.Context) error {
	wait := b.maxWait
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < wait { // a context deadline is real time
			wait = left
		}
	}
	b.mu.Lock()
	if b.n < b.max && len(b.waiters) == 0 {
		b.n++
		b.mu.Unlock()
		return nil
	}
	if wait <= 0 {
		b.mu.Unlock()
		return errBulkhead
	}
	handed := make(chan struct{})
	b.waiters = append(b.waiters, handed)
	b.mu.Unlock()

	expired := make(chan struct{})
	t := b.clk.AfterFunc(wait, func() { close(expired) })
	defer t.Stop()
	var err error
	select {
	case <-handed:
		return nil
	case <-expired:
		err = errBulkhead
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, w := range b.waiters {
		if w == handed {
			b.waiters = slices.Delete(b.waiters, i, i+1)
			return err
		}
	}
	b.releaseLocked() // handed a slot as it gave up: pass it on
	return err
}

// release frees a slot, or hands it to the first caller queued.
func (b *bulkhead) release() {
	b.mu.Lock()
	b.releaseLocked()
	b.mu.Unlock()
}

func (b *bulkhead) releaseLocked() {
	if len(b.waiters) > 0 {
		w := b.waiters[0]
		b.waiters[0] = nil
		b.waiters = b.waiters[1:]
		close(w)
	} else {
		b.n--
	}
}

// load reports the calls holding a slot and the calls queued for one.
func (b *bulkhead) load() (inFlight, queued int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n, len(b.waiters)
}
