package treadnettest_test

import (
	"context"
	"fmt"

	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// A fake Treadnet for a test: its Config carries a client certificate its CA signed,
// and its agents' traps can be encoded for a receiver without a socket.
func ExampleNewServer() {
	srv, err := treadnettest.New(treadnettest.WithSites(12)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := treadnet.New(srv.Config())
	defer c.Close()
	st, err := c.NetworkStatus(context.Background())
	fmt.Println(st.SitesTotal, st.SitesUp, err)

	rc, _ := treadnet.NewTrapReceiver(srv.TrapConfig())
	p, _ := treadnettest.LinkDown(3, 2, "ge-0/0/2").Packet()
	rc.Handle(p, treadnettest.Agent(3))
	ev := <-rc.Events()
	fmt.Println(ev.Kind, ev.SiteID, ev.Interface)
	// Output:
	// 12 12 <nil>
	// NetworkOutageDetected TN-003 ge-0/0/2
}
