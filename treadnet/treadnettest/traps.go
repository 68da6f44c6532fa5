package treadnettest

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/dispatchcenter/connectors/treadnet"
)

// The trap credentials of the fake's agents.
const (
	Community  = "treadnet-traps"
	V3User     = "dispatch-traps"
	V3AuthPass = "tn-auth-passphrase-01"
	V3PrivPass = "tn-priv-passphrase-01"
	// V3EngineID is the agents' SNMP engine id, in hex.
	V3EngineID = "80001f88047472656164746573742d31"
)

// TrapConfig returns a treadnet.TrapConfig that accepts the fake's traps (v2c with
// [Community], v3 as [V3User] with SHA-256 and AES) and names the site and area of
// each seeded agent address.
func (s *Server) TrapConfig() treadnet.TrapConfig {
	sites := map[netip.Addr][2]string{}
	for _, x := range s.Sites() {
		if a, err := netip.ParseAddr(x.AgentAddress); err == nil {
			sites[a] = [2]string{x.ID, x.Area}
		}
	}
	return treadnet.TrapConfig{
		Communities: []string{Community},
		Users: []treadnet.V3User{{EngineID: V3EngineID, Name: V3User, Auth: treadnet.AuthSHA256, AuthPass: V3AuthPass,
			Priv: treadnet.PrivAES, PrivPass: V3PrivPass}},
		SiteOf: func(a netip.Addr) (string, string, bool) {
			x, ok := sites[a]
			return x[0], x[1], ok
		},
	}
}

// Trap is a notification one of the fake's agents sends.
type Trap struct {
	// OID is the snmpTrapOID.
	OID string
	// Site is the 1-based seeded site whose agent address it is sent from (0: from
	// 127.0.0.1, an agent no site owns).
	Site int
	// Vars follow sysUpTime and snmpTrapOID.
	Vars []gosnmp.SnmpPDU
	// V3 sends it as SNMPv3 (authPriv) instead of v2c.
	V3 bool
	// Uptime is the agent's sysUpTime (default 1 hour).
	Uptime time.Duration
	// Community, AuthPass and PrivPass override the fake's credentials (to test
	// refusals).
	Community, AuthPass, PrivPass string
	// EngineID overrides the agent's SNMPv3 engine id (hex; default V3EngineID): a
	// second agent's engine.
	EngineID string
	// Inform sends an InformRequest, which waits for the receiver's response:
	// SendTrap fails when none comes.
	Inform bool
}

// LinkDown is the standard linkDown trap for an interface of a site.
func LinkDown(site, ifIndex int, ifDescr string) Trap {
	return Trap{OID: treadnet.OIDLinkDown, Site: site, Vars: ifVars(ifIndex, ifDescr, 2)}
}

// LinkUp is the standard linkUp trap for an interface of a site.
func LinkUp(site, ifIndex int, ifDescr string) Trap {
	return Trap{OID: treadnet.OIDLinkUp, Site: site, Vars: ifVars(ifIndex, ifDescr, 1)}
}

func ifVars(ifIndex int, ifDescr string, oper int) []gosnmp.SnmpPDU {
	i := "." + strconv.Itoa(ifIndex)
	return []gosnmp.SnmpPDU{
		{Name: treadnet.OIDIfIndex + i, Type: gosnmp.Integer, Value: ifIndex},
		{Name: "1.3.6.1.2.1.2.2.1.7" + i, Type: gosnmp.Integer, Value: 1},
		{Name: "1.3.6.1.2.1.2.2.1.8" + i, Type: gosnmp.Integer, Value: oper},
		{Name: treadnet.OIDIfDescr + i, Type: gosnmp.OctetString, Value: ifDescr},
	}
}

// Notification is one of Treadnet's own traps (oid one of treadnet.OIDOutageDetected,
// …) about a site, with its variables.
func Notification(oid string, site int, severity, message, outageID, service string) Trap {
	vars := []gosnmp.SnmpPDU{
		{Name: treadnet.OIDSiteID + ".0", Type: gosnmp.OctetString, Value: SiteID(site)},
		{Name: treadnet.OIDArea + ".0", Type: gosnmp.OctetString, Value: Areas[(site-1)%len(Areas)]},
		{Name: treadnet.OIDSeverity + ".0", Type: gosnmp.OctetString, Value: severity},
		{Name: treadnet.OIDMessage + ".0", Type: gosnmp.OctetString, Value: message},
	}
	if outageID != "" {
		vars = append(vars, gosnmp.SnmpPDU{Name: treadnet.OIDOutageID + ".0", Type: gosnmp.OctetString, Value: outageID})
	}
	if service != "" {
		vars = append(vars, gosnmp.SnmpPDU{Name: treadnet.OIDService + ".0", Type: gosnmp.OctetString, Value: service})
	}
	return Trap{OID: oid, Site: site, Vars: vars}
}

// Packet returns the trap's bytes as the agent sends them (for benchmarks and raw
// tests): it is sent to a loopback socket and read back.
func (t Trap) Packet() ([]byte, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	if err := SendTrap(pc.LocalAddr().String(), t); err != nil {
		return nil, err
	}
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65535)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

func (t Trap) pdus() []gosnmp.SnmpPDU {
	up := t.Uptime
	if up == 0 {
		up = time.Hour
	}
	return append([]gosnmp.SnmpPDU{
		{Name: treadnet.OIDSysUpTime, Type: gosnmp.TimeTicks, Value: uint32(up / (10 * time.Millisecond))},
		{Name: treadnet.OIDSnmpTrapOID, Type: gosnmp.ObjectIdentifier, Value: t.OID},
	}, t.Vars...)
}

