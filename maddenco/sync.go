package maddenco

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/resilience"
)

// SyncOptions configure [Client.Sync].
type SyncOptions struct {
	// PageSize is the number of changes per request (default 500, the most allowed:
	// the daily sync should spend as little of the hourly budget as it can).
	PageSize int
}

type syncState struct {
	Cursor string `json:"cursor"`
}

// Sync yields every change committed since the checkpoint, in commit order, and
// saves the feed's cursor after each batch: a sync that stops (an error, a crash, the
// caller breaking out) resumes with the batch it was in, so changes arrive at least
// once and should be applied as upserts and deletions by id. The first run reads the
// whole history. It ends when Maddenco says no more changes are waiting. A sync larger
// than what is left of the hourly budget waits for the budget, as long as ctx allows:
// give ctx the deadline the whole sync may take.
func (c *Client) Sync(ctx context.Context, cp connectors.Checkpoint, o SyncOptions) iter.Seq2[Change, error] {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	return func(yield func(Change, error) bool) {
		var st syncState
		if b, err := cp.Load(ctx); err != nil {
			yield(Change{}, fmt.Errorf("maddenco: loading the sync checkpoint: %w", err))
			return
		} else if b != nil {
			if err := json.Unmarshal(b, &st); err != nil {
				yield(Change{}, fmt.Errorf("maddenco: bad sync checkpoint: %w", err))
				return
			}
		}
		// a long operation: each request is bounded by the policy's attempt timeout,
		// and the waits for the hourly budget by the caller's context alone, not by
		// the per-call timeout (a sync larger than the budget waits for the next hour)
		pageCtx := resilience.CallTimeout(ctx, 0)
		for {
			batch, _, err := invoke[ChangeBatch](pageCtx, c, connector.Request{Op: "GET /api/changes",
				Query: connector.Query("cursor", st.Cursor, "limit", connector.Int(o.PageSize))})
			if err != nil {
				yield(Change{}, err)
				return
			}
			for _, ch := range batch.Data {
				if !yield(ch, nil) {
					return // the batch is read again on resume
				}
			}
			st.Cursor = batch.Cursor
			b, _ := json.Marshal(st)
			if err := cp.Save(ctx, b); err != nil {
				yield(Change{}, fmt.Errorf("maddenco: saving the sync checkpoint: %w", err))
				return
			}
			if !batch.More || len(batch.Data) == 0 {
				return
			}
		}
	}
}
