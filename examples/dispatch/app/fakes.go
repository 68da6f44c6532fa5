package app

import (
	"errors"
	"time"

	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
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
}

// StartFakes starts every fake on loopback, each over HTTPS as the real system is
// served; a fake's Client() trusts its certificate (examples/fakeserver writes the
// CAs out for other clients). On an error, the fakes already started are stopped.
func StartFakes() (*Fakes, error) {
	f := &Fakes{}
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	var err error
	f.Reach, err = reachtest.New(reachtest.WithTLS(), reachtest.WithServiceRequests(0))
	keep(err)
	f.Geotab, err = geotabtest.New(geotabtest.WithTLS(), geotabtest.WithStart(time.Now().UTC().Truncate(time.Minute)))
	keep(err)
	f.Dayforce, err = dayforcetest.New(dayforcetest.WithTLS(), dayforcetest.WithEmployees(20), dayforcetest.WithStart(time.Now().UTC().Truncate(time.Hour)))
	keep(err)
	f.Maddenco, err = maddencotest.New(maddencotest.WithTLS(), maddencotest.WithEquipment(200))
	keep(err)
	f.Treadnet, err = treadnettest.New(treadnettest.WithHistory(10))
	keep(err)
	f.Merchant, err = merchanttest.New(merchanttest.WithHistory(1))
	keep(err)
	if err := errors.Join(errs...); err != nil {
		f.Stop()
		return nil, err
	}
	return f, nil
}

// Stop stops them.
func (f *Fakes) Stop() {
	if f.Reach != nil {
		f.Reach.Close()
	}
	if f.Geotab != nil {
		f.Geotab.Close()
	}
	if f.Dayforce != nil {
		f.Dayforce.Close()
	}
	if f.Maddenco != nil {
		f.Maddenco.Close()
	}
	if f.Treadnet != nil {
		f.Treadnet.Close()
	}
	if f.Merchant != nil {
		f.Merchant.Close()
	}
}