func (t Trap) agent(host string, port uint16) *gosnmp.GoSNMP {
	g := &gosnmp.GoSNMP{Target: host, Port: port, Transport: "udp", Timeout: 2 * time.Second, Retries: 0,
		Version: gosnmp.Version2c, Community: cmp.Or(t.Community, Community), MaxOids: gosnmp.MaxOids}
	if t.Site > 0 {
		g.LocalAddr = AgentAddress(t.Site) + ":0"
	}
	if t.V3 {
		hexID := cmp.Or(t.EngineID, V3EngineID)
		eid := make([]byte, len(hexID)/2)
		for i := range eid {
			v, _ := strconv.ParseUint(hexID[2*i:2*i+2], 16, 8)
			eid[i] = byte(v)
		}
		g.Version, g.Community, g.SecurityModel, g.MsgFlags = gosnmp.Version3, "", gosnmp.UserSecurityModel, gosnmp.AuthPriv
		g.SecurityParameters = &gosnmp.UsmSecurityParameters{UserName: V3User, AuthoritativeEngineID: string(eid),
			AuthoritativeEngineBoots: 1, AuthoritativeEngineTime: 1,
			AuthenticationProtocol: treadnet.AuthSHA256, AuthenticationPassphrase: cmp.Or(t.AuthPass, V3AuthPass),
			PrivacyProtocol: treadnet.PrivAES, PrivacyPassphrase: cmp.Or(t.PrivPass, V3PrivPass)}
	}
	return g
}

// SendTrap sends t to a trap receiver at addr ("127.0.0.1:port"), from the agent
// address of its site (on Linux; where 127.0.1.x is not a local address, from the
// default one), as gosnmp sends traps and informs for an agent. An inform waits for
// the receiver's response (2 seconds, no retry).
func SendTrap(addr string, t Trap) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return err
	}
	g := t.agent(host, uint16(p))
	if err := g.Connect(); err != nil && g.LocalAddr != "" {
		// only Linux routes all of 127/8 to loopback: elsewhere send from the default
		// address (the trap then comes from no seeded site)
		g.LocalAddr = ""
		err = g.Connect()
		if err != nil {
			return fmt.Errorf("treadnettest: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("treadnettest: %w", err)
	}
	defer g.Conn.Close()
	_, err = g.SendTrap(gosnmp.SnmpTrap{Variables: t.pdus(), IsInform: t.Inform})
	return err
}

// trapDest is a receiver the fake's outages are announced to.
type trapDest struct {
	addr string
	v3   bool
}

// SendTrapsTo makes the fake announce outages it opens and resolves to the trap
// receiver at addr, as v3 traps or v2c ones.
func (s *Server) SendTrapsTo(addr string, v3 bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.traps = append(s.traps, trapDest{addr: addr, v3: v3})
}

// OpenOutage opens an outage at a seeded site (1-based): the site goes down, the
// outage is listed as open, and tnOutageDetected is sent to the trap receivers.
func (s *Server) OpenOutage(site int, severity treadnet.Severity, cause string) (treadnet.Outage, error) {
	s.mu.Lock()
	if site < 1 || site > len(s.sites) {
		s.mu.Unlock()
		return treadnet.Outage{}, fmt.Errorf("treadnettest: no site %d", site)
	}
	x := s.sites[site-1]
	x.Status = treadnet.SiteStatusDown
	now := s.now().UTC()
	o := &treadnet.Outage{ID: fmt.Sprintf("OUT-%05d", len(s.outages)+1), Status: treadnet.OutageStatusOpen, Severity: severity,
		SiteIDs: []string{x.ID}, Areas: []string{x.Area}, Services: []string{"dispatch-radio"}, Cause: cause, StartedAt: now, UpdatedAt: now}
	s.outages = append(s.outages, o)
	out, dests := *o, slices.Clone(s.traps)
	s.mu.Unlock()
	return out, s.announce(dests, Notification(treadnet.OIDOutageDetected, site, string(severity), cause, out.ID, "dispatch-radio"))
}

// ResolveOutage resolves an open outage: its sites come back up and
// tnNetworkRestored is sent to the trap receivers.
func (s *Server) ResolveOutage(id string) (treadnet.Outage, error) {
	s.mu.Lock()
	i := slices.IndexFunc(s.outages, func(o *treadnet.Outage) bool { return o.ID == id })
	if i < 0 || s.outages[i].Status != treadnet.OutageStatusOpen {
		s.mu.Unlock()
		return treadnet.Outage{}, fmt.Errorf("treadnettest: no open outage %q", id)
	}
	o := s.outages[i]
	now := s.now().UTC()
	o.Status, o.ResolvedAt, o.UpdatedAt = treadnet.OutageStatusResolved, now, now
	site := 0
	for j, x := range s.sites {
		if slices.Contains(o.SiteIDs, x.ID) {
			x.Status, site = treadnet.SiteStatusUp, j+1
		}
	}
	out, dests := *o, slices.Clone(s.traps)
	s.mu.Unlock()
	return out, s.announce(dests, Notification(treadnet.OIDNetworkRestored, site, string(o.Severity), "restored", out.ID, "dispatch-radio"))
}

func (s *Server) announce(dests []trapDest, t Trap) error {
	for _, d := range dests {
		t.V3 = d.v3
		if err := SendTrap(d.addr, t); err != nil {
			return err
		}
	}
	return nil
}
