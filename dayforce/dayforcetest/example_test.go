package dayforcetest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
)

// Lose the answer to a punch after the fake stored it, then move the tenant to its
// other host: the client neither duplicates the punch nor loses its way.
func ExampleServer_Fail() {
	srv, err := dayforcetest.New(dayforcetest.WithEmployees(10)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, err := dayforce.New(srv.Config())
	if err != nil {
		panic(err)
	}
	badge := srv.Badge("E0001")
	srv.Fail(dayforcetest.Fault{Match: "postEmployeeRawPunch", After: true, Reset: true})
	r, err := c.PostPunch(context.Background(), dayforce.Punch{Badge: badge, Time: srv.Now(), Type: dayforce.PunchIn}, dayforce.WriteOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("reconciled:", r.Reconciled, "stored:", len(srv.Punches(badge))-2)

	srv.Relocate()
	_, err = c.PostPunch(context.Background(), dayforce.Punch{Badge: badge, Time: srv.Now().Add(4 * time.Hour), Type: dayforce.PunchOut}, dayforce.WriteOptions{})
	if err != nil {
		panic(err)
	}
	uri, _ := c.ServiceURI(context.Background())
	fmt.Println("stored:", len(srv.Punches(badge))-2, "on host", srv.Current(), uri == srv.Hosts[srv.Current()].URL+"/Api")
	// Output:
	// reconciled: true stored: 1
	// stored: 2 on host 1 true
}
