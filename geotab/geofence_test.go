package geotab_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
)

// squareZone is a zone of side km around a point.
func squareZone(name string, lat, lon, km float64, stops bool) geotab.Zone {
	d := km / 2 / 111.32
	return geotab.Zone{Name: name, MustIdentifyStops: stops, Points: []geotab.Coordinate{
		{X: lon - d, Y: lat - d}, {X: lon + d, Y: lat - d}, {X: lon + d, Y: lat + d}, {X: lon - d, Y: lat + d}}}
}

// lastParams returns the params of the last request of a method whose params contain
// every one of the strings.
func lastParams(srv *geotabtest.Server, method string, contains ...string) string {
	reqs := srv.Requests()
next:
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method != method {
			continue
		}
		for _, s := range contains {
			if !strings.Contains(string(reqs[i].Params), s) {
				continue next
			}
		}
		return string(reqs[i].Params)
	}
	return ""
}

func TestEnsureGeofenceRulesIsIdempotent(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2), geotabtest.WithZones(2))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	seeded, err := c.Rules(ctx, geotab.RuleSearch{})
	require.NoError(t, err)
	require.Len(t, seeded, 2, "the seeded database watches arrivals at its two sites")
	site, err := c.AddZone(ctx, squareZone("Job SR000777", 43.70, -79.40, 0.4, false))
	require.NoError(t, err)
	zones := []string{seeded[0].Condition.Zone.ID, site}

	first, err := c.EnsureGeofenceRules(ctx, zones...)
	require.NoError(t, err)
	assert.Equal(t, seeded[0].ID, first[zones[0]].Entering, "an existing entering rule counts, whoever made it")
	for _, z := range zones {
		assert.NotEmpty(t, first[z].Entering)
		assert.NotEmpty(t, first[z].Exiting)
	}
	// the rule on the wire: a Custom rule whose condition is the area condition on the zone
	add := lastParams(srv, "Add", `"typeName":"Rule"`, `"EnteringArea"`)
	assert.Contains(t, add, `"baseType":"Custom"`)
	assert.Contains(t, add, `"condition":{"conditionType":"EnteringArea","zone":{"id":"`+site+`"}}`)
	assert.Contains(t, add, `"groups":[{"id":"GroupCompanyId"}]`)

	again, err := c.EnsureGeofenceRules(ctx, zones...)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	rules, err := c.Rules(ctx, geotab.RuleSearch{})
	require.NoError(t, err)
	assert.Len(t, rules, 2+3, "one entering and one exiting rule per zone, after two runs")

	_, err = c.EnsureGeofenceRules(ctx, "")
	assert.Error(t, err)
}

// TestGeofenceFeedFromEnteringAreaRules: a vehicle sent to a site drives through a
// zone on its way and stops at the site. Entry and exit events of both zones arrive
// through the geofence feed; the site's hidden ZoneStop rule fires only where the
// vehicle stopped, not where it drove through.
func TestGeofenceFeedFromEnteringAreaRules(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	start := srv.Now()
	dsi, err := c.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{})
	require.NoError(t, err)
	require.Len(t, dsi, 1)
	from := dsi[0]
	// the site 4 km north; a 1 km zone on the way, both with stop rules
	lat, lon := from.Latitude+4/111.32, from.Longitude
	site, err := c.AddZone(ctx, squareZone("Site", lat, lon, 0.4, true))
	require.NoError(t, err)
	onTheWay, err := c.AddZone(ctx, squareZone("On the way", from.Latitude+2/111.32, lon, 1, true))
	require.NoError(t, err)
	rules, err := c.EnsureGeofenceRules(ctx, site, onTheWay)
	require.NoError(t, err)

	require.True(t, srv.Visit(from.Device.ID, lat, lon, 20*time.Minute))
	srv.Advance(2 * time.Hour)

	// the exception events in the database, of every rule
	all, err := geotab.Collect(c.ExceptionEvents(ctx, geotab.ExceptionEventSearch{}))
	require.NoError(t, err)
	stops := map[string]int{}
	crossings := 0
	stopRules, err := c.Rules(ctx, geotab.RuleSearch{BaseType: string(geotab.RuleBaseTypeZoneStop), IncludeZoneStopRules: true})
	require.NoError(t, err)
	stopRule := map[string]string{}
	for _, r := range stopRules {
		stopRule[r.ID] = r.Condition.Zone.ID
	}
	for _, ev := range all {
		if z, ok := stopRule[ev.Rule.ID]; ok {
			stops[z]++
			assert.GreaterOrEqual(t, ev.Duration.Duration(), 19*time.Minute, "the stay at the site")
		} else {
			crossings++
		}
	}
	assert.Equal(t, map[string]int{site: 1}, stops, "a stop rule fires where the vehicle stopped, not where it drove through")
	require.Equal(t, 6, crossings, "in and out of both zones, and back out and in of the one on the way")

	got := collect(t, c.GeofenceFeed(ctx, geotab.FeedOptions{FromDate: start}), crossings)
	kinds := map[string][]geotab.GeofenceKind{}
	for _, g := range got {
		assert.Equal(t, from.Device.ID, g.DeviceID)
		assert.Equal(t, from.Driver.ID, g.DriverID, "the driver MyGeotab knew")
		assert.False(t, g.Retracted)
		assert.False(t, g.At.Before(start))
		kinds[g.ZoneID] = append(kinds[g.ZoneID], g.Kind)
		want := rules[g.ZoneID].Entering
		if g.Kind == geotab.GeofenceExited {
			want = rules[g.ZoneID].Exiting
		}
		assert.Equal(t, want, g.RuleID)
	}
	assert.Equal(t, map[string][]geotab.GeofenceKind{
		onTheWay: {geotab.GeofenceEntered, geotab.GeofenceExited, geotab.GeofenceEntered, geotab.GeofenceExited},
		site:     {geotab.GeofenceEntered, geotab.GeofenceExited},
	}, kinds, "there and back through the zone on the way")
}

