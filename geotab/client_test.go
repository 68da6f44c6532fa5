package geotab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newClient returns a client of srv whose waits take no time.
func newClient(t *testing.T, srv *geotabtest.Server, opts ...geotab.Option) (*geotab.Client, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(time.Now())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]geotab.Option{geotab.WithBaseURL(srv.URL), geotab.WithClock(fc), geotab.WithHTTPClient(&http.Client{Transport: tr})}, opts...)
	c, err := geotab.New(srv.Config(), all...)
	require.NoError(t, err)
	return c, fc
}

func TestConfigValidation(t *testing.T) {
	_, err := geotab.New(geotab.Config{})
	require.Error(t, err)
	for _, f := range []string{"Database", "UserName", "Password"} {
		assert.Contains(t, err.Error(), f)
	}
	_, err = geotab.New(geotab.Config{Database: "d", UserName: "u", Password: "p"}, geotab.WithBaseURL("http://example.com"))
	assert.ErrorContains(t, err, "loopback")
}

func TestReadOperations(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(20))
	srv.Advance(40 * time.Minute)
	c, _ := newClient(t, srv)
	ctx := context.Background()

	devices, err := c.Devices(ctx, geotab.DeviceSearch{})
	require.NoError(t, err)
	require.Len(t, devices, 20)
	d, err := c.Device(ctx, devices[3].ID)
	require.NoError(t, err)
	assert.Equal(t, devices[3].Name, d.Name)
	_, err = c.Device(ctx, "nope")
	assert.ErrorIs(t, err, connectors.ErrNotFound)
	byName, err := c.Devices(ctx, geotab.DeviceSearch{Name: "Truck 00%"})
	require.NoError(t, err)
	assert.Len(t, byName, 9)

	n, err := c.CountOf(ctx, geotab.TypeNameDevice)
	require.NoError(t, err)
	assert.Equal(t, 20, n)

	statuses, err := c.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{})
	require.NoError(t, err)
	require.Len(t, statuses, 20)
	near, err := c.NearestVehicles(ctx, geotab.Coordinate{X: statuses[5].Longitude, Y: statuses[5].Latitude}, 3)
	require.NoError(t, err)
	require.Len(t, near, 3)
	assert.Equal(t, statuses[5].Device.ID, near[0].Device.ID, "the nearest vehicle to its own position is itself")

	logs, err := geotab.Collect(c.LogRecords(ctx, geotab.DateRangeSearch{DeviceSearch: geotab.IDSearch{ID: devices[0].ID}}))
	require.NoError(t, err)
	assert.NotEmpty(t, logs)
	for _, lr := range logs {
		assert.Equal(t, devices[0].ID, lr.Device.ID)
		assert.Len(t, lr.Version, 16)
	}
	trips, err := geotab.Collect(c.Trips(ctx, geotab.DateRangeSearch{}))
	require.NoError(t, err)
	assert.NotEmpty(t, trips)

	rules, err := c.Rules(ctx, geotab.RuleSearch{})
	require.NoError(t, err)
	assert.Len(t, rules, 12, "the seeded arrival rules; hidden zone-stop rules only with includeZoneStopRules")
	for _, r := range rules {
		assert.Equal(t, geotab.RuleBaseTypeCustom, r.BaseType)
	}
	rules, err = c.Rules(ctx, geotab.RuleSearch{IncludeZoneStopRules: true})
	require.NoError(t, err)
	assert.Len(t, rules, 24)

	zones, err := c.Zones(ctx, geotab.ZoneSearch{ExternalReference: "SITE-000%"})
	require.NoError(t, err)
	assert.Len(t, zones, 9)
	drivers, err := c.Drivers(ctx, geotab.UserSearch{})
	require.NoError(t, err)
	assert.Len(t, drivers, 20)
	users, err := c.Users(ctx, geotab.UserSearch{ID: drivers[0].ID})
	require.NoError(t, err)
	assert.Len(t, users, 1)
	diags, err := c.Diagnostics(ctx, geotab.IDSearch{ID: "DiagnosticOdometerId"})
	require.NoError(t, err)
	assert.Len(t, diags, 1)
	sd, err := geotab.Collect(c.StatusData(ctx, geotab.DateRangeSearch{DiagnosticSearch: geotab.IDSearch{ID: "DiagnosticOdometerId"}}))
	require.NoError(t, err)
	require.NotEmpty(t, sd)
	assert.Equal(t, "DiagnosticOdometerId", sd[0].Diagnostic.ID)
	assert.Greater(t, sd[0].Data, 1e6, "odometer in metres")
	faults, err := geotab.Collect(c.FaultData(ctx, geotab.DateRangeSearch{}))
	require.NoError(t, err)
	require.NotEmpty(t, faults, "one vehicle in seven reports a fault")
	assert.Equal(t, "Active", faults[0].FaultState)

	coords, err := c.Coordinates(ctx, []string{"100 King St W, Toronto", "Nowhere Lane"})
	require.NoError(t, err)
	require.Len(t, coords, 2)
	assert.NotNil(t, coords[0])
	assert.Nil(t, coords[1], "an unknown address gives null")
	z := zones[0]
	addrs, err := c.Addresses(ctx, []geotab.Coordinate{{X: z.CentroidLongitude, Y: z.CentroidLatitude}})
	require.NoError(t, err)
	require.Len(t, addrs, 1)
	assert.Equal(t, []geotab.Ref{geotab.NewRef(z.ID)}, addrs[0].Zones)
	assert.Equal(t, 1, srv.AuthCount(), "one login for all those calls")
}

