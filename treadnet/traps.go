package treadnet

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/seen"
)

// EventKind names a typed network event.
type EventKind string

// The network events a trap turns into.
const (
	NetworkOutageDetected EventKind = "NetworkOutageDetected"
	ServiceImpactAlert    EventKind = "ServiceImpactAlert"
	NetworkRestored       EventKind = "NetworkRestored"
	TopologyChanged       EventKind = "TopologyChanged"
	PerformanceDegraded   EventKind = "PerformanceDegraded"
)

// Object identifiers of the traps and variables mapped out of the box (no leading
// dot). Treadnet's own are under its enterprise arc, as openapi.yaml lists them.
const (
	OIDSysUpTime   = "1.3.6.1.2.1.1.3.0"
	OIDSnmpTrapOID = "1.3.6.1.6.3.1.1.4.1.0"
	OIDLinkDown    = "1.3.6.1.6.3.1.1.5.3"
	OIDLinkUp      = "1.3.6.1.6.3.1.1.5.4"
	OIDIfIndex     = "1.3.6.1.2.1.2.2.1.1"
	OIDIfDescr     = "1.3.6.1.2.1.2.2.1.2"

	OIDTreadnet            = "1.3.6.1.4.1.61842.1"
	OIDOutageDetected      = OIDTreadnet + ".0.1"
	OIDServiceImpact       = OIDTreadnet + ".0.2"
	OIDNetworkRestored     = OIDTreadnet + ".0.3"
	OIDTopologyChanged     = OIDTreadnet + ".0.4"
	OIDPerformanceDegraded = OIDTreadnet + ".0.5"
	OIDSiteID              = OIDTreadnet + ".1.1"
	OIDArea                = OIDTreadnet + ".1.2"
	OIDSeverity            = OIDTreadnet + ".1.3"
	OIDMessage             = OIDTreadnet + ".1.4"
	OIDOutageID            = OIDTreadnet + ".1.5"
	OIDService             = OIDTreadnet + ".1.6"
)

// NetworkEvent is a trap turned into a typed event.
type NetworkEvent struct {
	Kind EventKind
	// TrapOID is the notification's snmpTrapOID.
	TrapOID string
	// Agent is the address the trap came from.
	Agent netip.Addr
	// Version is "v2c" or "v3".
	Version string
	// The fields a [Mapping] fills from the trap's variables (and SiteID and Area
	// from TrapConfig.SiteOf when the trap does not carry them).
	SiteID, Area, Severity, Message, OutageID, Service, Interface string
	// Uptime is the agent's sysUpTime.
	Uptime time.Duration
	// Received is when the receiver took the trap.
	Received time.Time
	// Vars holds every variable of the trap by OID (no leading dot), as text.
	Vars map[string]string
}

// Field is a [NetworkEvent] field a mapping can fill.
type Field string

// The fields a variable can fill.
const (
	FieldSite      Field = "site"
	FieldArea      Field = "area"
	FieldSeverity  Field = "severity"
	FieldMessage   Field = "message"
	FieldOutage    Field = "outage"
	FieldService   Field = "service"
	FieldInterface Field = "interface"
)

// Mapping turns the trap TrapOID into an event of Kind. Fields names, for each event
// field, the variable that fills it: an OID that matches the variable itself or any
// instance below it (ifDescr matches ifDescr.7).
type Mapping struct {
	TrapOID string
	Kind    EventKind
	Fields  map[Field]string
}

// DefaultMappings are the standard linkDown and linkUp traps and Treadnet's own.
func DefaultMappings() []Mapping {
	link := map[Field]string{FieldInterface: OIDIfDescr}
	tn := map[Field]string{FieldSite: OIDSiteID, FieldArea: OIDArea, FieldSeverity: OIDSeverity, FieldMessage: OIDMessage,
		FieldOutage: OIDOutageID, FieldService: OIDService}
	return []Mapping{
		{TrapOID: OIDLinkDown, Kind: NetworkOutageDetected, Fields: link},
		{TrapOID: OIDLinkUp, Kind: NetworkRestored, Fields: link},
		{TrapOID: OIDOutageDetected, Kind: NetworkOutageDetected, Fields: tn},
		{TrapOID: OIDServiceImpact, Kind: ServiceImpactAlert, Fields: tn},
		{TrapOID: OIDNetworkRestored, Kind: NetworkRestored, Fields: tn},
		{TrapOID: OIDTopologyChanged, Kind: TopologyChanged, Fields: tn},
		{TrapOID: OIDPerformanceDegraded, Kind: PerformanceDegraded, Fields: tn},
	}
}

