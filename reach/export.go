package reach

import (
	"context"
	"fmt"
	"iter"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// ExportOptions configure [Client.Export].
type ExportOptions struct {
	// Checkpoint keeps the export's cursor (required for a resumable migration).
	Checkpoint connectors.Checkpoint
	// PageSize per request (default 1000, at most 5000).
	PageSize int
}

// Export streams Reach's whole historical export (the 2 TB migration) one page at a
// time: memory stays constant whatever the export's size. The cursor is saved after
// each page, so after a crash the export resumes at the page that was going on
// (its records come again: write them idempotently, keyed on Seq).
func (c *Client) Export(ctx context.Context, o ExportOptions) iter.Seq2[ExportRecord, error] {
	if o.Checkpoint == nil {
		o.Checkpoint = &connectors.MemoryCheckpoint{}
	}
	if o.PageSize <= 0 {
		o.PageSize = 1000
	}
	return func(yield func(ExportRecord, error) bool) {
		b, err := o.Checkpoint.Load(ctx)
		if err != nil {
			yield(ExportRecord{}, fmt.Errorf("reach: loading the export checkpoint: %w", err))
			return
		}
		cursor := string(b)
		if cursor == exportDone {
			return
		}
		for {
			page, err := invoke[ExportPage](ctx, c, connector.Request{Op: "GET /api/export", Class: connectors.ClassPersonal,
				Query: connector.Query("cursor", cursor, "limit", connector.Int(o.PageSize))})
			if err != nil {
				yield(ExportRecord{}, err)
				return
			}
			for _, rec := range page.Data {
				if !yield(rec, nil) {
					return
				}
			}
			cursor = page.NextCursor
			mark := cursor
			if mark == "" {
				mark = exportDone
			}
			if err := o.Checkpoint.Save(ctx, []byte(mark)); err != nil {
				yield(ExportRecord{}, fmt.Errorf("reach: saving the export checkpoint: %w", err))
				return
			}
			if cursor == "" {
				return
			}
		}
	}
}

// exportDone marks a finished export in its checkpoint.
const exportDone = "done"