func TestGeofenceEventsAndInvalidation(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(10), geotabtest.WithZones(10))
	srv.Advance(3 * time.Hour)
	c, _ := newClient(t, srv)
	ctx := context.Background()
	evs, err := geotab.Collect(c.ExceptionEvents(ctx, geotab.ExceptionEventSearch{}))
	require.NoError(t, err)
	require.NotEmpty(t, evs, "vehicles drove through job sites")
	ev := evs[0]
	assert.Equal(t, geotab.StateValid, ev.State.ID)
	assert.False(t, ev.ActiveTo.Before(ev.ActiveFrom.Time))
	require.True(t, srv.InvalidateEvent(ev.ID))
	after, err := geotab.Collect(c.ExceptionEvents(ctx, geotab.ExceptionEventSearch{ID: ev.ID}))
	require.NoError(t, err)
	assert.Empty(t, after, "invalidated events only with includeInvalidated")
	after, err = geotab.Collect(c.ExceptionEvents(ctx, geotab.ExceptionEventSearch{ID: ev.ID, IncludeInvalidated: true}))
	require.NoError(t, err)
	require.Len(t, after, 1)
	assert.True(t, geotab.IsInvalidated(after[0]))
}

func TestZonesAndRouteAssignment(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(5))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	pts := []geotab.Coordinate{{X: -79.40, Y: 43.64}, {X: -79.39, Y: 43.64}, {X: -79.39, Y: 43.65}, {X: -79.40, Y: 43.65}}
	id, err := c.AddZone(ctx, geotab.Zone{Name: "Customer 42", ExternalReference: "SR-42", Points: pts})
	require.NoError(t, err)
	require.NotEmpty(t, id)

	_, err = c.AddZone(ctx, geotab.Zone{Name: "customer 42", Points: pts})
	assert.ErrorIs(t, err, connectors.ErrConflict, "DuplicateException")
	var ge *geotab.Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, geotab.ExDuplicate, ge.Exception)

	_, err = c.AddZone(ctx, geotab.Zone{Name: "Bad", Points: []geotab.Coordinate{{X: 200, Y: 43}, {X: 1, Y: 2}, {X: 3, Y: 4}}})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "ArgumentOutOfRangeException")

	zs, err := c.Zones(ctx, geotab.ZoneSearch{ExternalReference: "SR-42"})
	require.NoError(t, err)
	require.Len(t, zs, 1)
	z := zs[0]
	z.Comment = "gate code at the back"
	require.NoError(t, c.SetZone(ctx, z))
	zs, err = c.Zones(ctx, geotab.ZoneSearch{ID: id})
	require.NoError(t, err)
	assert.Equal(t, "gate code at the back", zs[0].Comment)

	devices, err := c.Devices(ctx, geotab.DeviceSearch{})
	require.NoError(t, err)
	arrive := srv.Now().Add(time.Hour)
	_, err = c.AssignRoute(ctx, devices[0].ID, "SR-42 visit", []geotab.Stop{{ZoneID: id, Arrive: arrive}})
	require.ErrorIs(t, err, connectors.ErrInvalidRequest, "one stop is refused before the network")
	depot, err := c.AddZone(ctx, geotab.Zone{Name: "Depot", Points: []geotab.Coordinate{{X: -79.42, Y: 43.64}, {X: -79.41, Y: 43.64},
		{X: -79.41, Y: 43.65}, {X: -79.42, Y: 43.65}}})
	require.NoError(t, err)
	rid, err := c.AssignRoute(ctx, devices[0].ID, "SR-42 visit", []geotab.Stop{{ZoneID: depot, Arrive: srv.Now()},
		{ZoneID: id, Arrive: arrive, StopFor: 45 * time.Minute}})
	require.NoError(t, err)
	routes, err := c.Routes(ctx, geotab.RouteSearch{DeviceSearch: geotab.IDSearch{ID: devices[0].ID}})
	require.NoError(t, err)
	require.Len(t, routes, 1)
	r := routes[0]
	assert.Equal(t, geotab.RouteRouteTypePlan, r.RouteType)
	require.Len(t, r.RoutePlanItemCollection, 2)
	assert.Equal(t, id, r.RoutePlanItemCollection[1].Zone.ID)
	assert.Equal(t, 45*time.Minute, r.RoutePlanItemCollection[1].ExpectedStopDuration.Duration())
	assert.True(t, arrive.Truncate(time.Millisecond).Equal(r.RoutePlanItemCollection[1].ActiveFrom.Time))

	_, err = c.AssignRoute(ctx, devices[0].ID, "bad", []geotab.Stop{{ZoneID: depot, Arrive: arrive}, {ZoneID: "missing", Arrive: arrive}})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest)
	require.NoError(t, c.RemoveRoute(ctx, rid))
	require.NoError(t, c.RemoveZone(ctx, id))
	zs, err = c.Zones(ctx, geotab.ZoneSearch{ID: id})
	require.NoError(t, err)
	assert.Empty(t, zs)
}

