package treadnet_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// serve runs rc on a loopback UDP port until the test ends and returns its address.
func serve(t *testing.T, rc *treadnet.TrapReceiver) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		assert.NoError(t, rc.Serve(ctx, pc))
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return pc.LocalAddr().String()
}

// next waits for the next event (UDP on loopback is delivered at once; the wait only
// bounds a failure).
func next(t *testing.T, rc *treadnet.TrapReceiver) treadnet.NetworkEvent {
	t.Helper()
	select {
	case ev := <-rc.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return treadnet.NetworkEvent{}
	}
}

// settle waits until the receiver has taken n traps.
func settle(t *testing.T, rc *treadnet.TrapReceiver, n int64) treadnet.TrapStats {
	t.Helper()
	require.Eventually(t, func() bool { return rc.Stats().Received >= n }, 5*time.Second, time.Millisecond)
	return rc.Stats()
}

func TestTrapsOfEachKind(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	cases := []struct {
		name string
		trap treadnettest.Trap
		kind treadnet.EventKind
		site string
	}{
		{"linkDown", treadnettest.LinkDown(3, 7, "ge-0/0/7"), treadnet.NetworkOutageDetected, treadnettest.SiteID(3)},
		{"linkUp", treadnettest.LinkUp(3, 7, "ge-0/0/7"), treadnet.NetworkRestored, treadnettest.SiteID(3)},
		{"outage", treadnettest.Notification(treadnet.OIDOutageDetected, 5, "critical", "fiber cut", "OUT-1", "dispatch-radio"), treadnet.NetworkOutageDetected, treadnettest.SiteID(5)},
		{"service impact", treadnettest.Notification(treadnet.OIDServiceImpact, 6, "major", "radio degraded", "", "dispatch-radio"), treadnet.ServiceImpactAlert, treadnettest.SiteID(6)},
		{"restored", treadnettest.Notification(treadnet.OIDNetworkRestored, 5, "critical", "restored", "OUT-1", ""), treadnet.NetworkRestored, treadnettest.SiteID(5)},
		{"topology", treadnettest.Notification(treadnet.OIDTopologyChanged, 8, "minor", "link L-008 rerouted", "", ""), treadnet.TopologyChanged, treadnettest.SiteID(8)},
		{"performance", treadnettest.Notification(treadnet.OIDPerformanceDegraded, 9, "minor", "latency 180 ms", "", "telematics"), treadnet.PerformanceDegraded, treadnettest.SiteID(9)},
	}
	for _, version := range []string{"v2c", "v3"} {
		// one receiver per version: the same trap sent again as v3 is a duplicate
		rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
		require.NoError(t, err)
		addr := serve(t, rc)
		for _, tc := range cases {
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				tr := tc.trap
				tr.V3 = version == "v3"
				tr.Uptime = 90 * time.Minute
				require.NoError(t, treadnettest.SendTrap(addr, tr))
				ev := next(t, rc)
				assert.Equal(t, tc.kind, ev.Kind)
				assert.Equal(t, version, ev.Version)
				assert.Equal(t, tc.site, ev.SiteID)
				assert.NotEmpty(t, ev.Area)
				assert.Equal(t, netip.MustParseAddr(treadnettest.AgentAddress(siteIndex(tc.site))), ev.Agent)
				assert.Equal(t, tr.Uptime, ev.Uptime)
				if tc.name == "linkDown" {
					assert.Equal(t, "ge-0/0/7", ev.Interface)
					assert.Equal(t, "7", ev.Vars[treadnet.OIDIfIndex+".7"])
				}
				if tc.name == "outage" {
					assert.Equal(t, "critical", ev.Severity)
					assert.Equal(t, "OUT-1", ev.OutageID)
					assert.Equal(t, "dispatch-radio", ev.Service)
				}
			})
		}
		st := rc.Stats()
		assert.Equal(t, int64(len(cases)), st.Queued)
		assert.Zero(t, st.Refused+st.Malformed+st.Unmapped+st.Duplicates+st.Dropped)
	}
}