// SNMPv3 protocols (gosnmp's).
type (
	// AuthProtocol is an SNMPv3 authentication protocol.
	AuthProtocol = gosnmp.SnmpV3AuthProtocol
	// PrivProtocol is an SNMPv3 privacy protocol.
	PrivProtocol = gosnmp.SnmpV3PrivProtocol
)

// The SNMPv3 protocols worth using (MD5 and DES are accepted by gosnmp but broken).
const (
	AuthSHA    = gosnmp.SHA
	AuthSHA256 = gosnmp.SHA256
	AuthSHA512 = gosnmp.SHA512
	PrivAES    = gosnmp.AES
	PrivAES256 = gosnmp.AES256C
)

// V3User is an SNMPv3 user allowed to send traps, as snmptrapd's createUser: the
// sending agent's engine id, the user, and both authentication and privacy.
type V3User struct {
	// EngineID of the sending agent, in hex (e.g. "80001f8804…").
	EngineID string
	Name     string
	Auth     AuthProtocol
	AuthPass string
	Priv     PrivProtocol
	PrivPass string
}

// TrapConfig configures [NewTrapReceiver].
type TrapConfig struct {
	// Communities accepted on v2c traps; none refuses v2c.
	Communities []string
	// Users accepted on v3 traps (authentication and privacy required); none refuses v3.
	Users []V3User
	// Mappings are added to [DefaultMappings]; one with the same TrapOID replaces the
	// default.
	Mappings []Mapping
	// SiteOf names the site and area of an agent, for traps that do not carry them
	// (linkDown, linkUp); nil leaves them empty.
	SiteOf func(agent netip.Addr) (siteID, area string, ok bool)
	// QueueSize bounds the events waiting to be read (default 1024); a trap arriving
	// when it is full is dropped and counted.
	QueueSize int
	// DedupWindow: the same trap (same agent, OID and variables but sysUpTime) within
	// this window is dropped and counted (default 1 minute; negative turns it off).
	DedupWindow time.Duration
	// Clock tells the time (tests).
	Clock clock.Clock
	// Logger receives refused and malformed traps (never a community or passphrase).
	Logger *slog.Logger
}

// Errors of a trap that does not become an event, matched with errors.Is.
var (
	ErrTrapRefused   = errors.New("treadnet: trap refused (unknown community or SNMPv3 credentials)")
	ErrTrapMalformed = errors.New("treadnet: malformed trap")
	ErrTrapUnmapped  = errors.New("treadnet: no mapping for the trap")
)

// TrapStats counts what the receiver did with the traps it got. A trap is counted
// as Received after its outcome (Queued, Refused, …) is counted, and an event as
// Queued before a consumer can receive it.
type TrapStats struct {
	Received, Queued, Refused, Malformed, Unmapped, Duplicates, Dropped int64
	// ForeignEngines counts the v3 traps, among the Refused, of a configured user
	// and passphrases but from an engine the user is not bound to.
	ForeignEngines int64
	// InformsAnswered counts the InformRequests answered with a response PDU (by
	// [TrapReceiver.Serve]; one the queue had no room for is not answered, so the
	// agent sends it again).
	InformsAnswered int64
	// DecoderPanics counts the packets, among the Malformed, that made the SNMP
	// decoder panic: the panic was contained, and the packet counted as malformed.
	DecoderPanics int64
}

// TrapReceiver receives SNMP traps and turns them into [NetworkEvent]s in a bounded
// queue. It is safe for concurrent use.
type TrapReceiver struct {
	mappings map[string]compiled
	comms    map[string]bool
	v2c, v3  *gosnmp.GoSNMP
	siteOf   func(netip.Addr) (string, string, bool)
	window   time.Duration
	clk      clock.Clock
	log      *slog.Logger
	events   chan NetworkEvent
	// qmu lets one Handle at a time queue: room seen is then room at the send, so an
	// event is counted before any consumer can receive it
	qmu sync.Mutex

	mu   sync.Mutex // the gosnmp decoders
	seen *seen.Window[uint64]

	logs throttle // refused, malformed and panicking packets are logged once per logEvery

	// engines binds each v3 user to the engine ids configured for it (as snmptrapd's
	// createUser -e): a trap of the user from any other engine is refused
	engines map[string]map[string]bool

	received, queued, refused, malformed, unmapped, duplicates, dropped, panics, foreign, informs atomic.Int64
}

