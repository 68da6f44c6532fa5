package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/dispatchcenter/connectors/ops"
	"github.com/dispatchcenter/connectors/otel"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/mapping/defaults"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/webhook"
)

// The inbound secrets of the embedded defaults (a real deployment reads its own from
// the environment or a secret store).
const (
	reachSecret   = "whsec_ZGlzcGF0Y2gtcmVhY2gtd2ViaG9vay1zZWNyZXQ="
	maddencoKey   = "mc-inbound-key-0123456789"
	geotabSecret  = "geotab-relay-secret-0123456789ab"
	dayforceRelay = "dayforce-relay-secret-0123456789"
)

// Config configures a [Service].
type Config struct {
	// NATSURL points at a NATS cluster; empty starts an embedded JetStream server.
	NATSURL string
	// Addr is the HTTP listen address for webhooks and operations (default
	// 127.0.0.1:0, a free port).
	Addr string
	// Logger receives structured logs (default: discarded).
	Logger *slog.Logger
	// Step, when set, receives each step of the flows, for a timeline.
	Step func(string)
	// AckWait is how long a delivered event may stay unacknowledged before it is
	// delivered again (default 30 s).
	AckWait time.Duration
	// StoreDir is the embedded JetStream server's store (with NATSURL empty): events
	// accepted but not yet processed and the dead letters outlive a restart there
	// (default: a temporary directory removed on Close).
	StoreDir string
	// StateDir keeps the feed tokens and job checkpoints (default: a temporary
	// directory removed on Close).
	StateDir string
	// Systems point connectors at real systems; a zero config uses the system's fake.
	Systems Systems
	// BeforeAck, when set, runs after a flow's side effects and before the event is
	// acknowledged (tests use it to crash a consumer there).
	BeforeAck func(subject string)
	// TracerProvider, when set, traces the service with OpenTelemetry: every
	// connector's operations and attempts, each webhook received, each event
	// consumed, with the trace context carried across the bus in the messages'
	// headers. MeterProvider receives the SDK's OpenTelemetry metrics; nil reads
	// them into the service's /metrics.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	// OpsTokens are the operators of the console at /ops/ (token → operator name);
	// empty makes one token, written to OpsTokenFile.
	OpsTokens map[string]string
	// OpsTokenFile is where a made token is written (mode 0600; default
	// ops-token in StateDir), never to a log.
	OpsTokenFile string
	// OpsIDTokens, when set, also lets operators in with their identity provider's
	// OpenID Connect ID token (the operator is its subject), beside OpsTokens.
	OpsIDTokens *webhook.Bearer
	// HealthchecksURL, when set, is a healthchecks.io ping URL with its ping key
	// ("https://hc-ping.com/<key>"): each job run pings the check named after it.
	HealthchecksURL string
	// ErrorJobEvery is how often each module's error-processing job maps again
	// the records its mapping refused (default DefaultErrorJobEvery).
	ErrorJobEvery time.Duration
}

// Systems are the real systems' configurations (zero: the bundled fake).
type Systems struct {
	Reach    reach.Config
	Geotab   geotab.Config
	Dayforce dayforce.Config
	Maddenco maddenco.Config
	Treadnet treadnet.Config
	Merchant merchant.Config
}

func pick[T any](real, fake T, isZero bool) T {
	if isZero {
		return fake
	}
	return real
}

// Service is the dispatch service.
type Service struct {
	cfg   Config
	log   *slog.Logger
	fakes *Fakes
	bus   *Bus

	reach    *reach.Client
	geotab   *geotab.Client
	dayforce *dayforce.Client
	maddenco *maddenco.Client
	treadnet *treadnet.Client
	merchant *merchant.Client
	maps     *mapping.Loader
	traps    *treadnet.TrapReceiver

	httpSrv, hookTLS *http.Server
	mux              *http.ServeMux
	URL, TrapAddr    string

	mu         sync.Mutex
	jobs       map[string]*Job
	byVehicle  map[string]string
	reachCP    connectors.Checkpoint
	maddencoCP connectors.Checkpoint
	positions  map[string]canonical.VehiclePosition // the latest, by vehicle
	metrics    *metrics
	registry   *ops.Jobs // the console's job registry, which runs the daily batch
	failed     *mapping.MemoryStore
	mapDir     *mapping.Dir
	inbounds   map[string]inbound // by system: how its webhook events are mapped
	// OpsTokenFile holds the console's operator token when the service made one.
	OpsTokenFile string
	otel         *otel.Telemetry // what the connectors are given
	tracer       trace.Tracer

	stop []func()
}

// Job is a service request the service dispatched.
type Job struct {
	SR        canonical.ServiceRequest
	Tech      string
	Vehicle   string
	Zone      string
	Site      reach.Address
	Assigned  time.Time
	Flags     []string
	PaymentID string
}

// assignment is the job's canonical assignment, as the dispatch screen draws it.
func (j Job) assignment() canonical.Assignment {
	return canonical.Assignment{ServiceRequestID: j.SR.ID, TechnicianID: j.Tech, VehicleID: j.Vehicle, ZoneID: j.Zone,
		Site: canonical.GeoPoint{Latitude: j.Site.Latitude, Longitude: j.Site.Longitude}, At: j.Assigned}
}