func siteIndex(id string) int {
	var n int
	for _, c := range id[3:] {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestTrapsRefusedUnmappedAndMalformed(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
	require.NoError(t, err)
	addr := serve(t, rc)
	down := treadnettest.LinkDown(1, 1, "ge-0/0/1")
	wrongCommunity := down
	wrongCommunity.Community = "public"
	wrongAuth := down
	wrongAuth.V3, wrongAuth.AuthPass = true, "not-the-passphrase"
	wrongPriv := down
	wrongPriv.V3, wrongPriv.PrivPass = true, "not-the-passphrase"
	unknown := treadnettest.Trap{OID: "1.3.6.1.4.1.9.9.41.2.0.1", Site: 1}
	for _, tr := range []treadnettest.Trap{wrongCommunity, wrongAuth, wrongPriv, unknown} {
		require.NoError(t, treadnettest.SendTrap(addr, tr))
	}
	conn, err := net.Dial("udp", addr)
	require.NoError(t, err)
	_, err = conn.Write([]byte{0x30, 0x03, 0x02, 0x01, 0x07})
	require.NoError(t, err)
	_, err = conn.Write([]byte("not snmp at all"))
	require.NoError(t, err)
	_ = conn.Close()
	st := settle(t, rc, 6)
	assert.Equal(t, int64(3), st.Refused, "wrong community, wrong auth key, wrong privacy key")
	assert.Equal(t, int64(1), st.Unmapped)
	assert.Equal(t, int64(2), st.Malformed)
	assert.Zero(t, st.Queued)

	v2only, err := treadnet.NewTrapReceiver(treadnet.TrapConfig{Communities: []string{treadnettest.Community}})
	require.NoError(t, err)
	v3 := down
	v3.V3 = true
	p, err := v3.Packet()
	require.NoError(t, err)
	_, err = v2only.Decode(p, netip.MustParseAddr("127.0.1.1"))
	assert.ErrorIs(t, err, treadnet.ErrTrapRefused, "no v3 users: v3 refused")

	for _, cfg := range []treadnet.TrapConfig{
		{},
		{Communities: []string{""}},
		{Users: []treadnet.V3User{{EngineID: treadnettest.V3EngineID, Name: "u", Auth: treadnet.AuthSHA, AuthPass: "longenough"}}},
		{Users: []treadnet.V3User{{EngineID: "zz", Name: "u", Auth: treadnet.AuthSHA, AuthPass: "longenough", Priv: treadnet.PrivAES, PrivPass: "longenough"}}},
		{Communities: []string{"c"}, Mappings: []treadnet.Mapping{{TrapOID: "1.2.3"}}},
	} {
		_, err := treadnet.NewTrapReceiver(cfg)
		assert.Error(t, err, "%+v", cfg.Users)
	}
}

func TestTrapDuplicatesAndOverflow(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	clk := clock.NewFake(time.Now())
	cfg := srv.TrapConfig()
	cfg.QueueSize, cfg.DedupWindow, cfg.Clock = 3, time.Minute, clk
	rc, err := treadnet.NewTrapReceiver(cfg)
	require.NoError(t, err)
	down := treadnettest.LinkDown(2, 4, "ge-0/0/4")
	p1, err := down.Packet()
	require.NoError(t, err)
	resent := down
	resent.Uptime = 2 * time.Hour // the agent re-sends later: only sysUpTime differs
	p2, err := resent.Packet()
	require.NoError(t, err)
	agent := netip.MustParseAddr(treadnettest.AgentAddress(2))

	rc.Handle(p1, agent)
	rc.Handle(p2, agent)
	rc.Handle(p1, agent)
	assert.Equal(t, treadnet.TrapStats{Received: 3, Queued: 1, Duplicates: 2}, rc.Stats())
	clk.Advance(time.Minute)
	rc.Handle(p1, agent)
	assert.Equal(t, int64(2), rc.Stats().Queued, "after the window it is news again")

	for i := 5; i < 10; i++ {
		p, err := treadnettest.LinkDown(2, i, "ge").Packet()
		require.NoError(t, err)
		rc.Handle(p, agent)
	}
	st := rc.Stats()
	assert.Equal(t, int64(3), st.Queued, "the queue holds 3")
	assert.Equal(t, int64(4), st.Dropped, "the rest is dropped and counted, the reader never blocked")
	assert.Len(t, rc.Events(), 3)
}

func TestCustomMapping(t *testing.T) {
	cfg := treadnet.TrapConfig{Communities: []string{treadnettest.Community}, Mappings: []treadnet.Mapping{
		{TrapOID: treadnet.OIDLinkDown, Kind: treadnet.ServiceImpactAlert, Fields: map[treadnet.Field]string{treadnet.FieldInterface: treadnet.OIDIfIndex}},
		{TrapOID: "1.3.6.1.4.1.9.9.41.2.0.1", Kind: treadnet.PerformanceDegraded, Fields: map[treadnet.Field]string{treadnet.FieldMessage: "1.3.6.1.4.1.9.9.41.1.2.3.1.5"}},
	}}
	rc, err := treadnet.NewTrapReceiver(cfg)
	require.NoError(t, err)
	p, err := treadnettest.LinkDown(0, 12, "ge-0/0/12").Packet()
	require.NoError(t, err)
	ev, err := rc.Decode(p, netip.MustParseAddr("127.0.0.1"))
	require.NoError(t, err)
	assert.Equal(t, treadnet.ServiceImpactAlert, ev.Kind, "a user mapping replaces the default")
	assert.Equal(t, "12", ev.Interface)
	syslog := treadnettest.Trap{OID: "1.3.6.1.4.1.9.9.41.2.0.1", Vars: []gosnmp.SnmpPDU{
		{Name: "1.3.6.1.4.1.9.9.41.1.2.3.1.5.77", Type: gosnmp.OctetString, Value: "CPU high"}}}
	p, err = syslog.Packet()
	require.NoError(t, err)
	ev, err = rc.Decode(p, netip.MustParseAddr("127.0.0.1"))
	require.NoError(t, err)
	assert.Equal(t, treadnet.PerformanceDegraded, ev.Kind)
	assert.Equal(t, "CPU high", ev.Message)
	assert.Empty(t, ev.SiteID, "no SiteOf: no site")
}

// TestHostilePacketsOverUDP sends every hostile packet to a running receiver over
// UDP, and every truncation of a good v3 trap to its Handle (hundreds of datagrams at
// once would overflow the socket's buffer, which drops them: a test of the kernel, not
// of the receiver): it counts each as malformed or refused and goes on serving the
// good trap sent after them.
func TestHostilePacketsOverUDP(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
	require.NoError(t, err)
	addr := serve(t, rc)
	good := treadnettest.LinkDown(4, 2, "ge-0/0/2")
	good.V3 = true
	p, err := good.Packet()
	require.NoError(t, err)
	conn, err := net.Dial("udp", addr)
	require.NoError(t, err)
	defer conn.Close()
	sent := 0
	for _, b := range hostile {
		if len(b) == 0 {
			continue // an empty datagram is no packet to count
		}
		_, err := conn.Write(b)
		require.NoError(t, err)
		sent++
	}
	settle(t, rc, int64(sent))
	for i := range len(p) {
		rc.Handle(p[:i], netip.MustParseAddr("127.0.0.1"))
		sent++
	}
	require.NoError(t, treadnettest.SendTrap(addr, good))
	ev := next(t, rc)
	assert.Equal(t, treadnet.NetworkOutageDetected, ev.Kind, "the receiver still serves")
	st := settle(t, rc, int64(sent+1))
	assert.Equal(t, int64(sent), st.Malformed+st.Refused, "%+v", st)
	assert.Equal(t, int64(1), st.Queued)
	assert.Zero(t, st.DecoderPanics, "the checks stop them before the decoder")
}

// TestV3UserIsBoundToItsEngine: a v3 trap with the configured user and passphrases
// but from another agent's engine is refused and counted (snmptrapd binds a user to
// its engine with createUser -e); the configured engine's is accepted.
func TestV3UserIsBoundToItsEngine(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
	require.NoError(t, err)
	addr := serve(t, rc)
	down := treadnettest.LinkDown(1, 3, "ge-0/0/3")
	down.V3 = true
	foreign := down
	foreign.EngineID = "80001f8804666f726569676e2d32" // a second agent's engine
	require.NoError(t, treadnettest.SendTrap(addr, foreign))
	require.NoError(t, treadnettest.SendTrap(addr, down))
	ev := next(t, rc)
	assert.Equal(t, "v3", ev.Version)
	st := settle(t, rc, 2)
	assert.Equal(t, int64(1), st.Refused)
	assert.Equal(t, int64(1), st.ForeignEngines)
	assert.Equal(t, int64(1), st.Queued, "only the configured engine's trap")

	p, err := foreign.Packet()
	require.NoError(t, err)
	_, err = rc.Decode(p, netip.MustParseAddr("127.0.1.1"))
	assert.ErrorIs(t, err, treadnet.ErrTrapRefused)
}

// TestInformsAreAnswered: an InformRequest (v2c and v3, as gosnmp sends one for an
// agent) gets its response PDU, so the agent stops resending it; a resent one is
// answered again but queued once.
func TestInformsAreAnswered(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
	require.NoError(t, err)
	addr := serve(t, rc)
	for i, v3 := range []bool{false, true} {
		inform := treadnettest.LinkUp(2, 4+i, fmt.Sprintf("ge-0/0/%d", 4+i))
		inform.V3, inform.Inform = v3, true
		require.NoError(t, treadnettest.SendTrap(addr, inform), "answered (v3 %v)", v3)
		ev := next(t, rc)
		assert.Equal(t, treadnet.NetworkRestored, ev.Kind)
		require.NoError(t, treadnettest.SendTrap(addr, inform), "a resend is answered too")
	}
	st := settle(t, rc, 4)
	assert.Equal(t, int64(4), st.InformsAnswered)
	assert.Equal(t, int64(2), st.Queued)
	assert.Equal(t, int64(2), st.Duplicates)
}

// TestLinkTrapsWithoutIfDescr: linkDown with only the IF-MIB's objects (ifIndex,
// ifAdminStatus, ifOperStatus) names its interface by index.
func TestLinkTrapsWithoutIfDescr(t *testing.T) {
	rc, err := treadnet.NewTrapReceiver(treadnet.TrapConfig{Communities: []string{treadnettest.Community}})
	require.NoError(t, err)
	down := treadnettest.LinkDown(0, 9, "")
	down.Vars = down.Vars[:3] // no ifDescr
	p, err := down.Packet()
	require.NoError(t, err)
	ev, err := rc.Decode(p, netip.MustParseAddr("127.0.0.1"))
	require.NoError(t, err)
	assert.Equal(t, "ifIndex 9", ev.Interface)
	assert.Equal(t, treadnet.NetworkOutageDetected, ev.Kind)
}