// logEvery is how often, at most, the receiver logs each kind of bad packet (refused,
// malformed, panicking the decoder): anyone can send packets, and a flood of them must
// not become a flood of logs. Every packet is counted in [TrapStats].
const logEvery = time.Minute

// throttle lets one log line of a kind through per logEvery and counts the rest.
type throttle struct {
	mu         sync.Mutex
	next       map[string]time.Time
	suppressed map[string]int64
}

// allow reports whether a line of kind may be logged at now and, if so, how many were
// held back since the last one.
func (t *throttle) allow(kind string, now time.Time) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next == nil {
		t.next, t.suppressed = map[string]time.Time{}, map[string]int64{}
	}
	if next, ok := t.next[kind]; ok && now.Before(next) {
		t.suppressed[kind]++
		return 0, false
	}
	n := t.suppressed[kind]
	t.next[kind], t.suppressed[kind] = now.Add(logEvery), 0
	return n, true
}

// compiled is a Mapping ready to apply: its fields in a fixed order.
type compiled struct {
	kind   EventKind
	fields []fieldOID
}

type fieldOID struct {
	oid   string
	field func(*NetworkEvent) *string
}

var fieldOf = map[Field]func(*NetworkEvent) *string{
	FieldSite:      func(e *NetworkEvent) *string { return &e.SiteID },
	FieldArea:      func(e *NetworkEvent) *string { return &e.Area },
	FieldSeverity:  func(e *NetworkEvent) *string { return &e.Severity },
	FieldMessage:   func(e *NetworkEvent) *string { return &e.Message },
	FieldOutage:    func(e *NetworkEvent) *string { return &e.OutageID },
	FieldService:   func(e *NetworkEvent) *string { return &e.Service },
	FieldInterface: func(e *NetworkEvent) *string { return &e.Interface },
}

// NewTrapReceiver returns a receiver; it needs communities or v3 users.
func NewTrapReceiver(cfg TrapConfig) (*TrapReceiver, error) {
	if len(cfg.Communities) == 0 && len(cfg.Users) == 0 {
		return nil, &connectors.ConfigError{System: "treadnet trap receiver", Problems: []error{errors.New("a trap receiver needs v2c communities or v3 users")}}
	}
	r := &TrapReceiver{mappings: map[string]compiled{}, comms: map[string]bool{}, siteOf: cfg.SiteOf, window: cfg.DedupWindow,
		clk: cfg.Clock, log: cfg.Logger, engines: map[string]map[string]bool{}}
	for _, m := range append(DefaultMappings(), cfg.Mappings...) {
		oid := strings.TrimPrefix(m.TrapOID, ".")
		if oid == "" || m.Kind == "" {
			return nil, &connectors.ConfigError{System: "treadnet trap receiver", Problems: []error{fmt.Errorf("a mapping needs a TrapOID and a Kind (%q)", m.TrapOID)}}
		}
		c := compiled{kind: m.Kind}
		for f, v := range m.Fields {
			get, ok := fieldOf[f]
			if !ok {
				return nil, &connectors.ConfigError{System: "treadnet trap receiver", Problems: []error{fmt.Errorf("mapping %s: unknown field %q", oid, f)}}
			}
			c.fields = append(c.fields, fieldOID{oid: strings.TrimPrefix(v, "."), field: get})
		}
		slices.SortFunc(c.fields, func(a, b fieldOID) int { return strings.Compare(a.oid, b.oid) })
		r.mappings[oid] = c
	}
	for _, c := range cfg.Communities {
		if c == "" {
			return nil, &connectors.ConfigError{System: "treadnet trap receiver", Problems: []error{errors.New("an empty community is not a credential")}}
		}
		r.comms[c] = true
	}
	if r.window == 0 {
		r.window = time.Minute
	}
	r.seen = seen.New[uint64](r.window, 100000)
	if r.clk == nil {
		r.clk = clock.Real{}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	size := cfg.QueueSize
	if size <= 0 {
		size = 1024
	}
	r.events = make(chan NetworkEvent, size)
	r.v2c = &gosnmp.GoSNMP{Version: gosnmp.Version2c}
	if len(cfg.Users) > 0 {
		table := gosnmp.NewSnmpV3SecurityParametersTable(gosnmp.NewLogger(nil))
		for _, u := range cfg.Users {
			eid, err := hex.DecodeString(strings.TrimPrefix(u.EngineID, "0x"))
			switch {
			case err != nil || len(eid) < 5:
				return nil, fmt.Errorf("treadnet: v3 user %q: the engine id must be 5 or more bytes in hex", u.Name)
			case u.Name == "" || u.AuthPass == "" || u.PrivPass == "" || u.Auth <= gosnmp.NoAuth || u.Priv <= gosnmp.NoPriv:
				return nil, fmt.Errorf("treadnet: v3 user %q: a name and both authentication and privacy are required", u.Name)
			case len(u.AuthPass) < 8 || len(u.PrivPass) < 8:
				return nil, fmt.Errorf("treadnet: v3 user %q: passphrases must be at least 8 characters (RFC 3414)", u.Name)
			}
			sp := &gosnmp.UsmSecurityParameters{UserName: u.Name, AuthoritativeEngineID: string(eid), AuthenticationProtocol: u.Auth,
				AuthenticationPassphrase: u.AuthPass, PrivacyProtocol: u.Priv, PrivacyPassphrase: u.PrivPass}
			if err := table.Add(u.Name, sp); err != nil {
				return nil, fmt.Errorf("treadnet: v3 user %q: %w", u.Name, err)
			}
			if r.engines[u.Name] == nil {
				r.engines[u.Name] = map[string]bool{}
			}
			r.engines[u.Name][string(eid)] = true
		}
		r.v3 = &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.AuthPriv}
		r.v3.SetTrapSecurityParametersTable(table)
	}
	return r, nil
}

