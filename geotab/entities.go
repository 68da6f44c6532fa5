package geotab

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/resilience"
)

// getParams builds Get params with the session's credentials.
func getParams(typeName TypeName, search any, limit int) func(Credentials) any {
	return func(cr Credentials) any {
		return GetParams{TypeName: typeName, Search: search, ResultsLimit: limit, Credentials: cr}
	}
}

// Get fetches entities of typeName matching search (nil for all) into []T, at most
// limit of them (0: the server's default). The typed methods of [Client] cover the
// types dispatch uses; Get serves the others.
func Get[T any](ctx context.Context, c *Client, typeName TypeName, search any, limit int) ([]T, error) {
	var out []T
	if err := c.call(ctx, "Get "+string(typeName), "Get", getParams(typeName, search, limit), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Devices lists vehicles (and trailers).
func (c *Client) Devices(ctx context.Context, s DeviceSearch) ([]Device, error) {
	return Get[Device](ctx, c, TypeNameDevice, nonZero(s), 0)
}

// Device returns one vehicle by id, or an error matching connectors.ErrNotFound.
func (c *Client) Device(ctx context.Context, id string) (Device, error) {
	ds, err := c.Devices(ctx, DeviceSearch{ID: id})
	if err != nil {
		return Device{}, err
	}
	if len(ds) == 0 {
		return Device{}, notFound("Get Device", id)
	}
	return ds[0], nil
}

// DeviceStatusInfos returns the current position and state of vehicles.
func (c *Client) DeviceStatusInfos(ctx context.Context, s DeviceStatusInfoSearch) ([]DeviceStatusInfo, error) {
	return Get[DeviceStatusInfo](ctx, c, TypeNameDeviceStatusInfo, nonZero(s), 0)
}

// NearestVehicles returns the n vehicles closest to pos, nearest first (MyGeotab's
// position search).
func (c *Client) NearestVehicles(ctx context.Context, pos Coordinate, n int) ([]DeviceStatusInfo, error) {
	if n <= 0 {
		return nil, fmt.Errorf("geotab: NearestVehicles needs n > 0: %w", connectors.ErrInvalidRequest)
	}
	return c.DeviceStatusInfos(ctx, DeviceStatusInfoSearch{Position: pos, ClosestAssetLimit: n})
}

// LogRecords yields the GPS points that match s (by device and time range), a page
// of [MaxResults] at a time (see [GetAll]): a day of a fleet comes back whole.
func (c *Client) LogRecords(ctx context.Context, s DateRangeSearch) iter.Seq2[LogRecord, error] {
	return GetAll[LogRecord](ctx, c, TypeNameLogRecord, nonZero(s), MaxResults)
}

// Trips yields trips (by device or driver and time range), paged as [GetAll].
func (c *Client) Trips(ctx context.Context, s DateRangeSearch) iter.Seq2[Trip, error] {
	return GetAll[Trip](ctx, c, TypeNameTrip, nonZero(s), MaxResults)
}

// StatusData yields engine and sensor readings (by device, diagnostic, time), paged
// as [GetAll].
func (c *Client) StatusData(ctx context.Context, s DateRangeSearch) iter.Seq2[StatusData, error] {
	return GetAll[StatusData](ctx, c, TypeNameStatusData, nonZero(s), MaxResults)
}

// FaultData yields diagnostic faults (by device, diagnostic, time), paged as [GetAll].
func (c *Client) FaultData(ctx context.Context, s DateRangeSearch) iter.Seq2[FaultData, error] {
	return GetAll[FaultData](ctx, c, TypeNameFaultData, nonZero(s), MaxResults)
}

// ExceptionEvents yields rule violations, e.g. geofence entries and exits, paged as
// [GetAll].
func (c *Client) ExceptionEvents(ctx context.Context, s ExceptionEventSearch) iter.Seq2[ExceptionEvent, error] {
	return GetAll[ExceptionEvent](ctx, c, TypeNameExceptionEvent, nonZero(s), MaxResults)
}

// MaxResults is the most records one Get answers: a larger resultsLimit, or an
// unlimited Get of more, is refused with OverLimitException (SDK Concepts, result
// limits).
const MaxResults = 50000

// Record is a record type that [GetAll] pages by date.
type Record interface {
	LogRecord | StatusData | FaultData | Trip | ExceptionEvent | DriverChange | DutyStatusLog
}

// GetAll yields every record of typeName that matches search, pageSize at a time (at
// most [MaxResults]), as Geotab documents for large reads: a resultsLimit, and the
// "infinite scroll" sort of the Get — by date, ascending, each page after the
// previous one's last date (offset) and id (lastId, which breaks ties between the
// many records of one instant). Only one page is held in memory. An error ends the
// sequence; the records yielded before it stand.
//
// Assumption: the sort's field is named "date" on the wire (Geotab documents the
// SortByDate class, not its literal); it sorts LogRecord, StatusData, FaultData,
// DriverChange and DutyStatusLog on dateTime, Trip on start and ExceptionEvent on
// activeFrom.
func GetAll[T Record](ctx context.Context, c *Client, typeName TypeName, search any, pageSize int) iter.Seq2[T, error] {
	if pageSize <= 0 || pageSize > MaxResults {
		pageSize = MaxResults
	}
	op := "Get " + string(typeName)
	return func(yield func(T, error) bool) {
		var after *Sort
		for {
			var page []T
			err := c.call(ctx, op, "Get", func(cr Credentials) any {
				return GetParams{TypeName: typeName, Search: search, ResultsLimit: pageSize, Credentials: cr,
					Sort: Sort{SortBy: "date", SortDirection: SortSortDirectionAsc, Offset: after.offset(), LastID: after.lastID()}}
			}, &page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, rec := range page {
				if !yield(rec, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
			at, id := pageKey(page[len(page)-1])
			if after != nil && after.Offset == at && after.LastID == id {
				// the server answered the same page again: following it would loop
				var zero T
				yield(zero, &connectors.APIError{System: "geotab", Operation: op, Kind: connectors.ErrUnavailable,
					Message: "the sorted Get did not move past its offset"})
				return
			}
			after = &Sort{Offset: at, LastID: id}
		}
	}
}

func (s *Sort) offset() string {
	if s == nil {
		return ""
	}
	return s.Offset
}

func (s *Sort) lastID() string {
	if s == nil {
		return ""
	}
	return s.LastID
}

// pageKey is a record's place in a date-sorted Get: its date, on the wire, and id.
func pageKey(rec any) (string, string) {
	var t Time
	var id string
	switch r := rec.(type) {
	case LogRecord:
		t, id = r.DateTime, r.ID
	case StatusData:
		t, id = r.DateTime, r.ID
	case FaultData:
		t, id = r.DateTime, r.ID
	case Trip:
		t, id = r.Start, r.ID
	case ExceptionEvent:
		t, id = r.ActiveFrom, r.ID
	case DriverChange:
		t, id = r.DateTime, r.ID
	case DutyStatusLog:
		t, id = r.DateTime, r.ID
	}
	return t.UTC().Format(wireTime), id
}

// Collect gathers a sequence of records into a slice, stopping at the first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Rules lists rules.
func (c *Client) Rules(ctx context.Context, s RuleSearch) ([]Rule, error) {
	return Get[Rule](ctx, c, TypeNameRule, nonZero(s), 0)
}

// Zones lists zones (job sites); search by name or externalReference with %
// wildcards.
func (c *Client) Zones(ctx context.Context, s ZoneSearch) ([]Zone, error) {
	return Get[Zone](ctx, c, TypeNameZone, nonZero(s), 0)
}

// Drivers lists users who are drivers (Get User with the driver search: Get Driver
// fails on real servers).
func (c *Client) Drivers(ctx context.Context, s UserSearch) ([]User, error) {
	// userSearchType replaced isDriver, which MyGeotab documents as "users who have a
	// driver key assigned" (drivers without a key would go missing)
	s.IsDriver, s.UserSearchType = false, UserSearchUserSearchTypeDriver
	return Get[User](ctx, c, TypeNameUser, s, 0)
}

// Users lists users.
func (c *Client) Users(ctx context.Context, s UserSearch) ([]User, error) {
	return Get[User](ctx, c, TypeNameUser, nonZero(s), 0)
}

// Diagnostics lists diagnostics (id search, or all with the zero value).
func (c *Client) Diagnostics(ctx context.Context, s IDSearch) ([]Diagnostic, error) {
	return Get[Diagnostic](ctx, c, TypeNameDiagnostic, nonZero(s), 0)
}

// Routes lists routes.
func (c *Client) Routes(ctx context.Context, s RouteSearch) ([]Route, error) {
	return Get[Route](ctx, c, TypeNameRoute, nonZero(s), 0)
}

// CountOf returns how many entities of typeName exist (inactive ones included).
func (c *Client) CountOf(ctx context.Context, typeName TypeName) (int, error) {
	var n int
	err := c.call(ctx, "GetCountOf "+string(typeName), "GetCountOf", func(cr Credentials) any {
		return GetCountOfParams{TypeName: typeName, Credentials: cr}
	}, &n)
	return n, err
}

func entityParams(typeName TypeName, entity any) func(Credentials) any {
	return func(cr Credentials) any { return EntityParams{TypeName: typeName, Entity: entity, Credentials: cr} }
}

// Add creates an entity and returns its id. Add is not retried after an ambiguous
// failure (MyGeotab has no idempotency keys); see [Client.AddZone] for a safe pattern.
func Add(ctx context.Context, c *Client, typeName TypeName, entity any) (string, error) {
	var id string
	err := c.call(ctx, "Add "+string(typeName), "Add", entityParams(typeName, entity), &id)
	return id, err
}

// Set replaces an entity (send it whole, with its id).
func Set(ctx context.Context, c *Client, typeName TypeName, entity any) error {
	return c.call(ctx, "Set "+string(typeName), "Set", entityParams(typeName, entity), nil)
}

// Remove deletes an entity by id (MyGeotab cascades: removing a device removes its
// records).
func Remove(ctx context.Context, c *Client, typeName TypeName, id string) error {
	return c.call(ctx, "Remove "+string(typeName), "Remove", entityParams(typeName, IDSearch{ID: id}), nil)
}

// AddZone creates a zone (job site). Groups default to the company group and
// mustIdentifyStops to false, so no hidden stop rule is created unless asked for.
// MyGeotab's Add takes no idempotency key: when the answer is lost the error matches
// connectors.ErrOutcomeUnknown, and the zone may exist; look it up by name
// ([Client.Zones] with ZoneSearch.Name) before adding it again.
func (c *Client) AddZone(ctx context.Context, z Zone) (string, error) {
	if len(z.Points) < 3 {
		return "", fmt.Errorf("geotab: a zone needs at least 3 points: %w", connectors.ErrInvalidRequest)
	}
	if len(z.Groups) == 0 {
		z.Groups = []Ref{NewRef("GroupCompanyId")}
	}
	return Add(ctx, c, TypeNameZone, z)
}

// SetZone updates a zone.
func (c *Client) SetZone(ctx context.Context, z Zone) error {
	if z.ID == "" {
		return fmt.Errorf("geotab: SetZone needs the zone's id: %w", connectors.ErrInvalidRequest)
	}
	return Set(ctx, c, TypeNameZone, z)
}

// RemoveZone deletes a zone.
func (c *Client) RemoveZone(ctx context.Context, id string) error {
	return Remove(ctx, c, TypeNameZone, id)
}

// Stop is one stop of a route assignment: a zone and when the vehicle is due there.
type Stop struct {
	ZoneID string
	// Arrive is the planned arrival time.
	Arrive time.Time
	// StopFor is the planned time on site.
	StopFor time.Duration
}

// AssignRoute sends a route to a vehicle: a Route of type Plan with the device and its
// stops, in order. It returns the route's id.
func (c *Client) AssignRoute(ctx context.Context, deviceID, name string, stops []Stop) (string, error) {
	if deviceID == "" || len(stops) < 2 {
		// Geotab's route-plan sample (SDK importRoutePlan) needs two waypoints or more
		return "", fmt.Errorf("geotab: AssignRoute needs a device and at least two stops: %w", connectors.ErrInvalidRequest)
	}
	r := Route{Name: name, RouteType: RouteRouteTypePlan, Device: NewRef(deviceID)}
	for i, s := range stops {
		r.RoutePlanItemCollection = append(r.RoutePlanItemCollection, RoutePlanItem{
			Zone: NewRef(s.ZoneID), Sequence: i, ActiveFrom: NewTime(s.Arrive), ActiveTo: NewTime(s.Arrive),
			ExpectedStopDuration: TimeSpan(s.StopFor),
		})
	}
	return Add(ctx, c, TypeNameRoute, r)
}

// RemoveRoute deletes a route (and its assignment).
func (c *Client) RemoveRoute(ctx context.Context, id string) error {
	return Remove(ctx, c, TypeNameRoute, id)
}

// Call is one call of an [Client.ExecuteMultiCall].
type Call struct {
	Method string
	Params any
}

// GetCall is a Get for a multi-call.
func GetCall(typeName TypeName, search any) Call {
	return Call{Method: "Get", Params: struct {
		TypeName TypeName `json:"typeName"`
		Search   any      `json:"search,omitempty"`
	}{typeName, search}}
}

// CountCall is a GetCountOf for a multi-call.
func CountCall(typeName TypeName) Call {
	return Call{Method: "GetCountOf", Params: struct {
		TypeName TypeName `json:"typeName"`
	}{typeName}}
}

// ExecuteMultiCall runs calls in one request, in order. The server stops at the
// first failure: the error is an *Error whose RequestIndex names the failing call.
// Decode each result with [Decode].
func (c *Client) ExecuteMultiCall(ctx context.Context, calls ...Call) ([]json.RawMessage, error) {
	if len(calls) == 0 {
		return nil, nil
	}
	items := make([]MultiCallItem, len(calls))
	reads := true
	for i, cl := range calls {
		items[i] = MultiCallItem{Method: Method(cl.Method), Params: cl.Params}
		reads = reads && isRead(cl.Method)
	}
	if reads { // only reads inside: as safe to retry as they are
		ctx = resilience.Idempotent(ctx)
	}
	var out []json.RawMessage
	method := "ExecuteMultiCall"
	err := c.call(ctx, method, method, func(cr Credentials) any {
		return MultiCallParams{Calls: items, Credentials: cr}
	}, &out)
	return out, err
}

// CallMethod runs any other MyGeotab method: params are its parameters (the session's
// credentials are added) and its result is decoded into out (nil discards it). A
// method whose name starts with Get is retried as a read; any other is a write, not
// retried after a lost answer (connectors.ErrOutcomeUnknown).
func CallMethod(ctx context.Context, c *Client, method string, params map[string]any, out any) error {
	if method == "" {
		return fmt.Errorf("geotab: CallMethod needs a method: %w", connectors.ErrInvalidRequest)
	}
	return c.call(ctx, method, method, func(cr Credentials) any {
		p := maps.Clone(params)
		if p == nil {
			p = map[string]any{}
		}
		p["credentials"] = cr
		return p
	}, out)
}

// Decode decodes one multi-call result.
func Decode[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// Coordinates geocodes addresses; an address that was not found gives nil.
func (c *Client) Coordinates(ctx context.Context, addresses []string) ([]*Coordinate, error) {
	var out []*Coordinate
	err := c.call(ctx, "GetCoordinates", "GetCoordinates", func(cr Credentials) any {
		return GetCoordinatesParams{Addresses: addresses, Credentials: cr}
	}, &out)
	return out, err
}

// Addresses reverse-geocodes coordinates ({x: longitude, y: latitude}); the result
// also names the zones that contain each point.
func (c *Client) Addresses(ctx context.Context, coords []Coordinate) ([]ReverseGeocodeAddress, error) {
	var out []ReverseGeocodeAddress
	err := c.call(ctx, "GetAddresses", "GetAddresses", func(cr Credentials) any {
		return GetAddressesParams{Coordinates: coords, Credentials: cr}
	}, &out)
	return out, err
}

// nonZero turns an empty search into nil, so "all" is sent without a search object.
func nonZero(s any) any {
	if reflect.ValueOf(s).IsZero() {
		return nil
	}
	return s
}

func notFound(op, id string) error {
	return &connectors.APIError{System: "geotab", Operation: op,
		Message: fmt.Sprintf("no entity with id %q", id), Kind: connectors.ErrNotFound}
}
