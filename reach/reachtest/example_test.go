package reachtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
)

// A fake Reach for a test: the client gets a token from the fake's OAuth endpoint,
// and the fake checks every request against the contract.
func ExampleNewServer() {
	srv, err := reachtest.New(reachtest.WithServiceRequests(3)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := reach.New(srv.Config())

	sr, err := c.ServiceRequest(context.Background(), "SR000002")
	fmt.Println(sr.ID, err)
	_, err = c.ServiceRequest(context.Background(), "SR999999")
	fmt.Println(errors.Is(err, connectors.ErrNotFound), srv.TokensIssued(), "token")
	// Output:
	// SR000002 <nil>
	// true 1 token
}