func TestExecuteMultiCall(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(7))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	res, err := c.ExecuteMultiCall(ctx, geotab.GetCall(geotab.TypeNameDevice, geotab.DeviceSearch{Name: "Truck 001"}), geotab.CountCall(geotab.TypeNameDevice))
	require.NoError(t, err)
	require.Len(t, res, 2)
	ds, err := geotab.Decode[[]geotab.Device](res[0])
	require.NoError(t, err)
	require.Len(t, ds, 1)
	n, err := geotab.Decode[int](res[1])
	require.NoError(t, err)
	assert.Equal(t, 7, n)

	// the server stops at the first failing call and names it
	_, err = c.ExecuteMultiCall(ctx, geotab.CountCall(geotab.TypeNameDevice), geotab.Call{Method: "NoSuchMethod", Params: map[string]any{}},
		geotab.CountCall(geotab.TypeNameZone))
	var ge *geotab.Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, geotab.ExMissingMethod, ge.Exception)
	assert.Equal(t, 1, ge.RequestIndex)
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest)
}

func TestErrorsMapped(t *testing.T) {
	cases := []struct {
		name      string
		fault     geotabtest.Fault
		want      error
		exception string
		calls     int // Get calls the server saw
	}{
		{"over limit with Retry-After is retried", geotabtest.Fault{Method: "Get", Exception: geotab.ExOverLimit, RetryAfter: 2, Message: "API calls quota exceeded. Maximum admitted 10 per 1m."}, nil, "", 2},
		// Standard's whole sequence: 5 s, 10 s and 15 s waits, 4 attempts, within its budget
		{"over limit exhausts into rate limited", geotabtest.Fault{Method: "Get", Times: 9, Exception: geotab.ExOverLimit, RetryAfter: 1}, connectors.ErrRateLimited, geotab.ExOverLimit, 4},
		{"db initializing is retried", geotabtest.Fault{Method: "Get", Exception: geotab.ExDbUnavailable, State: geotab.DbStateInitializing}, nil, "", 2},
		{"unknown database is final", geotabtest.Fault{Method: "Get", Exception: geotab.ExDbUnavailable, State: geotab.DbStateUnknownDatabase}, connectors.ErrUnavailable, geotab.ExDbUnavailable, 1},
		{"permissions", geotabtest.Fault{Method: "Get", Exception: geotab.ExInvalidPermissions}, connectors.ErrForbidden, geotab.ExInvalidPermissions, 1},
		{"argument", geotabtest.Fault{Method: "Get", Exception: geotab.ExArgument}, connectors.ErrInvalidRequest, geotab.ExArgument, 1},
		{"json serializer", geotabtest.Fault{Method: "Get", Exception: geotab.ExJSONSerializer}, connectors.ErrInvalidRequest, geotab.ExJSONSerializer, 1},
		{"duplicate", geotabtest.Fault{Method: "Get", Exception: geotab.ExDuplicate}, connectors.ErrConflict, geotab.ExDuplicate, 1},
		{"legacy format only", geotabtest.Fault{Method: "Get", Status: 200,
			Body: `{"error":{"message":"exists","code":-32000,"name":"JSONRPCError","errors":[{"message":"exists","name":"DuplicateException"}]}}`},
			connectors.ErrConflict, geotab.ExDuplicate, 1},
		{"session refused twice", geotabtest.Fault{Method: "Get", Times: 2, Exception: geotab.ExInvalidUser}, connectors.ErrUnauthorized, geotab.ExInvalidUser, 2},
		{"connection reset is retried", geotabtest.Fault{Method: "Get", Reset: true}, nil, "", 2},
		{"503 is retried", geotabtest.Fault{Method: "Get", Status: 503, Times: 2}, nil, "", 3},
		{"malformed body", geotabtest.Fault{Method: "Get", Malformed: true}, connectors.ErrUnavailable, "", 1},
		{"truncated body", geotabtest.Fault{Method: "Get", Truncate: true}, connectors.ErrUnavailable, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := geotabtest.NewServer(t, geotabtest.WithVehicles(3))
			c, _ := newClient(t, srv)
			ctx := context.Background()
			_, err := c.CountOf(ctx, geotab.TypeNameDevice) // log in first
			require.NoError(t, err)
			srv.Fail(tc.fault)
			ds, err := c.Devices(ctx, geotab.DeviceSearch{})
			gets := 0
			for _, r := range srv.Requests() {
				if r.Method == "Get" {
					gets++
				}
			}
			assert.Equal(t, tc.calls, gets)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Len(t, ds, 3)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "geotab", ae.System)
			if tc.exception != "" {
				var ge *geotab.Error
				require.ErrorAs(t, err, &ge)
				assert.Equal(t, tc.exception, ge.Exception)
			}
		})
	}
}

