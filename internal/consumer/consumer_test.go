package consumer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// connectorCase is one connector against its fake: read makes one call; fail makes
// the fake answer that call's next three attempts with 502; sent counts the requests
// the fake received for it.
type connectorCase struct {
	name string
	// start builds the fake and the client on clk and makes a first call (the
	// sign-in), and returns the read, the fault and the count
	start func(t *testing.T, clk *clock.Fake) (read func(context.Context) error, fail func(), sent func() int)
}

func count[R any](all []R, match func(R) bool) int {
	n := 0
	for _, r := range all {
		if match(r) {
			n++
		}
	}
	return n
}

var cases = []connectorCase{
	{"reach", func(t *testing.T, clk *clock.Fake) (func(context.Context) error, func(), func() int) {
		srv := reachtest.NewServer(t, reachtest.WithClock(clk), reachtest.WithServiceRequests(3))
		c, err := reach.New(srv.Config(), reach.WithClock(clk), reach.WithPolicy(resilience.Standard()))
		require.NoError(t, err)
		read := func(ctx context.Context) error { _, err := c.ServiceRequest(ctx, "SR000001"); return err }
		return read, func() { srv.Fail(reachtest.Fault{Match: "getServiceRequest", Status: 502, Times: 3}) },
			func() int {
				return count(srv.Requests(), func(r reachtest.Request) bool { return r.Path == "/api/servicerequests/SR000001" })
			}
	}},
	{"geotab", func(t *testing.T, clk *clock.Fake) (func(context.Context) error, func(), func() int) {
		srv := geotabtest.NewServer(t, geotabtest.WithClock(clk), geotabtest.WithVehicles(3))
		c, err := geotab.New(srv.Config(), geotab.WithClock(clk), geotab.WithPolicy(resilience.Standard()))
		require.NoError(t, err)
		read := func(ctx context.Context) error { _, err := c.Devices(ctx, geotab.DeviceSearch{}); return err }
		return read, func() { srv.Fail(geotabtest.Fault{Method: "Get", Status: 502, Times: 3}) },
			func() int {
				return count(srv.Requests(), func(r geotabtest.Request) bool { return r.Method == "Get" })
			}
	}},
	{"dayforce", func(t *testing.T, clk *clock.Fake) (func(context.Context) error, func(), func() int) {
		srv := dayforcetest.NewServer(t, dayforcetest.WithClock(clk), dayforcetest.WithEmployees(3))
		c, err := dayforce.New(srv.Config(), dayforce.WithClock(clk), dayforce.WithPolicy(resilience.Standard()))
		require.NoError(t, err)
		x := "E0001"
		read := func(ctx context.Context) error { _, err := c.Employee(ctx, x, dayforce.EmployeeOptions{}); return err }
		return read, func() { srv.Fail(dayforcetest.Fault{Match: "getEmployee", Status: 502, Times: 3}) },
			func() int {
				return count(srv.Requests(), func(r dayforcetest.Request) bool { return strings.HasSuffix(r.Path, "/Employees/"+x) })
			}
	}},
	{"maddenco", func(t *testing.T, clk *clock.Fake) (func(context.Context) error, func(), func() int) {
		srv := maddencotest.NewServer(t, maddencotest.WithClock(clk), maddencotest.WithEquipment(3))
		c, err := maddenco.New(srv.Config(), maddenco.WithClock(clk), maddenco.WithPolicy(resilience.Standard()))
		require.NoError(t, err)
		id := maddencotest.EquipmentID(1)
		read := func(ctx context.Context) error { _, err := c.Equipment(ctx, id); return err }
		return read, func() { srv.Fail(maddencotest.Fault{Match: "getEquipment", Status: 502, Times: 3}) },
			func() int {
				return count(srv.Requests(), func(r maddencotest.Request) bool { return r.Path == "/api/equipment/"+id })
			}
	}},
	{"merchant", func(t *testing.T, clk *clock.Fake) (func(context.Context) error, func(), func() int) {
		srv := merchanttest.NewServer(t, merchanttest.WithClock(clk), merchanttest.WithHistory(1))
		c, err := merchant.New(srv.Config(), merchant.WithClock(clk), merchant.WithPolicy(resilience.Standard()))
		require.NoError(t, err)
		t.Cleanup(c.Close)
		day := clk.Now().AddDate(0, 0, -1)
		read := func(ctx context.Context) error { _, err := c.Settlement(ctx, day); return err }
		return read, func() { srv.Fail(merchanttest.Fault{Match: "getSettlement", Status: 502, Times: 3}) },
			func() int {
				return count(srv.Requests(), func(r merchanttest.Request) bool { return strings.HasPrefix(r.Path, "/v1/settlements/") })
			}
	}},
	{"treadnet", func(t *testing.T, clk *clock.Fake) (func(context.Context) error, func(), func() int) {
		srv := treadnettest.NewServer(t, treadnettest.WithClock(clk), treadnettest.WithHistory(1))
		c, err := treadnet.New(srv.Config(), treadnet.WithClock(clk), treadnet.WithPolicy(resilience.Standard()))
		require.NoError(t, err)
		t.Cleanup(c.Close)
		read := func(ctx context.Context) error { _, err := c.NetworkStatus(ctx); return err }
		return read, func() { srv.Fail(treadnettest.Fault{Match: "getNetworkStatus", Status: 502, Times: 3}) },
			func() int {
				return count(srv.Requests(), func(r treadnettest.Request) bool { return strings.HasSuffix(r.Path, "/status") })
			}
	}},
}

// Three 502s, then an answer, through Standard(): the fourth attempt succeeds after
// waits of 5, 10 and 15 s of the fake clock, which a test does not wait for.
func TestStandardRetriesOnTheFakeClock(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC))
			read, fail, sent := tc.start(t, clk)
			ctx := context.Background()
			require.NoError(t, read(ctx), "the first call, which signs in")
			before, at, began := sent(), clk.Now(), time.Now()
			fail()
			require.NoError(t, read(ctx))
			elapsed := time.Since(began)
			t.Logf("%s of the fake clock in %s", clk.Now().Sub(at), elapsed)
			require.Equal(t, 4, sent()-before, "three 502s and the answer")
			require.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}, clk.Sleeps()[len(clk.Sleeps())-3:])
			require.GreaterOrEqual(t, clk.Now().Sub(at), 30*time.Second, "the fake clock waited")
			require.Less(t, elapsed, 5*time.Second, "the test did not wait for it in real time")
		})
	}
}
