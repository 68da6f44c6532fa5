package maddenco_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/resilience"
)

// Reading equipment for the dispatch screen: when Maddenco is down the client answers
// with the last good data, marked stale. A screen that cannot wait for retries says
// so in its context.
func ExampleClient_Equipment() {
	srv, err := maddencotest.New(maddencotest.WithEquipment(10)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	cfg := srv.Config()
	cfg.CacheTTL = -1 // always ask Maddenco; keep answers for the fallback only
	c, _ := maddenco.New(cfg)
	ctx := resilience.NoRetry(context.Background())

	e, err := c.Equipment(ctx, "EQ00004")
	fmt.Println(e.Value.ID, e.Stale, err)

	srv.Fail(maddencotest.Fault{Status: 503, Times: 100})
	e, err = c.Equipment(ctx, "EQ00004")
	fmt.Println(e.Value.ID, e.Stale, err)
	_, err = c.Equipment(ctx, "EQ00005")
	fmt.Println(errors.Is(err, connectors.ErrUnavailable), "(never read: nothing to fall back on)")
	// Output:
	// EQ00004 false <nil>
	// EQ00004 true <nil>
	// true (never read: nothing to fall back on)
}

// The daily sync: every change since the checkpoint, which is saved after each
// batch. Use connectors.FileCheckpoint in production.
func ExampleClient_Sync() {
	srv, err := maddencotest.New(maddencotest.WithEquipment(10)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := maddenco.New(srv.Config())
	ctx := context.Background()
	cp := &connectors.MemoryCheckpoint{}

	n := 0
	for _, err := range c.Sync(ctx, cp, maddenco.SyncOptions{}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println("first run:", n)

	srv.SetStatus("EQ00003", maddenco.EquipmentStatusInRepair)
	for ch, err := range c.Sync(ctx, cp, maddenco.SyncOptions{}) {
		fmt.Println("next run:", ch.Kind, ch.ID, ch.Equipment.Status, err)
	}
	// Output:
	// first run: 330
	// next run: equipment EQ00003 in_repair <nil>
}
