package geotab

import (
	"context"
	"fmt"
	"iter"
	"time"

	"encoding/json"
	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/resilience"
)

// MaxFeedPage is the most records one GetFeed call returns; larger limits are clamped
// by the server.
const MaxFeedPage = 50000

// feedCaps are the per-type GetFeed limits below MaxFeedPage.
var feedCaps = map[TypeName]int{
	TypeNameDevice: 5000, TypeNameUser: 5000, TypeNameRoute: 10000, TypeNameRule: 10000, TypeNameZone: 10000,
}

// feedState is what a feed keeps in its checkpoint: MyGeotab keeps no position for
// the client, only the version token it answered last (GetFeed's toVersion).
type feedState struct {
	Version string `json:"version"`
}

func loadVersion(ctx context.Context, cp connectors.Checkpoint) (string, error) {
	b, err := cp.Load(ctx)
	if err != nil || len(b) == 0 {
		return "", err
	}
	var st feedState
	if err := json.Unmarshal(b, &st); err != nil {
		return "", fmt.Errorf("geotab: bad feed checkpoint: %w", err)
	}
	return st.Version, nil
}

func saveVersion(ctx context.Context, cp connectors.Checkpoint, version string) error {
	b, _ := json.Marshal(feedState{Version: version})
	return cp.Save(ctx, b)
}

// FeedOptions configure [Follow].
type FeedOptions struct {
	// Checkpoint keeps the feed's version token, so a restarted process resumes
	// where it stopped: one checkpoint per feed (connectors.FileCheckpoint on disk);
	// nil keeps it in memory.
	Checkpoint connectors.Checkpoint
	// FromDate, when set and no token is saved yet, backfills from that time. Without
	// it a new feed starts at the present.
	FromDate time.Time
	// PageSize is the resultsLimit (default and maximum: the type's cap, 50 000 for
	// most types).
	PageSize int
	// MinWait is the wait after a page that was not full (default 1 s); each empty
	// page doubles it, up to MaxWait (default 30 s).
	MinWait, MaxWait time.Duration
	// IncludeInvalidated asks for invalidated ExceptionEvents too (they arrive with
	// state ExceptionEventStateInvalidId; see [IsInvalidated]).
	IncludeInvalidated bool
}

type feedSearch struct {
	FromDate           Time `json:"fromDate,omitzero"`
	IncludeInvalidated bool `json:"includeInvalidated,omitempty"`
}

type feedPage[T any] struct {
	Data      []T    `json:"data"`
	ToVersion string `json:"toVersion"`
}

