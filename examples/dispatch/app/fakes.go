package app

import (
	"time"

	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/internal/fakekit"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// Fakes are the six bundled fakes, run in-process: the embedded defaults.
type Fakes struct {
	Reach    *reachtest.Server
	Geotab   *geotabtest.Server
	Dayforce *dayforcetest.Server
	Maddenco *maddencotest.Server
	Treadnet *treadnettest.Server
	Merchant *merchanttest.Server
	tb       *fakekit.ExampleTB
}

// StartFakes starts every fake on loopback, each over HTTPS as the real system is
// served; a fake's Client() trusts its certificate (examples/fakeserver writes the
// CAs out for other clients).
func StartFakes() *Fakes {
	tb := &fakekit.ExampleTB{}
	return &Fakes{tb: tb,
		Reach:    reachtest.NewServer(tb, reachtest.WithTLS(), reachtest.WithServiceRequests(0)),
		Geotab:   geotabtest.NewServer(tb, geotabtest.WithTLS(), geotabtest.WithStart(time.Now().UTC().Truncate(time.Minute))),
		Dayforce: dayforcetest.NewServer(tb, dayforcetest.WithTLS(), dayforcetest.WithEmployees(20), dayforcetest.WithStart(time.Now().UTC().Truncate(time.Hour))),
		Maddenco: maddencotest.NewServer(tb, maddencotest.WithTLS(), maddencotest.WithEquipment(200)),
		Treadnet: treadnettest.NewServer(tb, treadnettest.WithHistory(10)),
		Merchant: merchanttest.NewServer(tb, merchanttest.WithHistory(1)),
	}
}

// Stop stops them.
func (f *Fakes) Stop() { f.tb.Stop() }
