package reach_test

import (
	"context"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
)

// List the technicians who have a skill.
func ExampleClient_Technicians() {
	srv, err := reachtest.New(reachtest.WithTechnicians(6)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, err := reach.New(srv.Config())
	if err != nil {
		fmt.Println(err)
		return
	}
	for tech, err := range c.Technicians(context.Background(), "plumbing", reach.ListOptions{}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(tech.ID, tech.Skills)
	}
	// Unordered output:
	// T0002 [plumbing network]
	// T0006 [hvac plumbing]
}

// Resume an incremental sync: the checkpoint remembers how far the last run got, so
// a restarted process continues without a gap. Use FileCheckpoint in production.
func ExampleClient_Sync() {
	srv, err := reachtest.New(reachtest.WithServiceRequests(120)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := reach.New(srv.Config())
	cp := &connectors.MemoryCheckpoint{}
	run := func() int {
		n := 0
		for _, err := range c.Sync(context.Background(), cp, reach.SyncOptions{Kinds: []reach.Kind{reach.KindServiceRequest}}) {
			if err != nil {
				fmt.Println(err)
				return n
			}
			n++ // upsert the change into the dispatch center's store here
		}
		return n
	}
	fmt.Println("first run:", run())
	srv.Touch("SR000005")
	fmt.Println("next run sees the change:", run() >= 1)
	// Output:
	// first run: 120
	// next run sees the change: true
}