func TestResultsLimit(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	c, _ := newClient(t, srv)
	_, err := geotab.Get[geotab.LogRecord](context.Background(), c, geotab.TypeNameLogRecord, nil, 50001)
	var ge *geotab.Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, geotab.ExOverLimit, ge.Exception)
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "a results limit is not a rate limit: retrying cannot help")
	assert.Contains(t, ge.Message, "exceeds maximum limit (50000)")
}

func TestReauthenticationIsSingleFlight(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(3))
	c, _ := newClient(t, srv)
	run := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.CountOf(context.Background(), geotab.TypeNameDevice)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	run()
	assert.Equal(t, 1, srv.AuthCount(), "100 concurrent first calls, one login")
	srv.ExpireSessions()
	run()
	assert.Equal(t, 2, srv.AuthCount(), "100 calls on an expired session, one re-login")
}

func TestAuthenticateNeverMoreThanTenAMinute(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1))
	c, fc := newClient(t, srv)
	start := fc.Now()
	for i := 0; i < 12; i++ {
		before := fc.Now()
		srv.ExpireSessions()
		_, err := c.CountOf(context.Background(), geotab.TypeNameDevice)
		require.NoError(t, err, "the server's 10-a-minute limit is never hit")
		srv.Advance(fc.Now().Sub(before)) // the fake's clock moves with the client's
	}
	assert.Equal(t, 12, srv.AuthCount())
	// burst 1 and 9 more a minute: the 12th login is at least 70 s after the first
	assert.GreaterOrEqual(t, fc.Now().Sub(start), 70*time.Second)
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	srv := geotabtest.NewServer(t)
	cfg := srv.Config()
	cfg.Password = "wrong"
	c, err := geotab.New(cfg, geotab.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.Devices(context.Background(), geotab.DeviceSearch{})
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)
	assert.Equal(t, 1, srv.AuthCount(), "bad credentials are not retried")
}