// New starts the service against the fakes: clients, receivers on an HTTP listener
// (and a mutual-TLS one for the payment gateway), the SNMP trap listener, the bus
// and its consumer.
func New(ctx context.Context, cfg Config, f *Fakes) (*Service, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	s := &Service{cfg: cfg, fakes: f, jobs: map[string]*Job{}, byVehicle: map[string]string{}, positions: map[string]canonical.VehiclePosition{}, log: cfg.Logger}
	s.metrics = newMetrics(serviceCollector{s})
	s.registry = ops.NewJobs(nil, nil)
	s.failed, s.inbounds = mapping.NewMemoryStore(0, nil), map[string]inbound{}
	// OpenTelemetry: the connectors' operations and attempts, each webhook received
	// and each event consumed; the SDK's metrics (http.client.request.duration,
	// retries, breaker transitions, limiter waits, …) read into the service's
	// Prometheus registry, at /metrics, unless a MeterProvider is given
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = tracenoop.NewTracerProvider()
	}
	if mp == nil {
		exp, err := otelprom.New(otelprom.WithRegisterer(s.metrics.reg))
		if err != nil {
			return nil, err
		}
		smp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
		s.stop = append(s.stop, func() { _ = smp.Shutdown(context.Background()) })
		mp = smp
	}
	tel, err := otel.New(tp, mp)
	if err != nil {
		return nil, err
	}
	s.otel, s.tracer = tel, tp.Tracer("github.com/dispatchcenter/connectors/examples/dispatch")
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	hooks := resilience.Hooks{OnAttempt: s.metrics.attempt, OnRetry: func(r resilience.RetryInfo) {
		s.metrics.retry(r)
		s.step(fmt.Sprintf("retry: %s %s got %d; attempt %d in %s", r.Host, r.Route, r.StatusCode, r.Attempt+1, r.Wait.Round(time.Millisecond)))
	}}
	sys := cfg.Systems
	// every connector logs and reports to the service; against a fake, it trusts the
	// fake's certificate through the fake's client (nil, the default transport, against
	// a real system; treadnet and merchant take their mutual TLS from their Config).
	// Each connector has its own option type, with the same names in all six.
	client := func(fake bool, c *http.Client) *http.Client {
		if fake {
			return c
		}
		return nil
	}
	fake := sys.Reach.BaseURL == ""
	if s.reach, err = reach.New(pick(sys.Reach, f.Reach.Config(), fake),
		reach.WithLogger(s.log), reach.WithHooks(hooks), reach.WithTelemetry(s.otel), reach.WithHTTPClient(client(fake, f.Reach.Client()))); err != nil {
		return nil, err
	}
	fake = sys.Geotab.Database == ""
	geoOpts := []geotab.Option{geotab.WithLogger(s.log), geotab.WithHooks(hooks), geotab.WithTelemetry(s.otel), geotab.WithHTTPClient(client(fake, f.Geotab.Client()))}
	if fake {
		geoOpts = append(geoOpts, geotab.WithBaseURL(f.Geotab.URL))
	}
	if s.geotab, err = geotab.New(pick(sys.Geotab, f.Geotab.Config(), fake), geoOpts...); err != nil {
		return nil, err
	}
	fake = sys.Dayforce.Namespace == ""
	if s.dayforce, err = dayforce.New(pick(sys.Dayforce, f.Dayforce.Config(), fake),
		dayforce.WithLogger(s.log), dayforce.WithHooks(hooks), dayforce.WithTelemetry(s.otel), dayforce.WithHTTPClient(client(fake, f.Dayforce.Client()))); err != nil {
		return nil, err
	}
	fake = sys.Maddenco.BaseURL == ""
	if s.maddenco, err = maddenco.New(pick(sys.Maddenco, f.Maddenco.Config(), fake),
		maddenco.WithLogger(s.log), maddenco.WithHooks(hooks), maddenco.WithTelemetry(s.otel), maddenco.WithHTTPClient(client(fake, f.Maddenco.Client()))); err != nil {
		return nil, err
	}
	if s.treadnet, err = treadnet.New(pick(sys.Treadnet, f.Treadnet.Config(), sys.Treadnet.BaseURL == ""),
		treadnet.WithLogger(s.log), treadnet.WithHooks(hooks), treadnet.WithTelemetry(s.otel)); err != nil {
		return nil, err
	}
	s.stop = append(s.stop, s.treadnet.Close)
	if s.merchant, err = merchant.New(pick(sys.Merchant, f.Merchant.Config(), sys.Merchant.AccountID == ""),
		merchant.WithLogger(s.log), merchant.WithHooks(hooks), merchant.WithTelemetry(s.otel)); err != nil {
		return nil, err
	}
	s.stop = append(s.stop, s.merchant.Close)
	s.metrics.mu.Lock()
	for name, u := range map[string]string{"reach": pick(sys.Reach, f.Reach.Config(), sys.Reach.BaseURL == "").BaseURL, "geotab": f.Geotab.URL,
		"dayforce": f.Dayforce.Hosts[f.Dayforce.Current()].URL, "maddenco": pick(sys.Maddenco, f.Maddenco.Config(), sys.Maddenco.BaseURL == "").BaseURL,
		"treadnet": pick(sys.Treadnet, f.Treadnet.Config(), sys.Treadnet.BaseURL == "").BaseURL, "merchant": pick(sys.Merchant, f.Merchant.Config(), sys.Merchant.AccountID == "").GatewayURL} {
		if pu, err := url.Parse(u); err == nil {
			s.metrics.systems[pu.Host] = name
		}
	}
	s.metrics.mu.Unlock()
	if cfg.StateDir == "" {
		if cfg.StateDir, err = os.MkdirTemp("", "dispatch-state-"); err != nil {
			return nil, err
		}
		dir := cfg.StateDir
		s.stop = append([]func(){func() { _ = os.RemoveAll(dir) }}, s.stop...)
	}
	// the mappings operators edit in the console: the defaults, copied into the
	// state directory the first time, then kept as edited there
	if s.mapDir, err = mapping.OpenDir(filepath.Join(cfg.StateDir, "mappings"), defaults.Registry(), defaults.FS, nil); err != nil {
		return nil, err
	}
	s.maps = s.mapDir.Loader()
	if s.bus, err = OpenBus(ctx, cfg.NATSURL, cfg.StoreDir); err != nil {
		return nil, err
	}
	if err := s.listen(ctx); err != nil {
		return nil, err
	}
	handle := s.handle
	if cfg.BeforeAck != nil {
		handle = func(ctx context.Context, m jetstream.Msg) error {
			err := s.handle(ctx, m)
			if err == nil {
				cfg.BeforeAck(m.Subject())
			}
			return err
		}
	}
	drain, err := s.bus.Consume(ctx, "dispatcher", cfg.AckWait, handle, s.dead)
	if err != nil {
		return nil, err
	}
	s.stop = append(s.stop, drain)
	s.reachCP, s.maddencoCP = checkpoints(cfg.StateDir)
	if err := s.registerJobs(cfg.HealthchecksURL, cfg.ErrorJobEvery); err != nil {
		return nil, err
	}
	if err := s.mountConsole(cfg); err != nil {
		return nil, err
	}
	s.stop = append(s.stop, s.followFeeds(context.WithoutCancel(ctx), cfg.StateDir), s.registry.Start(context.WithoutCancel(ctx)))
	ok = true
	return s, nil
}

