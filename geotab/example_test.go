package geotab_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/webhook"
)

// exampleServer starts the bundled fake outside a test (in a test: NewServer(t)).
func exampleServer(opts ...geotabtest.Option) (*geotabtest.Server, func()) {
	srv, err := geotabtest.New(opts...)
	if err != nil {
		panic(err)
	}
	return srv, srv.Close
}

// Log in and list the fleet's vehicles. Against the real service, leave out
// WithBaseURL: the client authenticates against my.geotab.com.
func Example() {
	srv, stop := exampleServer(geotabtest.WithVehicles(3))
	defer stop()

	c, err := geotab.New(geotab.Config{
		Database: "dispatch", UserName: "svc-dispatch@example.com", Password: "fake-password",
	}, geotab.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	vehicles, err := c.Devices(context.Background(), geotab.DeviceSearch{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range vehicles {
		fmt.Println(v.ID, v.Name, v.LicensePlate)
	}
	// Output:
	// b1 Truck 001 DSP-001
	// b2 Truck 002 DSP-002
	// b3 Truck 003 DSP-003
}

// Follow the GPS feed. The token is saved after each page, so a restarted process
// resumes where it stopped; use a connectors.FileCheckpoint to keep it on disk.
func ExampleClient_LogRecordFeed() {
	srv, stop := exampleServer(geotabtest.WithVehicles(2))
	defer stop()
	start := srv.Now()
	srv.Advance(10 * time.Minute) // the vehicles drive: a GPS point every 30 s

	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	for rec, err := range c.LogRecordFeed(ctx, geotab.FeedOptions{FromDate: start, Checkpoint: &connectors.MemoryCheckpoint{}}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if n++; n <= 2 {
			fmt.Println(rec.Device.ID, rec.DateTime.Format(time.TimeOnly))
		}
		if n == 10 { // a real consumer runs until ctx ends
			break
		}
	}
	fmt.Println(n, "points")
	// Output:
	// b1 08:00:00
	// b2 08:00:00
	// 10 points
}

// Assign a job site visit to a vehicle: the site becomes a zone, the visit a route of
// type Plan for the vehicle.
func ExampleClient_AssignRoute() {
	srv, stop := exampleServer(geotabtest.WithVehicles(1))
	defer stop()
	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
	ctx := context.Background()

	site, err := c.AddZone(ctx, geotab.Zone{Name: "Service request 42", ExternalReference: "SR-42", Points: []geotab.Coordinate{
		{X: -79.40, Y: 43.64}, {X: -79.39, Y: 43.64}, {X: -79.39, Y: 43.65}, {X: -79.40, Y: 43.65},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	depot, err := c.AddZone(ctx, geotab.Zone{Name: "Depot", Points: []geotab.Coordinate{
		{X: -79.42, Y: 43.64}, {X: -79.41, Y: 43.64}, {X: -79.41, Y: 43.65}, {X: -79.42, Y: 43.65},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// a route plan has two stops at least: from the depot to the site
	route, err := c.AssignRoute(ctx, "b1", "SR-42", []geotab.Stop{{ZoneID: depot, Arrive: srv.Now()},
		{ZoneID: site, Arrive: srv.Now().Add(time.Hour), StopFor: 45 * time.Minute}})
	if err != nil {
		fmt.Println(err)
		return
	}
	routes, _ := c.Routes(ctx, geotab.RouteSearch{ID: route})
	fmt.Println(routes[0].RouteType, routes[0].Device.ID, len(routes[0].RoutePlanItemCollection), "stops")
	// Output:
	// Plan b1 2 stops
}

// Receive GeoTab geofence events from the relay: verified (IP allowlist and HMAC),
// de-duplicated, then handed to a sink. Here the bundled fake plays the relay.
func ExampleNewReceiver() {
	srv, stop := exampleServer(geotabtest.WithVehicles(5), geotabtest.WithZones(5))
	defer stop()
	secret := []byte("the-relay-shared-secret-0123")
	events := make(webhook.ChanSink, 1000) // a durable queue in production
	rc, err := geotab.NewReceiver(geotab.ReceiverConfig{Secrets: [][]byte{secret}, AllowedNetworks: []string{"127.0.0.0/8"}}, events)
	if err != nil {
		fmt.Println(err)
		return
	}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	_ = srv.Subscribe(hook.URL, secret)
	srv.Advance(2 * time.Hour) // vehicles drive through job sites

	entered := 0
	for len(events) > 0 {
		ev, _ := geotab.DecodeEvent((<-events).Body)
		if ev.Type == geotab.WebhookEventTypeGeofenceEntered {
			entered++
		}
	}
	fmt.Println(entered > 0)
	// Output:
	// true
}

// Know when a vehicle arrives at a job site: make sure the site's zone has entry and
// exit rules, then follow the geofence feed (the ExceptionEvents of those rules).
func ExampleClient_GeofenceFeed() {
	srv, stop := exampleServer(geotabtest.WithVehicles(1), geotabtest.WithZones(0))
	defer stop()
	start := srv.Now()
	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
	ctx := context.Background()

	vehicle, _ := c.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{})
	lat, lon := vehicle[0].Latitude+0.03, vehicle[0].Longitude // a site 3 km north
	d := 0.002
	site, err := c.AddZone(ctx, geotab.Zone{Name: "SR000042", Points: []geotab.Coordinate{
		{X: lon - d, Y: lat - d}, {X: lon + d, Y: lat - d}, {X: lon + d, Y: lat + d}, {X: lon - d, Y: lat + d}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.EnsureGeofenceRules(ctx, site); err != nil {
		fmt.Println(err)
		return
	}
	srv.Visit(vehicle[0].Device.ID, lat, lon, 30*time.Minute) // the fake fleet: drive there, stay
	srv.Advance(time.Hour)

	n := 0
	for ev, err := range c.GeofenceFeed(ctx, geotab.FeedOptions{FromDate: start}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.DeviceID, ev.Kind, ev.ZoneID == site, ev.At.Sub(start) > 0)
		if n++; n == 2 {
			break
		}
	}
	// Output:
	// b1 entered true true
	// b1 exited true true
}

// Send a job to a vehicle's driver and ask whether they take it; the answer comes
// back through the TextMessage feed (or TextMessages with ParentTextMessageID).
func ExampleClient_SendMessage() {
	srv, stop := exampleServer(geotabtest.WithVehicles(1), geotabtest.WithZones(0))
	defer stop()
	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
	ctx := context.Background()

	if _, err := c.SendMessage(ctx, "b1", geotab.LocationStop("100 Queen St W, Toronto", 43.6525, -79.3839)); err != nil {
		fmt.Println(err)
		return
	}
	id, err := c.SendMessage(ctx, "b1", geotab.CannedResponses("SR000042: no heat. Can you take it?", "Yes", "No"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.Reply(id, "Yes") // the fake driver answers
	replies, _ := c.TextMessages(ctx, geotab.TextMessageSearch{ParentTextMessageID: id})
	for _, r := range replies {
		fmt.Println(geotab.IsReply(r), r.MessageContent.Message)
	}
	// Output:
	// true Yes
}