func TestFederationAndDatabaseMove(t *testing.T) {
	root := geotabtest.NewServer(t, geotabtest.WithVehicles(4))
	peer := root.NewPeer(t)
	root.MoveDatabase(peer) // Authenticate at the root answers with the peer's name
	c, _ := newClient(t, root)
	ctx := context.Background()
	_, err := c.Devices(ctx, geotab.DeviceSearch{})
	require.NoError(t, err)
	last := root.Requests()[len(root.Requests())-1]
	assert.Equal(t, peer.Host(), last.Server, "calls go to the server Authenticate named")
	assert.Equal(t, "Get", last.Method)

	// the database moves back to the root: the session is refused, the client logs in
	// again at the root and follows the new path
	peer.MoveDatabase(root)
	_, err = c.Devices(ctx, geotab.DeviceSearch{})
	require.NoError(t, err)
	reqs := root.Requests()
	assert.Equal(t, root.Host(), reqs[len(reqs)-1].Server)
	assert.Equal(t, 2, root.AuthCount())
}

func TestSessionStoreSharesOneSession(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	store := &geotab.MemorySessionStore{}
	a, _ := newClient(t, srv, geotab.WithSessionStore(store))
	b, _ := newClient(t, srv, geotab.WithSessionStore(store))
	ctx := context.Background()
	_, err := a.CountOf(ctx, geotab.TypeNameDevice)
	require.NoError(t, err)
	_, err = b.CountOf(ctx, geotab.TypeNameDevice)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.AuthCount(), "the second replica took the stored session")
}

// lockingStore is a MemorySessionStore that can lock, as a shared store does.
type lockingStore struct {
	geotab.MemorySessionStore
	mu     sync.Mutex
	locks  int
	broken bool
}

func (l *lockingStore) Lock(context.Context, string) (func(), error) {
	if l.broken {
		return nil, errors.New("store down")
	}
	l.mu.Lock()
	l.locks++
	return l.mu.Unlock, nil
}