// Events is the queue of events, in arrival order. It is never closed.
func (r *TrapReceiver) Events() <-chan NetworkEvent { return r.events }

// Stats returns the counters so far.
func (r *TrapReceiver) Stats() TrapStats {
	return TrapStats{Received: r.received.Load(), Queued: r.queued.Load(), Refused: r.refused.Load(), Malformed: r.malformed.Load(),
		Unmapped: r.unmapped.Load(), Duplicates: r.duplicates.Load(), Dropped: r.dropped.Load(), DecoderPanics: r.panics.Load(),
		ForeignEngines: r.foreign.Load(), InformsAnswered: r.informs.Load()}
}

// ListenAndServe listens on the UDP address addr (e.g. ":162") and serves until ctx
// is done.
func (r *TrapReceiver) ListenAndServe(ctx context.Context, addr string) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("treadnet: %w", err)
	}
	return r.Serve(ctx, pc)
}

// Serve reads traps from pc until ctx is done (then closes pc and returns nil) or pc
// fails. Each trap is decoded, de-duplicated and queued; nothing blocks the reading.
// An InformRequest is answered with its response PDU (RFC 3416 4.2.7) once it is
// queued, or known as a duplicate.
func (r *TrapReceiver) Serve(ctx context.Context, pc net.PacketConn) error {
	stop := context.AfterFunc(ctx, func() { _ = pc.Close() })
	defer stop()
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("treadnet: reading traps: %w", err)
		}
		var agent netip.Addr
		if ua, ok := from.(*net.UDPAddr); ok {
			agent = ua.AddrPort().Addr().Unmap()
		}
		r.handle(buf[:n], agent, func(b []byte) { _, _ = pc.WriteTo(b, from) })
	}
}

// Handle takes one trap packet from agent: decodes, de-duplicates and queues it,
// counting what happened. It never blocks. It has no way back to the agent: an
// inform is answered only by [TrapReceiver.Serve].
func (r *TrapReceiver) Handle(packet []byte, agent netip.Addr) { r.handle(packet, agent, nil) }

