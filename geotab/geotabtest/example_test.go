package geotabtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
)

// Inject a MyGeotab exception into the next call and watch the client map it.
func ExampleServer_Fail() {
	srv, err := geotabtest.New(geotabtest.WithVehicles(2)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))

	srv.Fail(geotabtest.Fault{Method: "Get Device", Exception: geotab.ExInvalidPermissions, Message: "no access to vehicles"})
	_, err = c.Devices(context.Background(), geotab.DeviceSearch{})
	fmt.Println(errors.Is(err, connectors.ErrForbidden))

	srv.Advance(time.Hour) // the fleet drives on the fake clock
	n, _ := c.CountOf(context.Background(), geotab.TypeNameDevice)
	fmt.Println(n, "vehicles")
	// Output:
	// true
	// 2 vehicles
}