// Concurrent replicas without a session log in once under the store's lock; a lock
// that cannot be taken does not stop a login.
func TestSessionLockerMakesOneLogin(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	store := &lockingStore{}
	var wg sync.WaitGroup
	for range 4 {
		c, _ := newClient(t, srv, geotab.WithSessionStore(store))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CountOf(context.Background(), geotab.TypeNameDevice)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.AuthCount(), "one login for four replicas")
	assert.Equal(t, 4, store.locks)

	broken := &lockingStore{broken: true}
	c, _ := newClient(t, srv, geotab.WithSessionStore(broken))
	_, err := c.CountOf(context.Background(), geotab.TypeNameDevice)
	assert.NoError(t, err, "logged in without the lock")
}

func TestServesOverTLS(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithTLS(), geotabtest.WithVehicles(2))
	c, err := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL), geotab.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ds, err := c.Devices(context.Background(), geotab.DeviceSearch{})
	require.NoError(t, err)
	assert.Len(t, ds, 2)
}

func TestNothingSecretOrPersonalIsLogged(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newClient(t, srv, geotab.WithLogger(logger))
	ctx := context.Background()
	srv.Fail(geotabtest.Fault{Method: "Get", Status: 503})
	drivers, err := c.Drivers(ctx, geotab.UserSearch{})
	require.NoError(t, err)
	srv.ExpireSessions()
	_, err = c.Drivers(ctx, geotab.UserSearch{})
	require.NoError(t, err)
	out := buf.String()
	require.NotEmpty(t, out)
	assert.NotContains(t, out, geotabtest.DefaultPassword)
	assert.NotRegexp(t, `sess[0-9a-f]+-`, out, "no session id")
	for _, d := range drivers {
		assert.NotContains(t, out, d.FirstName+" "+d.LastName)
	}
	for _, r := range srv.Requests() {
		assert.NotContains(t, string(r.Params), geotabtest.DefaultPassword, "the recorder masks secrets")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rawCall posts a JSON-RPC body to the fake without the client.
func rawCall(t *testing.T, srv *geotabtest.Server, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(srv.URL+"/apiv1", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, "MyGeotab answers errors with HTTP 200")
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

func TestFakeValidatesRequestsAgainstTheContract(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1))
	cases := []struct {
		name, body, exception string
		code                  float64
	}{
		{"not JSON", `{'method': 'Get'}`, geotab.ExJSONSerializer, -32700},
		{"unknown method", `{"method":"Frobnicate","params":{}}`, geotab.ExMissingMethod, -32601},
		{"missing typeName", `{"method":"Get","params":{"credentials":{"userName":"u","sessionId":"s"}}}`, geotab.ExArgument, -32000},
		{"wrong type", `{"method":"Get","params":{"typeName":"Spaceship","credentials":{"userName":"u"}}}`, geotab.ExArgument, -32000},
		{"bad resultsLimit", `{"method":"Get","params":{"typeName":"Device","resultsLimit":"ten","credentials":{"userName":"u"}}}`, geotab.ExArgument, -32000},
		{"no session", `{"method":"Get","params":{"typeName":"Device","credentials":{"userName":"u","database":"dispatch","sessionId":"x"}}}`, geotab.ExInvalidUser, -32000},
		{"wrong password", `{"method":"Authenticate","params":{"userName":"svc-dispatch@example.com","password":"x","database":"dispatch"}}`, geotab.ExInvalidUser, -32000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := rawCall(t, srv, tc.body)
			e, ok := m["error"].(map[string]any)
			require.True(t, ok, "%v", m)
			assert.Equal(t, tc.code, e["code"])
			assert.Equal(t, tc.exception, e["data"].(map[string]any)["type"], "modern field")
			assert.Equal(t, tc.exception, e["errors"].([]any)[0].(map[string]any)["name"], "legacy field")
			assert.NotEmpty(t, e["message"])
		})
	}
}