func (r *TrapReceiver) handle(packet []byte, agent netip.Addr, reply func([]byte)) {
	defer r.received.Add(1) // last: whoever sees a trap received sees its outcome counted
	ev, p, err := r.decode(packet, agent)
	answer := func() { // an inform received is answered; one dropped is not
		if reply == nil || p == nil || p.PDUType != gosnmp.InformRequest {
			return
		}
		b, err := r.response(p)
		if err != nil {
			r.log.Warn("could not answer an inform", "agent", agent.String(), "error", err)
			return
		}
		reply(b)
		r.informs.Add(1)
	}
	var crash *decoderPanic
	switch {
	case errors.Is(err, ErrTrapRefused):
		r.refused.Add(1)
		if n, ok := r.logs.allow("refused", r.clk.Now()); ok {
			r.log.Warn("trap refused", "agent", agent.String(), "since_last_log", n)
		}
		return
	case errors.Is(err, ErrTrapUnmapped):
		r.unmapped.Add(1)
		r.log.Debug("trap without a mapping", "agent", agent.String(), "oid", ev.TrapOID)
		answer()
		return
	case errors.As(err, &crash):
		r.malformed.Add(1)
		r.panics.Add(1)
		if n, ok := r.logs.allow("panic", r.clk.Now()); ok {
			r.log.Error("SNMP decoder panicked on a packet: counted as malformed", "agent", agent.String(), "bytes", len(packet),
				"panic", fmt.Sprint(crash.value), "since_last_log", n)
		}
		return
	case err != nil:
		r.malformed.Add(1)
		if n, ok := r.logs.allow("malformed", r.clk.Now()); ok {
			r.log.Warn("malformed trap", "agent", agent.String(), "error", err, "since_last_log", n)
		}
		return
	}
	if r.duplicate(ev) {
		r.duplicates.Add(1)
		answer() // the agent did not hear the first answer
		return
	}
	r.qmu.Lock()
	queued := len(r.events) < cap(r.events)
	if queued {
		r.queued.Add(1)
		r.events <- ev // cannot block: only consumers, which make room, run meanwhile
	}
	r.qmu.Unlock()
	if queued {
		answer()
	} else {
		r.dropped.Add(1)
		r.log.Warn("trap queue full: event dropped", "kind", string(ev.Kind), "agent", agent.String())
	}
}

// Decode turns one trap packet from agent into an event, without de-duplicating or
// queuing it. Any bytes are safe to pass: a packet that is not a well-formed SNMP v2c
// or v3 notification is [ErrTrapMalformed], and so is one that makes the third-party
// decoder panic (the panic is contained, counted and logged by [TrapReceiver.Handle]).
func (r *TrapReceiver) Decode(packet []byte, agent netip.Addr) (NetworkEvent, error) {
	ev, _, err := r.decode(packet, agent)
	return ev, err
}

// decode is Decode, with the decoded packet (nil when it did not decode).
func (r *TrapReceiver) decode(packet []byte, agent netip.Addr) (ev NetworkEvent, p *gosnmp.SnmpPacket, err error) {
	defer func() {
		if v := recover(); v != nil {
			ev, p, err = NetworkEvent{}, nil, &decoderPanic{value: v}
		}
	}()
	p, version, err := r.unmarshal(packet)
	if err != nil {
		return NetworkEvent{}, nil, err
	}
	if p.PDUType != gosnmp.SNMPv2Trap && p.PDUType != gosnmp.InformRequest {
		return NetworkEvent{}, nil, fmt.Errorf("%w: PDU type %v is not a notification", ErrTrapMalformed, p.PDUType)
	}
	ev = NetworkEvent{Agent: agent, Version: version, Received: r.clk.Now(), Vars: make(map[string]string, len(p.Variables))}
	for _, v := range p.Variables {
		oid := strings.TrimPrefix(v.Name, ".")
		switch oid {
		case OIDSysUpTime:
			if t, ok := v.Value.(uint32); ok {
				ev.Uptime = time.Duration(t) * 10 * time.Millisecond
			}
		case OIDSnmpTrapOID:
			s, _ := v.Value.(string)
			ev.TrapOID = strings.TrimPrefix(s, ".")
		}
		ev.Vars[oid] = text(v)
	}
	if ev.TrapOID == "" {
		return NetworkEvent{}, nil, fmt.Errorf("%w: no snmpTrapOID", ErrTrapMalformed)
	}
	m, ok := r.mappings[ev.TrapOID]
	if !ok {
		return ev, p, ErrTrapUnmapped
	}
	ev.Kind = m.kind
	for _, f := range m.fields {
		if val, found := lookup(p.Variables, ev.Vars, f.oid); found {
			*f.field(&ev) = val
		}
	}
	if ev.Interface == "" && (ev.TrapOID == OIDLinkDown || ev.TrapOID == OIDLinkUp) {
		// the IF-MIB's linkDown and linkUp carry ifIndex, ifAdminStatus and
		// ifOperStatus (RFC 2863); ifDescr is an agent's extra
		if idx, found := lookup(p.Variables, ev.Vars, OIDIfIndex); found {
			ev.Interface = "ifIndex " + idx
		}
	}
	if (ev.SiteID == "" || ev.Area == "") && r.siteOf != nil {
		if site, area, ok := r.siteOf(agent); ok {
			ev.SiteID = cmp.Or(ev.SiteID, site)
			ev.Area = cmp.Or(ev.Area, area)
		}
	}
	return ev, p, nil
}

