package treadnet_test

import (
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// BenchmarkTrapDecode measures turning one trap packet into a NetworkEvent (decode,
// community or USM check, mapping), v2c and v3 authPriv, against gosnmp's own
// UnmarshalTrap alone, the floor any gosnmp-based receiver pays. Traps/s is
// 1e9 / ns/op on one core.
func BenchmarkTrapDecode(b *testing.B) {
	srv := treadnettest.NewServer(b, treadnettest.WithHistory(0))
	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
	if err != nil {
		b.Fatal(err)
	}
	agent := netip.MustParseAddr(treadnettest.AgentAddress(5))
	for _, v3 := range []bool{false, true} {
		tr := treadnettest.Notification(treadnet.OIDOutageDetected, 5, "critical", "fiber cut", "OUT-1", "dispatch-radio")
		tr.V3 = v3
		p, err := tr.Packet()
		if err != nil {
			b.Fatal(err)
		}
		name := "v2c"
		raw := &gosnmp.GoSNMP{Version: gosnmp.Version2c}
		if v3 {
			name = "v3"
			eid, _ := hex.DecodeString(treadnettest.V3EngineID)
			table := gosnmp.NewSnmpV3SecurityParametersTable(gosnmp.NewLogger(nil))
			_ = table.Add(treadnettest.V3User, &gosnmp.UsmSecurityParameters{UserName: treadnettest.V3User, AuthoritativeEngineID: string(eid),
				AuthenticationProtocol: gosnmp.SHA256, AuthenticationPassphrase: treadnettest.V3AuthPass,
				PrivacyProtocol: gosnmp.AES, PrivacyPassphrase: treadnettest.V3PrivPass})
			raw = &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.AuthPriv}
			raw.SetTrapSecurityParametersTable(table)
		}
		b.Run(name+"/treadnet", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := rc.Decode(p, agent); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/gosnmp-unmarshal-only", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := raw.UnmarshalTrap(p, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