// Follow yields the records of typeName's data feed, page by page, forever: until ctx
// ends or the loop stops. A full page is followed at once; after a short one the feed
// waits, longer after each empty one. The token is saved after every record of a page
// was yielded, so a stop in the middle of a page re-delivers that page on resume
// (at-least-once: upsert by id). An error is yielded with the zero T; if the loop goes
// on, the call is retried after the wait. Only one page is held in memory.
func Follow[T any](ctx context.Context, c *Client, typeName TypeName, o FeedOptions) iter.Seq2[T, error] {
	limit := MaxFeedPage
	if cp, ok := feedCaps[typeName]; ok {
		limit = cp
	}
	if o.PageSize > 0 && o.PageSize < limit {
		limit = o.PageSize
	}
	if o.Checkpoint == nil {
		o.Checkpoint = &connectors.MemoryCheckpoint{}
	}
	if o.MinWait <= 0 {
		o.MinWait = time.Second
	}
	if o.MaxWait < o.MinWait {
		o.MaxWait = max(30*time.Second, o.MinWait)
	}
	// a full page can be tens of megabytes: MyGeotab allows GetFeed 180 s
	callCtx := resilience.CallTimeout(ctx, 180*time.Second)
	return func(yield func(T, error) bool) {
		var zero T
		wait := o.MinWait
		for ctx.Err() == nil {
			version, err := loadVersion(ctx, o.Checkpoint)
			var page feedPage[T]
			if err == nil {
				err = c.call(callCtx, "GetFeed "+string(typeName), "GetFeed", func(cr Credentials) any {
					p := GetFeedParams{TypeName: typeName, ResultsLimit: limit, Credentials: cr}
					s := feedSearch{IncludeInvalidated: o.IncludeInvalidated}
					if version != "" {
						p.FromVersion = version
					} else if !o.FromDate.IsZero() {
						s.FromDate = NewTime(o.FromDate)
					}
					if s != (feedSearch{}) {
						p.Search = s
					}
					return p
				}, &page)
			}
			if err == nil && page.ToVersion == "" {
				// MyGeotab's FeedResult always carries toVersion (Geotab SDK reference,
				// GetFeed); without it the feed cannot move on, and polling the same
				// version again would spin
				err = &connectors.APIError{System: "geotab", Operation: "GetFeed " + string(typeName), Kind: connectors.ErrUnavailable,
					Retryable: true, Message: "GetFeed answered without a toVersion"}
			}
			if err == nil {
				for _, rec := range page.Data {
					if !yield(rec, nil) {
						return
					}
				}
				err = saveVersion(ctx, o.Checkpoint, page.ToVersion)
			}
			sleep := wait
			switch {
			case err != nil:
				if ctx.Err() != nil || !yield(zero, err) {
					return
				}
				wait = min(wait*2, o.MaxWait)
			case len(page.Data) >= limit:
				wait = o.MinWait
				continue // more is waiting: no pause
			case len(page.Data) == 0:
				wait = min(wait*2, o.MaxWait) // quiet: wait longer next time
			default:
				sleep, wait = o.MinWait, o.MinWait // caught up
			}
			if c.clk.Sleep(ctx, sleep) != nil {
				return
			}
		}
	}
}

// LogRecordFeed follows GPS points: the way to consume 30-second positions of a
// whole fleet.
func (c *Client) LogRecordFeed(ctx context.Context, o FeedOptions) iter.Seq2[LogRecord, error] {
	return Follow[LogRecord](ctx, c, TypeNameLogRecord, o)
}

// ExceptionEventFeed follows rule violations (geofence entries and exits). Events are
// updated in place while active and may later be invalidated: upsert by id and check
// [IsInvalidated]. Invalidated events are included.
func (c *Client) ExceptionEventFeed(ctx context.Context, o FeedOptions) iter.Seq2[ExceptionEvent, error] {
	o.IncludeInvalidated = true
	return Follow[ExceptionEvent](ctx, c, TypeNameExceptionEvent, o)
}

// TripFeed follows trips. A trip in progress is re-sent with a new id as it grows:
// upsert by [TripKey], not by id.
func (c *Client) TripFeed(ctx context.Context, o FeedOptions) iter.Seq2[Trip, error] {
	return Follow[Trip](ctx, c, TypeNameTrip, o)
}

// StatusDataFeed follows engine and sensor readings.
func (c *Client) StatusDataFeed(ctx context.Context, o FeedOptions) iter.Seq2[StatusData, error] {
	return Follow[StatusData](ctx, c, TypeNameStatusData, o)
}

// FaultDataFeed follows diagnostic faults.
func (c *Client) FaultDataFeed(ctx context.Context, o FeedOptions) iter.Seq2[FaultData, error] {
	return Follow[FaultData](ctx, c, TypeNameFaultData, o)
}

// TripKey identifies a trip across its in-progress versions: the device and the start.
func TripKey(t Trip) string { return t.Device.ID + "|" + t.Start.UTC().Format(wireTime) }

// ExceptionEvent states.
const (
	StateValid   = "ExceptionEventStateValidId"
	StateInvalid = "ExceptionEventStateInvalidId"
)

// IsInvalidated reports whether MyGeotab withdrew the event (it is kept, with state
// Invalid, since 5.7.2103).
func IsInvalidated(ev ExceptionEvent) bool { return ev.State.ID == StateInvalid }
