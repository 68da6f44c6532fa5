package treadnet_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// hostile are packets that crashed or could crash a decoder: the 7-byte SNMPv3 header
// with nothing after it made gosnmp v1.47.0 dereference nil (trap.go:528), and the rest
// are truncations, lengths that lie and shapes no SNMP message has.
var hostile = [][]byte{
	{0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00},             // v3 header, no security parameters
	{0x30, 0x03, 0x02, 0x01, 0x07},                         // unknown version
	{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00},             // indefinite length
	{0x30, 0x84, 0xff, 0xff, 0xff, 0xff},                   // length far past the datagram
	{0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x61},       // v2c without a PDU
	{0x30, 0x08, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa7, 0x00}, // v2c with an empty PDU (length lies)
	{0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa7, 0x00}, // v2c with an empty PDU
	{0x30, 0x0b, 0x02, 0x01, 0x03, 0x30, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x00},
	{0x30, 0x02, 0x1f, 0x00}, // multi-octet tag
	[]byte("not snmp at all"),
	{},
}

// FuzzTrapDecode feeds raw UDP payloads to a receiver that accepts the fake's v2c
// community and v3 user. Whatever the bytes, the receiver answers with an event or one
// of its three errors, counts every packet once, and the decoder never panics on a
// packet the pre-decoding checks let through.
func FuzzTrapDecode(f *testing.F) {
	srv := treadnettest.NewServer(f, treadnettest.WithHistory(0))
	for _, p := range hostile {
		f.Add(p)
	}
	for _, v3 := range []bool{false, true} {
		for _, tr := range []treadnettest.Trap{
			treadnettest.LinkDown(1, 7, "ge-0/0/7"),
			treadnettest.Notification(treadnet.OIDOutageDetected, 5, "critical", "fiber cut", "OUT-1", "dispatch-radio"),
			{OID: "1.3.6.1.4.1.9.9.41.2.0.1"},
		} {
			tr.V3 = v3
			p, err := tr.Packet()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(p)
		}
	}
	agent := netip.MustParseAddr("127.0.0.1")
	cfg := srv.TrapConfig()
	cfg.DedupWindow, cfg.QueueSize = -1, 1
	rc, err := treadnet.NewTrapReceiver(cfg) // one receiver: v3 keys are costly to derive
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, packet []byte) {
		for len(rc.Events()) > 0 {
			<-rc.Events()
		}
		before := rc.Stats()
		ev, err := rc.Decode(packet, agent)
		switch {
		case err == nil:
			if ev.Kind == "" || ev.TrapOID == "" || (ev.Version != "v2c" && ev.Version != "v3") {
				t.Fatalf("an event without kind, OID or version: %+v", ev)
			}
		case !errors.Is(err, treadnet.ErrTrapMalformed) && !errors.Is(err, treadnet.ErrTrapRefused) &&
			!errors.Is(err, treadnet.ErrTrapUnmapped):
			t.Fatalf("an error of no documented kind: %v", err)
		}
		rc.Handle(packet, agent)
		now := rc.Stats()
		st := treadnet.TrapStats{Received: now.Received - before.Received, Queued: now.Queued - before.Queued,
			Refused: now.Refused - before.Refused, Malformed: now.Malformed - before.Malformed,
			Unmapped: now.Unmapped - before.Unmapped, Dropped: now.Dropped - before.Dropped,
			DecoderPanics: now.DecoderPanics - before.DecoderPanics}
		if st.DecoderPanics != 0 {
			t.Fatalf("the decoder panicked on a packet the checks let through: %x", packet)
		}
		if st.Received != 1 || st.Queued+st.Refused+st.Malformed+st.Unmapped+st.Dropped != 1 {
			t.Fatalf("one packet, counted as %+v", st)
		}
	})
}