// listen starts the webhook receivers, operations endpoints and trap listener, and
// subscribes the fakes to them.
func (s *Service) listen(ctx context.Context) error {
	// every webhook event is mapped to its canonical model before it is published; an
	// event type no mapping covers travels in the vendor's form
	sink := func(system, kind, mappingName string, decode func([]byte) (any, string, error)) webhook.Sink {
		in := inbound{system: system, kind: kind, mapping: mappingName, decode: decode}
		s.inbounds[system] = in
		return webhook.SinkFunc(func(ctx context.Context, ev webhook.Event) error {
			if _, _, err := decode(ev.Body); err != nil {
				return err // answered 400: the sender's event is malformed
			}
			err := s.publishInbound(ctx, in, ev.Key, ev.Body)
			var re *mapping.RecordError
			if !errors.As(err, &re) {
				return err
			}
			// a record the mapping refused: kept in the error store for the
			// operators (the Errors tab) and the error-processing job, and passed
			// on as the vendor's event meanwhile
			s.mappingFailed(ctx, err)
			if serr := s.failed.Put(ctx, mapping.NewFailedRecord(system+"/"+kind+"/"+ev.Key, ev.Body, err)); serr != nil {
				return serr // the store is full: answered 503, the sender retries
			}
			_, typ, _ := decode(ev.Body)
			// under an ID of its own: the bus drops a second message with an ID it has
			// seen, and the canonical event, once reprocessed, takes system-key
			return s.bus.PublishEvent(ctx, "dispatch."+system+".vendor", system+"-vendor-"+ev.Key, typ, ev.Body)
		})
	}
	mux := http.NewServeMux()
	s.mux = mux
	rr, err := reach.NewReceiver(reach.ReceiverConfig{Secrets: []string{reachSecret}}, sink("reach", "service_request", "reach-event",
		func(b []byte) (any, string, error) { ev, err := reach.DecodeEvent(b); return ev, string(ev.Type), err }))
	if err != nil {
		return err
	}
	gr, err := geotab.NewReceiver(geotab.ReceiverConfig{Secrets: [][]byte{[]byte(geotabSecret)}, AllowedNetworks: []string{"127.0.0.0/8", "::1/128"}},
		sink("geotab", "geofence", "geotab-webhook", func(b []byte) (any, string, error) { ev, err := geotab.DecodeEvent(b); return ev, string(ev.Type), err }))
	if err != nil {
		return err
	}
	mr, err := maddenco.NewReceiver(maddenco.ReceiverConfig{Keys: []string{maddencoKey}, AllowedCIDRs: []string{"127.0.0.0/8", "::1/128"}},
		sink("maddenco", "equipment", "maddenco-event", func(b []byte) (any, string, error) {
			ev, err := maddenco.DecodeEvent(b)
			return ev, string(ev.Type), err
		}))
	if err != nil {
		return err
	}
	dr, err := dayforce.NewReceiver(dayforce.ReceiverConfig{Secrets: [][]byte{[]byte(dayforceRelay)}, Bearer: s.fakes.Dayforce.ReceiverBearer()},
		sink("dayforce", "technician", "dayforce-event", func(b []byte) (any, string, error) {
			ev, err := dayforce.DecodeEvent(b)
			return ev, string(ev.EventType), err
		}))
	if err != nil {
		return err
	}
	mux.Handle("POST /hooks/reach", s.inbound("POST /hooks/reach", rr))
	mux.Handle("POST /hooks/geotab", s.inbound("POST /hooks/geotab", gr))
	mux.Handle("POST /hooks/maddenco", s.inbound("POST /hooks/maddenco", mr))
	mux.Handle("POST /hooks/dayforce", s.inbound("POST /hooks/dayforce", dr))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()

	// the payment gateway delivers over mutual TLS, with its own certificate
	mpr, err := merchant.NewReceiver(merchant.ReceiverConfig{Secrets: []string{merchanttest.WebhookSecret},
		ClientCert: webhook.ClientCertOptions{Subjects: []string{merchanttest.GatewayCertName}}, GatewayCAs: s.fakes.Merchant.CAPool()},
		sink("merchant", "payment", "merchant-event", func(b []byte) (any, string, error) {
			ev, err := merchant.DecodeEvent(b)
			return ev, string(ev.Type), err
		}))
	if err != nil {
		return err
	}
	cert, err := s.fakes.Merchant.IssueServerCertificate()
	if err != nil {
		return err
	}
	tln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.hookTLS = &http.Server{Handler: s.inbound("POST /hooks/merchant", mpr), TLSConfig: mpr.TLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.hookTLS.ServeTLS(tln, "", "") }()

	// SNMP traps
	s.traps, err = treadnet.NewTrapReceiver(s.fakes.Treadnet.TrapConfig())
	if err != nil {
		return err
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.TrapAddr = pc.LocalAddr().String()
	tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = s.traps.Serve(tctx, pc) }()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-tctx.Done():
				return
			case ev := <-s.traps.Events():
				s.publishNetworkEvent(tctx, ev)
			}
		}
	}()
	s.stop = append(s.stop, func() { cancel(); wg.Wait() })

	// the fakes push to us
	if err := s.fakes.Reach.Subscribe(s.URL+"/hooks/reach", reachSecret); err != nil {
		return err
	}
	// (the fake GeoTab is not subscribed to /hooks/geotab: geofence events come from
	// MyGeotab's ExceptionEvent feed; the relay route is an optional input)
	if err := s.fakes.Maddenco.Subscribe(s.URL+"/hooks/maddenco", maddencoKey); err != nil {
		return err
	}
	if err := s.fakes.Dayforce.Subscribe(s.URL+"/hooks/dayforce", []byte(dayforceRelay)); err != nil {
		return err
	}
	if err := s.fakes.Merchant.Subscribe("https://" + tln.Addr().String()); err != nil {
		return err
	}
	s.fakes.Treadnet.SendTrapsTo(s.TrapAddr, true)
	return nil
}