func TestFakeRateLimitsWithRetryAfter(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1), geotabtest.WithRateLimit("Get Device", 2))
	c, _ := newClient(t, srv, geotab.WithPolicy(noRetry()))
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := c.Devices(ctx, geotab.DeviceSearch{})
		require.NoError(t, err)
	}
	_, err := c.Devices(ctx, geotab.DeviceSearch{})
	assert.ErrorIs(t, err, connectors.ErrRateLimited)
	srv.Advance(time.Minute)
	_, err = c.Devices(ctx, geotab.DeviceSearch{})
	require.NoError(t, err, "the window moved on")
}

func TestAuditEventPerOperation(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1))
	var mu sync.Mutex
	var events []connectors.AuditEvent
	c, _ := newClient(t, srv, geotab.WithAuditor(connectors.AuditFunc(func(_ context.Context, ev connectors.AuditEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	})))
	ctx := connectors.WithActor(context.Background(), "dispatch-api")
	_, err := c.Devices(ctx, geotab.DeviceSearch{})
	require.NoError(t, err)
	_, err = c.Device(ctx, "missing")
	require.Error(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, "Get Device", events[0].Operation)
	assert.Equal(t, "dispatch-api", events[0].Actor)
	assert.NoError(t, events[0].Err)
	assert.Equal(t, 1, events[0].Attempts)
	assert.Equal(t, 200, events[0].StatusCode)
}

func TestHealthReported(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1))
	c, _ := newClient(t, srv)
	_, err := c.Devices(context.Background(), geotab.DeviceSearch{})
	require.NoError(t, err)
	h := c.Health()
	assert.Equal(t, "geotab", h.Name)
	assert.Equal(t, 2, h.Calls) // Authenticate + Get
}

// TestZoneFlagsReachTheServer: mustIdentifyStops, whose MyGeotab default is true (and
// true adds a hidden ZoneStop rule), is sent as false on every Add and Set, and a
// zone hidden with Displayed false is sent so; the fake, like MyGeotab, makes the stop
// rule when the flag is left out.
func TestZoneFlagsReachTheServer(t *testing.T) {
	srv := geotabtest.NewServer(t)
	c, _ := newClient(t, srv)
	ctx := context.Background()
	pts := []geotab.Coordinate{{X: -79.38, Y: 43.65}, {X: -79.37, Y: 43.65}, {X: -79.37, Y: 43.66}, {X: -79.38, Y: 43.65}}
	id, err := c.AddZone(ctx, geotab.Zone{Name: "Job SR000321", Points: pts})
	require.NoError(t, err)
	last := func(method string) string {
		reqs := srv.Requests()
		for i := len(reqs) - 1; i >= 0; i-- {
			if reqs[i].Method == method {
				return string(reqs[i].Params)
			}
		}
		return ""
	}
	assert.Contains(t, last("Add"), `"mustIdentifyStops":false`, "false is on the wire")
	rules, err := c.Rules(ctx, geotab.RuleSearch{BaseType: string(geotab.RuleBaseTypeZoneStop), IncludeZoneStopRules: true})
	require.NoError(t, err)
	for _, r := range rules {
		assert.NotEqual(t, id, r.Condition.Zone.ID, "no hidden stop rule for the new zone")
	}

	zs, err := c.Zones(ctx, geotab.ZoneSearch{ID: id})
	require.NoError(t, err)
	require.Len(t, zs, 1)
	z := zs[0] // Set takes the whole entity
	hidden := false
	z.Displayed = &hidden
	require.NoError(t, c.SetZone(ctx, z))
	assert.Contains(t, last("Set"), `"displayed":false`)
	assert.Contains(t, last("Set"), `"mustIdentifyStops":false`, "Set can turn the flag off")
	zs, err = c.Zones(ctx, geotab.ZoneSearch{ID: id})
	require.NoError(t, err)
	require.Len(t, zs, 1)
	require.NotNil(t, zs[0].Displayed)
	assert.False(t, *zs[0].Displayed)
	assert.False(t, zs[0].MustIdentifyStops)
}

