package maddencotest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
)

// A fake Maddenco for a test: the client sends the fake's API key, and the fake
// checks every request against the contract and the hourly budget.
func ExampleNewServer() {
	srv, err := maddencotest.New(maddencotest.WithEquipment(100)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := maddenco.New(srv.Config())

	p, err := c.Part(context.Background(), maddencotest.PartNumber(1))
	fmt.Println(p.Value.PartNumber, err)
	_, err = c.Part(context.Background(), "P-9999")
	fmt.Println(errors.Is(err, connectors.ErrNotFound), len(srv.Requests()), srv.Throttled())
	// Output:
	// P-0001 <nil>
	// true 2 0
}