// publishNetworkEvent maps a trap event to its canonical model and publishes it.
func (s *Service) publishNetworkEvent(ctx context.Context, ev treadnet.NetworkEvent) {
	m, _ := s.maps.Mapping("treadnet-event")
	id := "treadnet-" + ev.TrapOID + "-" + ev.OutageID + "-" + ev.SiteID
	s.warnPublish("dispatch.treadnet.event", publishMapped[canonical.NetworkEvent](s, ctx, m, ev, "dispatch.treadnet.event", id))
}

// SyncReach reads the service requests changed in Reach since the last sync (the
// integration design's Reach sync) and publishes the new ones.
func (s *Service) SyncReach(ctx context.Context) error {
	ctx, span := s.tracer.Start(ctx, "sync reach")
	defer span.End()
	m, _ := s.maps.Mapping("reach-service-request")
	for ch, err := range s.reach.Sync(ctx, s.reachCP, reach.SyncOptions{Kinds: []reach.Kind{reach.KindServiceRequest}}) {
		if err != nil {
			return err
		}
		sr := ch.ServiceRequest
		if sr == nil || sr.Status != reach.ServiceRequestStatusNew {
			continue
		}
		if err := publishMapped[canonical.ServiceRequest](s, ctx, m, *sr, "dispatch.sr.new", "reach-sr-"+sr.ID); err != nil {
			return err // the sync stops before its checkpoint passes this request
		}
	}
	return nil
}

