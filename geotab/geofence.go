package geotab

import (
	"context"
	"fmt"
	"github.com/dispatchcenter/connectors"
	"iter"
	"time"
)

// Geofence entry and exit, as MyGeotab models them: a zone is the geofence; a rule
// whose condition is EnteringArea (or ExitingArea) on the zone makes the rule engine
// record an ExceptionEvent each time a vehicle crosses its edge; the events are read
// through the ExceptionEvent data feed. MyGeotab has no push API for them (SDK data
// feed guide, "Why do I have to poll data?"; SDK reference, ConditionType).

// Area condition types of a zone rule (SDK reference, ConditionType).
const (
	ConditionEnteringArea = "EnteringArea"
	ConditionExitingArea  = "ExitingArea"
	ConditionInsideArea   = "InsideArea"
	ConditionZoneStop     = "ZoneStop"
)

// ZoneRules are the ids of a zone's entry and exit rules.
type ZoneRules struct {
	Entering, Exiting string
}

// EnsureGeofenceRules makes sure each zone has one rule whose condition is
// EnteringArea on it and one whose condition is ExitingArea, and returns their ids by
// zone id. Rules that already exist count, whoever made them (an administrator in
// MyGeotab, or an earlier run): running it twice adds nothing. New rules are Custom
// rules of the company group, named "Dispatch: entering <zone id>" and "Dispatch:
// exiting <zone id>".
//
// MyGeotab's Add takes no idempotency key: when an answer is lost the error matches
// connectors.ErrOutcomeUnknown; run EnsureGeofenceRules again, it looks at the
// database's rules before it adds any.
func (c *Client) EnsureGeofenceRules(ctx context.Context, zoneIDs ...string) (map[string]ZoneRules, error) {
	rules, err := c.Rules(ctx, RuleSearch{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]ZoneRules, len(zoneIDs))
	for _, r := range rules {
		zone, kind, ok := geofenceRule(r)
		if !ok {
			continue
		}
		zr := out[zone]
		switch {
		case kind == GeofenceEntered && zr.Entering == "":
			zr.Entering = r.ID
		case kind == GeofenceExited && zr.Exiting == "":
			zr.Exiting = r.ID
		}
		out[zone] = zr
	}
	want := make(map[string]ZoneRules, len(zoneIDs))
	for _, z := range zoneIDs {
		if z == "" {
			return nil, fmt.Errorf("geotab: EnsureGeofenceRules needs zone ids: %w", connectors.ErrInvalidRequest)
		}
		zr := out[z]
		for _, need := range []struct {
			id        *string
			condition string
			verb      string
		}{{&zr.Entering, ConditionEnteringArea, "entering"}, {&zr.Exiting, ConditionExitingArea, "exiting"}} {
			if *need.id != "" {
				continue
			}
			// the shape of a zone rule: a Custom rule whose condition is the area
			// condition on the zone (Geotab's registration-config add-in reads
			// condition.zone.id of the area condition types)
			id, err := Add(ctx, c, TypeNameRule, Rule{Name: fmt.Sprintf("Dispatch: %s %s", need.verb, z), BaseType: RuleBaseTypeCustom,
				Groups: []Ref{NewRef("GroupCompanyId")}, Condition: Condition{ConditionType: need.condition, Zone: NewRef(z)}})
			if err != nil {
				return nil, fmt.Errorf("geotab: the %s rule of zone %s: %w", need.verb, z, err)
			}
			*need.id = id
		}
		want[z] = zr
	}
	return want, nil
}

// geofenceRule reports the zone and the crossing a rule detects, when its whole
// condition is EnteringArea or ExitingArea on one zone.
func geofenceRule(r Rule) (zone string, kind GeofenceKind, ok bool) {
	c := r.Condition
	if c.Zone.ID == "" || len(c.Children) > 0 {
		return "", "", false
	}
	switch c.ConditionType {
	case ConditionEnteringArea:
		return c.Zone.ID, GeofenceEntered, true
	case ConditionExitingArea:
		return c.Zone.ID, GeofenceExited, true
	}
	return "", "", false
}

