package reach

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/dispatchcenter/connectors"
)

// Kind names a kind of Reach record.
type Kind string

// The kinds of record a sync and the export carry.
const (
	KindServiceRequest Kind = "service_request"
	KindTechnician     Kind = "technician"
	KindCustomer       Kind = "customer"
	KindCommunication  Kind = "communication"
)

// Change is one record that changed since the last sync; one of the pointers is set.
type Change struct {
	Kind           Kind
	ServiceRequest *ServiceRequest
	Technician     *Technician
	Customer       *Customer
}

// Position is where a sync of one kind stands: the newest change time fully
// processed, and the cursor inside the current run.
type Position struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
}

// SyncState is the checkpoint of a sync.
type SyncState map[Kind]Position

// SyncOptions configure [Client.Sync].
type SyncOptions struct {
	// Kinds to sync (default: service requests, technicians, customers).
	Kinds []Kind
	// Overlap re-reads this much before the last change time, so a change committed
	// late with an earlier timestamp is not missed (default 1 minute). Changes
	// therefore arrive at least once: upsert them.
	Overlap time.Duration
	// PageSize per request (default 100).
	PageSize int
}

// Sync yields every record changed since the checkpoint, kind by kind, and saves the
// position after each page: after a crash it resumes inside the run that was going on,
// with no gap (a page in progress is read again).
func (c *Client) Sync(ctx context.Context, cp connectors.Checkpoint, o SyncOptions) iter.Seq2[Change, error] {
	if len(o.Kinds) == 0 {
		o.Kinds = []Kind{KindServiceRequest, KindTechnician, KindCustomer}
	}
	if o.Overlap <= 0 {
		o.Overlap = time.Minute
	}
	return func(yield func(Change, error) bool) {
		state := SyncState{}
		if b, err := cp.Load(ctx); err != nil {
			yield(Change{}, fmt.Errorf("reach: loading the sync checkpoint: %w", err))
			return
		} else if b != nil {
			if err := json.Unmarshal(b, &state); err != nil {
				yield(Change{}, fmt.Errorf("reach: bad sync checkpoint: %w", err))
				return
			}
		}
		save := func() error {
			b, _ := json.Marshal(state)
			return cp.Save(ctx, b)
		}
		for _, kind := range o.Kinds {
			pos := state[kind]
			since := time.Time{}
			if !pos.Since.IsZero() {
				since = pos.Since.Add(-o.Overlap)
			}
			newest := pos.Since
			for {
				items, next, err := c.changesPage(ctx, kind, since, pos.Cursor, o.PageSize)
				if err != nil {
					yield(Change{}, err)
					return
				}
				for _, ch := range items {
					if t := changedAt(ch); t.After(newest) {
						newest = t
					}
					if !yield(ch, nil) {
						return // the page is read again on resume
					}
				}
				pos.Cursor = next
				if next == "" {
					pos.Since = newest
				}
				state[kind] = pos
				if err := save(); err != nil {
					yield(Change{}, fmt.Errorf("reach: saving the sync checkpoint: %w", err))
					return
				}
				if next == "" {
					break
				}
			}
		}
	}
}

func changedAt(ch Change) time.Time {
	switch {
	case ch.ServiceRequest != nil:
		return ch.ServiceRequest.UpdatedAt
	case ch.Technician != nil:
		return ch.Technician.UpdatedAt
	case ch.Customer != nil:
		return ch.Customer.UpdatedAt
	}
	return time.Time{}
}

func (c *Client) changesPage(ctx context.Context, kind Kind, since time.Time, cursor string, size int) ([]Change, string, error) {
	o := ListOptions{UpdatedSince: since, PageSize: size}
	var out []Change
	switch kind {
	case KindServiceRequest:
		p, err := c.serviceRequestPage(ctx, ServiceRequestFilter{ListOptions: o}, cursor)
		if err != nil {
			return nil, "", err
		}
		for i := range p.Data {
			out = append(out, Change{Kind: kind, ServiceRequest: &p.Data[i]})
		}
		return out, p.NextCursor, nil
	case KindTechnician, KindCustomer:
		var next string
		var err error
		for v, e := range c.onePage(ctx, kind, o, cursor, &next) {
			if e != nil {
				err = e
				break
			}
			out = append(out, v)
		}
		return out, next, err
	}
	return nil, "", &connectors.APIError{System: "reach", Operation: "sync", Message: "kind " + string(kind) + " cannot be synced", Kind: connectors.ErrInvalidRequest}
}

// onePage fetches one page of technicians or customers.
func (c *Client) onePage(ctx context.Context, kind Kind, o ListOptions, cursor string, next *string) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		switch kind {
		case KindTechnician:
			p, err := c.technicianPage(ctx, "", o, cursor)
			if err != nil {
				yield(Change{}, err)
				return
			}
			*next = p.NextCursor
			for i := range p.Data {
				if !yield(Change{Kind: kind, Technician: &p.Data[i]}, nil) {
					return
				}
			}
		case KindCustomer:
			p, err := c.customerPage(ctx, o, cursor)
			if err != nil {
				yield(Change{}, err)
				return
			}
			*next = p.NextCursor
			for i := range p.Data {
				if !yield(Change{Kind: kind, Customer: &p.Data[i]}, nil) {
					return
				}
			}
		}
	}
}