// mappingFailed counts a record a mapping refused (connectors.mapping.errors).
func (s *Service) mappingFailed(ctx context.Context, err error) { s.otel.MappingFailed(ctx, err) }

// inbound traces and counts the deliveries of a webhook receiver mounted at route.
func (s *Service) inbound(route string, h http.Handler) http.Handler { return s.otel.Inbound(route, h) }

// handle processes one event from the bus, in a CONSUMER span that continues the
// trace its publisher sent in the message's headers.
func (s *Service) handle(ctx context.Context, m jetstream.Msg) (err error) {
	ctx, span := s.tracer.Start(ctx, "process "+m.Subject(), trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"), attribute.String("messaging.destination.name", m.Subject())))
	defer func() {
		if err != nil {
			span.SetStatus(codes.Error, "the flow failed")
		}
		span.End()
	}()
	s.metrics.consumed.Inc()
	switch m.Subject() {
	case "dispatch.sr.new":
		var sr canonical.ServiceRequest
		if err := json.Unmarshal(m.Data(), &sr); err != nil || sr.ID == "" {
			return fmt.Errorf("not a service request: %v", err)
		}
		return s.dispatch(ctx, sr)
	case "dispatch.geotab.position":
		var p canonical.VehiclePosition
		if err := json.Unmarshal(m.Data(), &p); err != nil || p.VehicleID == "" {
			return fmt.Errorf("not a vehicle position: %v", err)
		}
		s.mu.Lock()
		if p.At.After(s.positions[p.VehicleID].At) {
			s.positions[p.VehicleID] = p
		}
		s.mu.Unlock()
		return nil
	case "dispatch.geotab.geofence":
		var g canonical.GeofenceEvent
		if err := json.Unmarshal(m.Data(), &g); err != nil {
			return err
		}
		if g.Kind == "entered" {
			return s.arrived(ctx, g.VehicleID, g.ZoneID)
		}
		return nil
	case "dispatch.reach.service_request":
		var sr canonical.ServiceRequest
		if err := json.Unmarshal(m.Data(), &sr); err != nil {
			return err
		}
		if m.Headers().Get("Dispatch-Event-Type") == string(reach.EventTypeServiceRequestCompleted) {
			return s.complete(ctx, sr.ID)
		}
		return nil
	case "dispatch.maddenco.equipment":
		var e canonical.Equipment
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			return err
		}
		s.flagEquipment(e, m.Headers().Get("Dispatch-Event-Type"))
		return nil
	case "dispatch.merchant.payment":
		var p canonical.Payment
		if err := json.Unmarshal(m.Data(), &p); err != nil {
			return err
		}
		s.step(fmt.Sprintf("gateway: %s for %s", m.Headers().Get("Dispatch-Event-Type"), p.OrderNumber))
		return nil
	case "dispatch.treadnet.event":
		var ne canonical.NetworkEvent
		if err := json.Unmarshal(m.Data(), &ne); err != nil {
			return err
		}
		s.correlate(ne)
		return nil
	case "dispatch.assignment":
		return nil // for the dispatch screen: the flow that made it is done
	case "dispatch.dayforce.technician":
		return nil // a technician changed: the next dispatch reads Dayforce afresh
	}
	if strings.HasSuffix(m.Subject(), ".vendor") {
		s.log.Info("a vendor event no flow needs", "subject", m.Subject(), "type", m.Headers().Get("Dispatch-Event-Type"))
		return nil
	}
	return fmt.Errorf("no flow for %s", m.Subject())
}