// response is the answer to an inform: the same PDU as a response, noError
// (RFC 3416 4.2.7), under the same security parameters for v3.
func (r *TrapReceiver) response(p *gosnmp.SnmpPacket) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p.PDUType, p.Error, p.ErrorIndex = gosnmp.GetResponse, gosnmp.NoError, 0
	p.MsgFlags &^= gosnmp.Reportable // a response is not reportable (RFC 3412 7.1)
	return p.MarshalMsg()
}

// unmarshal checks the packet's shape, then decodes it with the decoder of its
// version.
func (r *TrapReceiver) unmarshal(packet []byte) (*gosnmp.SnmpPacket, string, error) {
	version, err := checkMessage(packet)
	if err != nil {
		return nil, "", err
	}
	r.mu.Lock() // gosnmp's decoders keep state while they decode
	defer r.mu.Unlock()
	switch version {
	case 1:
		if len(r.comms) == 0 {
			return nil, "", ErrTrapRefused
		}
		p, err := r.v2c.UnmarshalTrap(packet, false)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %w", ErrTrapMalformed, err)
		}
		if !r.comms[p.Community] {
			return nil, "", ErrTrapRefused
		}
		return p, "v2c", nil
	default: // 3
		if r.v3 == nil {
			return nil, "", ErrTrapRefused
		}
		p, err := r.v3.UnmarshalTrap(packet, true)
		if err != nil || p.MsgFlags&gosnmp.AuthPriv != gosnmp.AuthPriv {
			// wrong user, passphrase or a message without auth and privacy
			return nil, "", ErrTrapRefused
		}
		// gosnmp localizes the user's keys with the packet's own engine id: the user
		// is bound to its configured engines here (snmptrapd's createUser -e)
		sp, ok := p.SecurityParameters.(*gosnmp.UsmSecurityParameters)
		if !ok {
			return nil, "", ErrTrapRefused
		}
		if !r.engines[sp.UserName][sp.AuthoritativeEngineID] {
			r.foreign.Add(1)
			return nil, "", fmt.Errorf("%w: user %q from an engine it is not bound to", ErrTrapRefused, sp.UserName)
		}
		return p, "v3", nil
	}
}

// decoderPanic is a panic of the decoder, contained: it is [ErrTrapMalformed].
type decoderPanic struct{ value any }

func (e *decoderPanic) Error() string {
	return fmt.Sprintf("%v: the SNMP decoder panicked: %v", ErrTrapMalformed, e.value)
}

func (e *decoderPanic) Unwrap() error { return ErrTrapMalformed }

// lookup finds the variable oid, or else the first instance below it in packet order,
// and returns its text from values.
func lookup(vars []gosnmp.SnmpPDU, values map[string]string, oid string) (string, bool) {
	if v, ok := values[oid]; ok {
		return v, true
	}
	for _, v := range vars {
		name := strings.TrimPrefix(v.Name, ".")
		if len(name) > len(oid) && name[len(oid)] == '.' && strings.HasPrefix(name, oid) {
			return values[name], true
		}
	}
	return "", false
}

// text renders a variable's value.
func text(v gosnmp.SnmpPDU) string {
	switch x := v.Value.(type) {
	case []byte:
		return string(x)
	case string:
		return strings.TrimPrefix(x, ".")
	case nil:
		return ""
	}
	switch v.Type {
	case gosnmp.Integer, gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Counter64, gosnmp.Uinteger32:
		return gosnmp.ToBigInt(v.Value).String()
	}
	return fmt.Sprint(v.Value)
}

// duplicate reports whether the same trap was taken within the window, and records
// it otherwise.
func (r *TrapReceiver) duplicate(ev NetworkEvent) bool {
	if r.window < 0 {
		return false
	}
	h := fnv.New64a()
	_, _ = h.Write(ev.Agent.AsSlice())
	_, _ = h.Write([]byte(ev.TrapOID))
	keys := make([]string, 0, len(ev.Vars))
	for k := range ev.Vars {
		if k != OIDSysUpTime {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(k))
		_, _ = h.Write([]byte{1})
		_, _ = h.Write([]byte(ev.Vars[k]))
	}
	return r.seen.Seen(h.Sum64(), ev.Received)
}