func TestGeofenceFeedRetractsInvalidatedEvents(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	dsi, err := c.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{})
	require.NoError(t, err)
	lat, lon := dsi[0].Latitude+3/111.32, dsi[0].Longitude
	site, err := c.AddZone(ctx, squareZone("Site", lat, lon, 0.4, false))
	require.NoError(t, err)
	_, err = c.EnsureGeofenceRules(ctx, site)
	require.NoError(t, err)
	// from the first event on; the first loop stops inside its page, before the token
	// is saved, so the second starts from the same place
	opts := geotab.FeedOptions{Checkpoint: &connectors.MemoryCheckpoint{}, FromDate: time.Unix(0, 0)}

	require.True(t, srv.Visit(dsi[0].Device.ID, lat, lon, 5*time.Minute))
	srv.Advance(30 * time.Minute)
	got := collect(t, c.GeofenceFeed(ctx, opts), 1)
	require.Equal(t, geotab.GeofenceEntered, got[0].Kind)

	require.True(t, srv.InvalidateEvent(got[0].EventID))
	srv.Advance(time.Hour)
	var retracted *geotab.GeofenceEvent
	for g, err := range c.GeofenceFeed(ctx, opts) {
		require.NoError(t, err)
		// the page the first loop stopped in comes again (at least once), then the
		// event's new version
		if g.EventID == got[0].EventID && g.Retracted {
			retracted = &g
			break
		}
	}
	require.NotNil(t, retracted)
	assert.Equal(t, geotab.GeofenceEntered, retracted.Kind)
}

// TestInsideAreaSpansTheStay: an InsideArea rule's event opens when the vehicle
// enters and closes (a new version of the same event) when it leaves.
func TestInsideAreaSpansTheStay(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	dsi, err := c.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{})
	require.NoError(t, err)
	lat, lon := dsi[0].Latitude+3/111.32, dsi[0].Longitude
	site, err := c.AddZone(ctx, squareZone("Site", lat, lon, 0.4, false))
	require.NoError(t, err)
	rule, err := geotab.Add(ctx, c, geotab.TypeNameRule, geotab.Rule{Name: "On site", BaseType: geotab.RuleBaseTypeCustom,
		Condition: geotab.Condition{ConditionType: geotab.ConditionInsideArea, Zone: geotab.NewRef(site)}})
	require.NoError(t, err)
	require.True(t, srv.Visit(dsi[0].Device.ID, lat, lon, 25*time.Minute))
	srv.Advance(2 * time.Hour)
	evs, err := geotab.Collect(c.ExceptionEvents(ctx, geotab.ExceptionEventSearch{RuleSearch: geotab.IDSearch{ID: rule}}))
	require.NoError(t, err)
	require.Len(t, evs, 1, "one stay, one event")
	assert.GreaterOrEqual(t, evs[0].Duration.Duration(), 25*time.Minute)
	assert.Equal(t, evs[0].ActiveTo.Sub(evs[0].ActiveFrom.Time), evs[0].Duration.Duration())
}