// dispatch picks a technician (available in Dayforce) and the nearest vehicle
// (GeoTab), assigns the route to the site and tells Reach.
func (s *Service) dispatch(ctx context.Context, sr canonical.ServiceRequest) error {
	full, err := s.reach.ServiceRequest(ctx, sr.ID)
	if err != nil {
		return err
	}
	if full.Status != reach.ServiceRequestStatusNew {
		// delivered again after a crash: Reach, the system of record, says it was done
		s.step(fmt.Sprintf("request %s already %s: nothing to do again", sr.ID, full.Status))
		return nil
	}
	s.step(fmt.Sprintf("request %s in: %s priority, due %s", sr.ID, sr.Priority, sr.DueAt.Format(time.Kitchen)))
	// a technician with the skill the request needs, available today
	tech, skill := "", strings.ToUpper(sr.Category)
	now := time.Now()
	for i := 1; i <= 20 && tech == ""; i++ {
		x := fmt.Sprintf("E%04d", i)
		if skill != "" {
			sk, err := s.dayforce.EmployeeSkills(ctx, x, now)
			if err != nil || !slices.ContainsFunc(sk.Data, func(k dayforce.EmployeeSkill) bool { return k.Skill.XRefCode == skill }) {
				continue
			}
		}
		av, err := s.dayforce.Availability(ctx, x, now.Truncate(24*time.Hour), now.Truncate(24*time.Hour).Add(24*time.Hour))
		if err == nil && len(av.Data) > 0 && !av.Data[0].UnAvailable {
			tech = x
		}
	}
	if tech == "" {
		return fmt.Errorf("no technician with skill %q available", skill)
	}
	pos := geotab.Coordinate{X: full.Site.Longitude, Y: full.Site.Latitude}
	near, err := s.geotab.NearestVehicles(ctx, pos, 1)
	if err != nil || len(near) == 0 {
		return fmt.Errorf("no vehicle: %w", err)
	}
	vehicle := near[0].Device.ID
	square := func(name string, at geotab.Coordinate) (string, error) {
		d := 0.002
		return s.geotab.AddZone(ctx, geotab.Zone{Name: name, Points: []geotab.Coordinate{
			{X: at.X - d, Y: at.Y - d}, {X: at.X + d, Y: at.Y - d}, {X: at.X + d, Y: at.Y + d}, {X: at.X - d, Y: at.Y + d}}})
	}
	zone, err := square("SR "+sr.ID, pos)
	if err != nil {
		return err
	}
	// MyGeotab records a zone's entries and exits only under rules on it: the arrival
	// comes through the geofence feed from the EnteringArea rule
	if _, err := s.geotab.EnsureGeofenceRules(ctx, zone); err != nil {
		return err
	}
	// a route plan has two waypoints at least (Geotab's route-plan sample): from where
	// the vehicle is to the site
	start, err := square("SR "+sr.ID+" start", geotab.Coordinate{X: near[0].Longitude, Y: near[0].Latitude})
	if err != nil {
		return err
	}
	if _, err := s.geotab.AssignRoute(ctx, vehicle, "SR "+sr.ID, []geotab.Stop{{ZoneID: start, Arrive: now},
		{ZoneID: zone, Arrive: now.Add(30 * time.Minute), StopFor: time.Hour}}); err != nil {
		return err
	}
	if _, err := s.reach.SetStatus(ctx, sr.ID, reach.StatusUpdate{Status: reach.ServiceRequestStatusDispatched, TechnicianID: tech, Note: "vehicle " + vehicle}); err != nil {
		return err
	}
	// the dispatch screen's assignment (the bus drops a redelivered flow's repeat by
	// its ID)
	job := &Job{SR: sr, Tech: tech, Vehicle: vehicle, Zone: zone, Site: full.Site, Assigned: now}
	a, _ := json.Marshal(job.assignment())
	if err := s.bus.Publish(ctx, "dispatch.assignment", "assignment-"+sr.ID, a); err != nil {
		return err
	}
	s.mu.Lock()
	s.jobs[sr.ID] = job
	s.byVehicle[vehicle] = sr.ID
	s.mu.Unlock()
	s.step(fmt.Sprintf("technician %s (%s, available) chosen, vehicle %s routed to the site (zone %s); Reach says dispatched", tech, cmp.Or(skill, "any skill"), vehicle, zone))
	return nil
}

// arrived: the vehicle entered a zone; when it is its job's zone, the technician is
// on site.
func (s *Service) arrived(ctx context.Context, vehicle, zone string) error {
	s.mu.Lock()
	id := s.byVehicle[vehicle]
	var jobZone string
	if j := s.jobs[id]; j != nil {
		jobZone = j.Zone
	}
	s.mu.Unlock()
	if id == "" || zone != jobZone {
		return nil // a vehicle without a job, or another zone on its way
	}
	if _, err := s.reach.SetStatus(ctx, id, reach.StatusUpdate{Status: reach.ServiceRequestStatusOnSite}); err != nil {
		return err
	}
	s.step(fmt.Sprintf("vehicle %s entered zone %s (an EnteringArea rule's event, from the GeoTab geofence feed): Reach says on site for %s", vehicle, zone, id))
	return nil
}

// complete: the job is done: the work-order punch in Dayforce, the payment taken.
func (s *Service) complete(ctx context.Context, id string) error {
	s.mu.Lock()
	j := s.jobs[id]
	s.mu.Unlock()
	if j == nil {
		return nil
	}
	emp, err := s.dayforce.Employee(ctx, j.Tech, dayforce.EmployeeOptions{})
	if err != nil {
		return err
	}
	if _, err := s.dayforce.CompleteWorkOrder(ctx, dayforce.WorkOrderPunch{Badge: emp.Data.BadgeNumber, Time: time.Now(), WorkOrder: id}, dayforce.WriteOptions{}); err != nil {
		return err
	}
	s.step(fmt.Sprintf("job %s done: work-order punch for %s in Dayforce", id, j.Tech))
	// the card on file (a real service keeps the token, never the card)
	tok, err := s.merchant.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: time.Now().Year() + 2},
		merchant.WithIdempotencyKey("card-"+j.SR.CustomerID))
	if err != nil {
		return err
	}
	// a sale on the gateway's XML interface: the order number is the payment's key
	// across retries and replicas (the gateway answers a repeat with the original)
	tx, err := s.merchant.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 18950, Currency: "USD"},
		OrderNumber: "SR-" + id}, merchant.WithIdempotencyKey("sr-"+id+"-payment"))
	if err != nil {
		return err
	}
	s.mu.Lock()
	j.PaymentID = tx.ID
	s.mu.Unlock()
	s.step(fmt.Sprintf("payment %s %s: %s", tx.ID, tx.Status, merchant.Money{Minor: tx.CapturedAmount, Currency: tx.Currency}))
	return nil
}