// TestDriversWithoutAKey: Drivers searches with userSearchType, so drivers with no
// driver key assigned are found too (the deprecated isDriver search misses them).
func TestDriversWithoutAKey(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(10))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	drivers, err := c.Drivers(ctx, geotab.UserSearch{})
	require.NoError(t, err)
	assert.Len(t, drivers, 10, "every driver, keyed or not")
	keyed, err := c.Users(ctx, geotab.UserSearch{IsDriver: true})
	require.NoError(t, err)
	assert.Less(t, len(keyed), len(drivers), "isDriver finds only the drivers with a key")
	reqs := srv.Requests()
	assert.Contains(t, string(reqs[len(reqs)-2].Params), `"userSearchType":"Driver"`)
}

// TestMultiCallRunsInOrder: MyGeotab runs a MultiCall's children one after the
// other, so an Add before a failing child takes effect, and the error names the
// failing child's index (SDK concepts, MultiCall: not transactional).
func TestMultiCallRunsInOrder(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	zone := geotab.Zone{Name: "Added before the failure", Points: []geotab.Coordinate{{X: -79.38, Y: 43.65}, {X: -79.37, Y: 43.65},
		{X: -79.37, Y: 43.66}}, Groups: []geotab.Ref{geotab.NewRef("GroupCompanyId")}}
	_, err := c.ExecuteMultiCall(ctx, geotab.Call{Method: "Add", Params: map[string]any{"typeName": "Zone", "entity": zone}},
		geotab.CountCall(geotab.TypeNameDevice), geotab.Call{Method: "NoSuchMethod", Params: map[string]any{}})
	var ge *geotab.Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, geotab.ExMissingMethod, ge.Exception)
	assert.Equal(t, 2, ge.RequestIndex)
	zs, err := c.Zones(ctx, geotab.ZoneSearch{Name: zone.Name})
	require.NoError(t, err)
	assert.Len(t, zs, 1, "the Add before the failing child took effect")
}

// TestCallMethodReachesTheRest: a method the client does not type is one call away,
// with the session's credentials added.
func TestCallMethodReachesTheRest(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(1), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	var now geotab.Time
	require.NoError(t, geotab.CallMethod(ctx, c, "GetSystemTimeUtc", nil, &now))
	assert.True(t, now.Equal(srv.Now()))
	var n int
	require.NoError(t, geotab.CallMethod(ctx, c, "GetCountOf", map[string]any{"typeName": "Device"}, &n))
	assert.Equal(t, 1, n)
	assert.Contains(t, lastParams(srv, "GetCountOf"), `"credentials":{`)
	err := geotab.CallMethod(ctx, c, "SetUserPassword", map[string]any{}, nil)
	var ge *geotab.Error
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, geotab.ExMissingMethod, ge.Exception)
	srv.Fail(geotabtest.Fault{Method: "AddIgnitionEvent", Reset: true})
	err = geotab.CallMethod(ctx, c, "AddIgnitionEvent", map[string]any{}, nil)
	assert.ErrorIs(t, err, connectors.ErrOutcomeUnknown, "a method that is not a Get is a write: not retried after a lost answer")
	assert.Error(t, geotab.CallMethod(ctx, c, "", nil, nil))
}

// TestFakeConfigIsEnough: a geotabtest server's Config names it as the federation
// root, so no WithBaseURL is needed.
func TestFakeConfigIsEnough(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2), geotabtest.WithZones(0))
	c, err := geotab.New(srv.Config())
	require.NoError(t, err)
	ds, err := c.Devices(context.Background(), geotab.DeviceSearch{})
	require.NoError(t, err)
	assert.Len(t, ds, 2)
	_, err = geotab.New(geotab.Config{Server: "http://my.geotab.com", Database: "d", UserName: "u", Password: "p"})
	assert.ErrorContains(t, err, "plain http", "a URL for a real host must be https")
}
