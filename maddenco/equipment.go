package maddenco

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/resilience"
)

// Snapshot is a read with its freshness. When Maddenco cannot answer (down, the
// breaker open, the hourly budget spent) and the client holds an earlier answer for
// the same read, the read succeeds with that answer and Stale set.
type Snapshot[T any] struct {
	// Value is what was read.
	Value T
	// Stale is true when Value is the last good answer, not a live one.
	Stale bool
	// AsOf is when Value was received from Maddenco.
	AsOf time.Time
}

func snapshot[T any](v T, resp *http.Response, now time.Time) Snapshot[T] {
	s := Snapshot[T]{Value: v, Stale: resilience.IsStale(resp), AsOf: resilience.StoredAt(resp)}
	if s.AsOf.IsZero() {
		s.AsOf = now
	}
	return s
}

func (c *Client) now() time.Time { return c.end.Clock.Now() }

// Equipment returns one piece of equipment, stale when Maddenco cannot answer and the
// client read it before.
func (c *Client) Equipment(ctx context.Context, id string) (Snapshot[Equipment], error) {
	v, resp, err := invoke[Equipment](ctx, c, connector.Request{Op: "GET /api/equipment/{id}", Params: []string{id}})
	if err != nil {
		return Snapshot[Equipment]{}, err
	}
	return snapshot(v, resp, c.now()), nil
}

// EquipmentFilter narrows an equipment list; zero fields do not filter.
type EquipmentFilter struct {
	Status EquipmentStatus
	SiteID string
	Type   string
	// PageSize per request (default 100, at most 500).
	PageSize int
}

// EquipmentList lists equipment in id order, page by page.
func (c *Client) EquipmentList(ctx context.Context, f EquipmentFilter) iter.Seq2[Equipment, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Equipment, string, error) {
		p, _, err := c.equipmentPage(ctx, f, cursor)
		return p.Data, p.NextCursor, err
	})
}

// SiteEquipment returns all equipment at a site, for the dispatch screen: stale when
// any page had to come from the fallback, as of the oldest page.
func (c *Client) SiteEquipment(ctx context.Context, siteID string) (Snapshot[[]Equipment], error) {
	out := Snapshot[[]Equipment]{AsOf: c.now()}
	cursor := ""
	for {
		p, resp, err := c.equipmentPage(ctx, EquipmentFilter{SiteID: siteID, PageSize: 500}, cursor)
		if err != nil {
			return Snapshot[[]Equipment]{}, err
		}
		s := snapshot(p.Data, resp, out.AsOf)
		out.Value = append(out.Value, s.Value...)
		out.Stale = out.Stale || s.Stale
		if s.AsOf.Before(out.AsOf) {
			out.AsOf = s.AsOf
		}
		if cursor = p.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

func (c *Client) equipmentPage(ctx context.Context, f EquipmentFilter, cursor string) (EquipmentPage, *http.Response, error) {
	return invoke[EquipmentPage](ctx, c, connector.Request{Op: "GET /api/equipment",
		Query: connector.Query("cursor", cursor, "limit", connector.Int(f.PageSize), "status", string(f.Status),
			"site_id", f.SiteID, "type", f.Type)})
}

// MaintenanceSchedules lists maintenance schedules, soonest due first: of one piece of
// equipment when equipmentID is set, due before dueBefore when it is not zero.
func (c *Client) MaintenanceSchedules(ctx context.Context, equipmentID string, dueBefore time.Time) iter.Seq2[MaintenanceSchedule, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]MaintenanceSchedule, string, error) {
		p, _, err := invoke[MaintenanceSchedulePage](ctx, c, connector.Request{Op: "GET /api/maintenance/schedules",
			Query: connector.Query("cursor", cursor, "equipment_id", equipmentID, "due_before", date(dueBefore))})
		return p.Data, p.NextCursor, err
	})
}

// MaintenanceLogs lists maintenance done, oldest first: on one piece of equipment when
// equipmentID is set, at or after since when it is not zero.
func (c *Client) MaintenanceLogs(ctx context.Context, equipmentID string, since time.Time) iter.Seq2[MaintenanceLog, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]MaintenanceLog, string, error) {
		p, _, err := invoke[MaintenanceLogPage](ctx, c, connector.Request{Op: "GET /api/maintenance/logs",
			Query: connector.Query("cursor", cursor, "equipment_id", equipmentID, "since", connector.Time(since))})
		return p.Data, p.NextCursor, err
	})
}

// PartFilter narrows a parts list.
type PartFilter struct {
	Location string
	// BelowReorderPoint keeps parts at or below their reorder point.
	BelowReorderPoint bool
}

// Parts lists parts in inventory, in part-number order.
func (c *Client) Parts(ctx context.Context, f PartFilter) iter.Seq2[Part, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Part, string, error) {
		below := ""
		if f.BelowReorderPoint {
			below = "true"
		}
		p, _, err := invoke[PartPage](ctx, c, connector.Request{Op: "GET /api/inventory/parts",
			Query: connector.Query("cursor", cursor, "location", f.Location, "below_reorder_point", below)})
		return p.Data, p.NextCursor, err
	})
}

// Part returns one part and its stock (a parts-availability check), stale when
// Maddenco cannot answer and the client read it before.
func (c *Client) Part(ctx context.Context, partNumber string) (Snapshot[Part], error) {
	v, resp, err := invoke[Part](ctx, c, connector.Request{Op: "GET /api/inventory/parts/{partNumber}", Params: []string{partNumber}})
	if err != nil {
		return Snapshot[Part]{}, err
	}
	return snapshot(v, resp, c.now()), nil
}

// ReportCompletion tells Maddenco how a work order on its equipment ended. It is a PUT
// to the work order's completion, so a retry or a correction replaces, never duplicates.
func (c *Client) ReportCompletion(ctx context.Context, workOrderID string, wc WorkOrderCompletion) (WorkOrderCompletion, error) {
	v, _, err := invoke[WorkOrderCompletion](ctx, c, connector.Request{Op: "PUT /api/workorders/{workOrderId}/completion",
		Params: []string{workOrderID}, Body: wc, Summary: map[string]string{"status": string(wc.Status)}})
	return v, err
}

// ReportUsage records a piece of equipment's use on one day (the date of day is used,
// in day's location). A second report for the same day replaces the first.
func (c *Client) ReportUsage(ctx context.Context, equipmentID string, day time.Time, u UsageReport) (UsageReport, error) {
	v, _, err := invoke[UsageReport](ctx, c, connector.Request{Op: "PUT /api/equipment/{id}/usage/{date}",
		Params: []string{equipmentID, date(day)}, Body: u})
	return v, err
}

// date is a day in the contract's date format (YYYY-MM-DD, in t's location); "" (not
// sent) for the zero time.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