// correlate flags the open jobs a network event may explain.
func (s *Service) correlate(ne canonical.NetworkEvent) {
	s.mu.Lock()
	var open []treadnet.ServiceRequest
	for id, j := range s.jobs {
		open = append(open, treadnet.ServiceRequest{ID: id, SiteID: j.SR.SiteID, Area: j.Site.Region})
	}
	s.mu.Unlock()
	matches := treadnet.Correlate(treadnet.NetworkEvent{SiteID: ne.SiteID, Area: ne.Area}, open)
	s.mu.Lock()
	for _, m := range matches {
		s.jobs[m.Request.ID].Flags = append(s.jobs[m.Request.ID].Flags, "network "+ne.Kind+" ("+m.By+")")
	}
	s.mu.Unlock()
	s.step(fmt.Sprintf("network %s at %s (%s): %d open request(s) flagged", ne.Kind, ne.SiteID, ne.Area, len(matches)))
}

// flagEquipment flags the open jobs at the site of an equipment event.
func (s *Service) flagEquipment(e canonical.Equipment, typ string) {
	n := 0
	s.mu.Lock()
	for _, j := range s.jobs {
		if e.SiteID != "" && (j.SR.SiteID == e.SiteID || j.Site.Region == e.SiteID) {
			j.Flags = append(j.Flags, "equipment "+typ)
			n++
		}
	}
	s.mu.Unlock()
	s.step(fmt.Sprintf("equipment %s: %s at %s; %d request(s) flagged", e.ID, typ, e.SiteID, n))
}

// canonicalOf returns a new value of the canonical model a subject's kind carries.
func canonicalOf(kind string) any {
	switch kind {
	case "geofence":
		return &canonical.GeofenceEvent{}
	case "service_request":
		return &canonical.ServiceRequest{}
	case "equipment":
		return &canonical.Equipment{}
	case "payment":
		return &canonical.Payment{}
	case "technician":
		return &canonical.Technician{}
	}
	return nil
}

// dead reports a dead letter, then counts it: whoever sees the count has seen the
// report (the demo waits on it).
func (s *Service) dead(subject string, err error) {
	s.step(fmt.Sprintf("dead-lettered after %d deliveries: %s (%v)", MaxDeliver, subject, err))
	s.metrics.deadLetter()
}

func (s *Service) step(msg string) {
	s.log.Info(msg)
	if s.cfg.Step != nil {
		s.cfg.Step(msg)
	}
}

// Jobs returns the jobs dispatched so far, by request id.
func (s *Service) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		cp := *j
		cp.Flags = append([]string(nil), j.Flags...)
		out = append(out, cp)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].SR.ID < out[b].SR.ID })
	return out
}

// Bus returns the service's bus (dead letters, replay).
func (s *Service) Bus() *Bus { return s.bus }

// Close drains the consumer, stops the listeners and the bus.
func (s *Service) Close() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
	s.stop = nil
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range []*http.Server{s.httpSrv, s.hookTLS} {
		if srv != nil {
			_ = srv.Shutdown(ctx)
		}
	}
	if s.bus != nil {
		s.bus.Close()
	}
}

// Health is the per-system health the readiness endpoint reports.
func (s *Service) Health() map[string]resilience.Health {
	return map[string]resilience.Health{"reach": s.reach.Health(), "geotab": s.geotab.Health(), "dayforce": s.dayforce.Health(),
		"maddenco": s.maddenco.Health(), "treadnet": s.treadnet.Health(), "merchant": s.merchant.Health()}
}

// mountConsole serves the operators' console at /ops/: the systems' health and the
// queue depth, the job registry, the dead letters of the bus; its actions are
// audited to the log. Without configured operators it makes a token and writes it
// to a file only its owner can read.
func (s *Service) mountConsole(cfg Config) error {
	tokens := cfg.OpsTokens
	if len(tokens) == 0 {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		tok := hex.EncodeToString(b)
		s.OpsTokenFile = cfg.OpsTokenFile
		if s.OpsTokenFile == "" {
			s.OpsTokenFile = filepath.Join(cfg.StateDir, "ops-token")
		}
		if err := os.WriteFile(s.OpsTokenFile, []byte(tok+"\n"), 0o600); err != nil {
			return err
		}
		tokens = map[string]string{tok: "operator"}
	}
	// operators sign in from a browser with the token (a session cookie then), or
	// send it as a bearer token; the console and the live screen share the sessions
	var auth ops.Authenticator = ops.BearerToken(tokens)
	if cfg.OpsIDTokens != nil {
		auth = ops.AnyOf(ops.IDToken(cfg.OpsIDTokens), auth)
	}
	sessions := ops.NewSessions(auth, 0)
	console, err := ops.New(ops.Config{Auth: sessions, Health: ops.HealthFunc(s.Health), Jobs: s.registry,
		Errors: s.failed, Retry: s.retryFailed, Mappings: s.mapDir, DryRun: s.dryRun,
		DeadLetters: deadLetters{s.bus}, Auditor: logAuditor{s.log}, Logger: s.log,
		QueueDepth: func(ctx context.Context) (int, error) { w, _, err := s.bus.Pending(ctx); return w, err }})
	if err != nil {
		return err
	}
	s.mux.Handle("/ops/", http.StripPrefix("/ops", console))
	live, err := ops.NewLive(liveFeed{s.bus, s}, sessions)
	if err != nil {
		return err
	}
	s.mux.Handle("/live/", http.StripPrefix("/live", live))
	return nil
}

