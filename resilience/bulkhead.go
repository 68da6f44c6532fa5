package resilience

import (
	"context"
	"time"

	"github.com/dispatchcenter/connectors/internal/clock"
)

// bulkhead bounds concurrent calls with a semaphore.
type bulkhead struct {
	sem     chan struct{}
	maxWait time.Duration
	clk     clock.Clock
}

func newBulkhead(p BulkheadPolicy, clk clock.Clock) *bulkhead {
	return &bulkhead{sem: make(chan struct{}, p.MaxConcurrent), maxWait: p.MaxWait, clk: clk}
}

func (b *bulkhead) acquire(ctx context.Context) error {
	select {
	case b.sem <- struct{}{}:
		return nil
	default:
	}
	if b.maxWait <= 0 {
		return errBulkhead
	}
	wait := b.maxWait
	if dl, ok := ctx.Deadline(); ok {
		if left := dl.Sub(b.clk.Now()); left < wait {
			wait = left
		}
	}
	if wait <= 0 {
		return errBulkhead
	}
	expired := make(chan struct{})
	t := b.clk.AfterFunc(wait, func() { close(expired) })
	defer t.Stop()
	select {
	case b.sem <- struct{}{}:
		return nil
	case <-expired:
		return errBulkhead
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *bulkhead) release() { <-b.sem }

func (b *bulkhead) inFlight() int { return len(b.sem) }