// GeofenceKind says which way a vehicle crossed a zone's edge.
type GeofenceKind string

// Geofence crossings.
const (
	GeofenceEntered GeofenceKind = "entered"
	GeofenceExited  GeofenceKind = "exited"
)

// GeofenceEvent is a vehicle entering or leaving a zone, from the ExceptionEvent of an
// EnteringArea or ExitingArea rule.
type GeofenceEvent struct {
	Kind GeofenceKind `json:"kind"`
	// EventID is the ExceptionEvent's id: upsert on it (a feed is at least once).
	EventID string `json:"eventId"`
	// ZoneID, RuleID and DeviceID name the zone, its rule and the vehicle.
	ZoneID   string `json:"zoneId"`
	RuleID   string `json:"ruleId"`
	DeviceID string `json:"deviceId"`
	// DriverID is the driver MyGeotab knew, or "" (UnknownDriverId).
	DriverID string `json:"driverId,omitempty"`
	// At is when the vehicle crossed (the event's activeFrom).
	At time.Time `json:"at"`
	// Retracted: MyGeotab invalidated the event (reprocessed data): undo what it
	// caused. It arrives as a second GeofenceEvent with the same EventID.
	Retracted bool `json:"retracted,omitempty"`
}

// GeofenceFeed follows the ExceptionEvent feed ([Client.ExceptionEventFeed], with its
// options, its checkpoint and its paging) and yields the events of every zone entry and
// exit rule of the database (see [Client.EnsureGeofenceRules]) as GeofenceEvents;
// the events of other rules are skipped. Each rule is read once, when its first event
// arrives. A failed rule read is yielded as an error and tried again, so no event is
// skipped while a loop goes on.
//
// The feed's position is saved in o.Checkpoint: give it a checkpoint of its own.
func (c *Client) GeofenceFeed(ctx context.Context, o FeedOptions) iter.Seq2[GeofenceEvent, error] {
	type ruleInfo struct {
		zone string
		kind GeofenceKind
		ok   bool
	}
	return func(yield func(GeofenceEvent, error) bool) {
		rules := map[string]ruleInfo{}
		lookup := func(id string) (ruleInfo, error) {
			if ri, ok := rules[id]; ok {
				return ri, nil
			}
			// by id, MyGeotab answers a rule of any base type
			rs, err := c.Rules(ctx, RuleSearch{ID: id})
			if err != nil {
				return ruleInfo{}, err
			}
			var ri ruleInfo
			if len(rs) == 1 {
				ri.zone, ri.kind, ri.ok = geofenceRule(rs[0])
			}
			rules[id] = ri
			return ri, nil
		}
		for ev, err := range c.ExceptionEventFeed(ctx, o) {
			if err != nil {
				if !yield(GeofenceEvent{}, err) {
					return
				}
				continue
			}
			ri, err := lookup(ev.Rule.ID)
			for err != nil {
				if !yield(GeofenceEvent{}, err) || c.clk.Sleep(ctx, time.Second) != nil {
					return
				}
				ri, err = lookup(ev.Rule.ID)
			}
			if !ri.ok {
				continue
			}
			g := GeofenceEvent{Kind: ri.kind, EventID: ev.ID, ZoneID: ri.zone, RuleID: ev.Rule.ID, DeviceID: ev.Device.ID,
				DriverID: ev.Driver.ID, At: ev.ActiveFrom.Time, Retracted: IsInvalidated(ev)}
			if g.DriverID == UnknownDriverID {
				g.DriverID = ""
			}
			if !yield(g, nil) {
				return
			}
		}
	}
}

// UnknownDriverID is MyGeotab's system driver of a record whose driver was not
// identified.
const UnknownDriverID = "UnknownDriverId"