// liveFeed is the dispatch screen's feed: the bus's stream, and for a screen that
// opens the state the service has processed (each vehicle's last position, each
// job's assignment) as of the stream's newest event. An event at or before that one
// the consumer has not processed yet shows on the screen with the next one like it.
type liveFeed struct {
	*Bus
	s *Service
}

func (f liveFeed) Snapshot(ctx context.Context) ([]ops.LiveEvent, uint64, error) {
	asOf, err := f.Latest(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	var out []ops.LiveEvent
	for _, id := range slices.Sorted(maps.Keys(f.s.positions)) {
		b, _ := json.Marshal(f.s.positions[id])
		out = append(out, ops.LiveEvent{Type: "dispatch.geotab.position", Data: b})
	}
	for _, id := range slices.Sorted(maps.Keys(f.s.jobs)) {
		b, _ := json.Marshal(f.s.jobs[id].assignment())
		out = append(out, ops.LiveEvent{Type: "dispatch.assignment", Data: b})
	}
	return out, asOf, nil
}

// deadLetters shows the bus's dead-letter stream in the console.
type deadLetters struct{ b *Bus }

func (d deadLetters) DeadLetters(ctx context.Context) ([]ops.DeadLetter, error) {
	dl, err := d.b.DeadLetters(ctx)
	out := make([]ops.DeadLetter, 0, len(dl))
	for _, l := range dl {
		out = append(out, ops.DeadLetter{ID: strconv.FormatUint(l.Seq, 10), Subject: l.Subject, Error: l.Error, Data: l.Data})
	}
	return out, err
}

func (d deadLetters) Replay(ctx context.Context, id string) error {
	dl, err := d.b.DeadLetters(ctx)
	if err != nil {
		return err
	}
	for _, l := range dl {
		if strconv.FormatUint(l.Seq, 10) == id {
			return d.b.Replay(ctx, l)
		}
	}
	return fmt.Errorf("no dead letter %s", id)
}

// logAuditor writes the console's audit trail to the service's log.
type logAuditor struct{ log *slog.Logger }

func (a logAuditor) Audit(_ context.Context, ev connectors.AuditEvent) {
	a.log.Info("audit", "system", ev.System, "operation", ev.Operation, "actor", ev.Actor, "summary", ev.Summary, "status", ev.StatusCode, "error", ev.Err)
}

// inbound is how one system's webhook events become canonical events.
type inbound struct {
	system, kind, mapping string
	decode                func([]byte) (any, string, error)
}

// publishInbound maps a webhook event with the mapping as it is now and publishes
// it; a *mapping.RecordError says the mapping refused it.
func (s *Service) publishInbound(ctx context.Context, in inbound, key string, body []byte) error {
	src, typ, err := in.decode(body)
	if err != nil {
		return err
	}
	m, ok := s.maps.Mapping(in.mapping)
	if !ok {
		return fmt.Errorf("no mapping %q", in.mapping)
	}
	c := canonicalOf(in.kind)
	if err := m.Apply(src, c); err != nil {
		return err
	}
	b, _ := json.Marshal(c)
	return s.bus.PublishEvent(ctx, "dispatch."+in.system+"."+in.kind, in.system+"-"+key, typ, b)
}

// retryFailed maps a stored record again (the console's reprocess, the
// error-processing job): its key is "system/kind/delivery key".
func (s *Service) retryFailed(ctx context.Context, r mapping.FailedRecord) error {
	system, rest, _ := strings.Cut(r.Key, "/")
	_, key, _ := strings.Cut(rest, "/")
	in, ok := s.inbounds[system]
	if !ok {
		return fmt.Errorf("no inbound events for system %q", system)
	}
	return s.publishInbound(ctx, in, key, r.Payload)
}

// dryRun maps a stored webhook record with m, an edit not saved yet, into the
// canonical event it would publish.
func (s *Service) dryRun(_ context.Context, m *mapping.Mapping, r mapping.FailedRecord) (any, error) {
	system, _, _ := strings.Cut(r.Key, "/")
	in, ok := s.inbounds[system]
	if !ok {
		return nil, fmt.Errorf("no inbound events for system %q", system)
	}
	src, _, err := in.decode(r.Payload)
	if err != nil {
		return nil, err
	}
	c := canonicalOf(in.kind)
	return c, m.Apply(src, c)
}
