package treadnet_test

import (
	"context"
	"fmt"
	"net"

	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// Listening for Treadnet's traps and matching an outage to the open service requests
// it may explain.
func ExampleTrapReceiver() {
	srv, err := treadnettest.New(treadnettest.WithHistory(0)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig()) // communities, v3 users, site of each agent
	if err != nil {
		panic(err)
	}
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0") // ":162" in production
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- rc.Serve(ctx, pc) }()
	defer func() { stop(); <-done }()

	srv.SendTrapsTo(pc.LocalAddr().String(), true) // SNMPv3, authPriv
	_, _ = srv.OpenOutage(2, "critical", "fiber cut")
	ev := <-rc.Events()
	fmt.Println(ev.Kind, ev.SiteID, ev.Area, ev.Severity, ev.Version)

	open := []treadnet.ServiceRequest{{ID: "SR-17", SiteID: "TN-002"}, {ID: "SR-18", Area: "south"}, {ID: "SR-19", Area: "north"}}
	for _, m := range treadnet.Correlate(ev, open) {
		fmt.Println(m.Request.ID, "by", m.By)
	}
	// Output:
	// NetworkOutageDetected TN-002 south critical v3
	// SR-17 by site
	// SR-18 by area
}

// Reading the current outages over mutual TLS.
func ExampleClient_Outages() {
	srv, err := treadnettest.New() // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, err := treadnet.New(srv.Config()) // Config.TLS: client certificate and CA
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_, _ = srv.OpenOutage(9, "major", "power")
	for o, err := range c.Outages(context.Background(), treadnet.OutageFilter{Status: treadnet.OutageStatusOpen}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(o.Severity, o.SiteIDs, o.Areas, o.Cause)
	}
	// Output: major [TN-009] [east] power
}
