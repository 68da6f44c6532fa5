package treadnettest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/treadnet"
)

// ClientCertName is the common name of the client certificate in [Server.Config].
const ClientCertName = "dispatch-center.example.com"

// Server is a fake Treadnet API over mutual TLS, with its own CA.
type Server struct {
	life fakekit.Life // New's cleanups
	*httptest.Server
	contract *fakekit.Contract
	now      func() time.Time
	mtls     *fakekit.MTLS

	mu      sync.Mutex
	sites   []*treadnet.Site
	links   []*treadnet.Link
	outages []*treadnet.Outage
	version int64

	faults fakekit.Queue
	rec    fakekit.Recorder[Request]
	traps  []trapDest
}

// Request is one recorded call with the common name of the certificate presented.
type Request struct {
	Method, Path, Query string
	ClientCert          string
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	sites, history int
	now            func() time.Time
}

// WithSites sets how many sites are seeded (default 60, in 6 areas).
func WithSites(n int) Option { return func(c *config) { c.sites = n } }

// WithHistory sets how many resolved outages are seeded (default 200, over the last
// 90 days).
func WithHistory(n int) Option { return func(c *config) { c.history = n } }

// WithClock runs the fake on c instead of the wall clock: give the client and the
// fake one *clock.Fake, and a client's backoff moves the fake's time too.
func WithClock(c clock.Clock) Option { return func(cfg *config) { cfg.now = c.Now } }

var contract = sync.OnceValues(func() (*fakekit.Contract, error) {
	return fakekit.LoadContract(treadnet.OpenAPISpec, nil)
})

// NewServer starts a fake Treadnet with its own CA and stops it when the test ends.
// It accepts only connections presenting a client certificate its CA signed.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{sites: 60, history: 200, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := contract()
	if err != nil {
		t.Fatalf("treadnettest: %v", err)
	}
	m, err := fakekit.NewMTLS("treadnettest CA", ClientCertName)
	if err != nil {
		t.Fatalf("treadnettest: %v", err)
	}
	s := &Server{contract: c, now: cfg.now, mtls: m, version: 1}
	s.seed(cfg)
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	m.StartTLS(s.Server, tls.VersionTLS12)
	t.Cleanup(s.Server.Close)
	return s
}

// Config returns a treadnet.Config for the fake: its URL, a client certificate its
// CA signed and the CA to trust, as PEM.
func (s *Server) Config() treadnet.Config {
	return treadnet.Config{BaseURL: s.URL, TLS: s.mtls.Client()}
}

// CAPool returns the fake's CA.
func (s *Server) CAPool() *x509.CertPool { return s.mtls.CAPool() }

// CAPEM returns the fake's CA certificate as PEM.
func (s *Server) CAPEM() []byte { return s.mtls.CA.CertPEM }

// IssueClientCertificate issues another client certificate the fake accepts (PEM).
func (s *Server) IssueClientCertificate(cn string) (certPEM, keyPEM []byte, err error) {
	return s.mtls.IssueClientCertificate(cn)
}

// RefusedHandshakes returns how many TLS handshakes the fake refused.
func (s *Server) RefusedHandshakes() int { return s.mtls.RefusedHandshakes() }

// Fault is a failure to inject into the next Times calls of Match (an operation id
// such as "listOutages"; empty for all).
type Fault = fake.Fault

// Fail queues a fault.
func (s *Server) Fail(f Fault) { s.faults.Add(f) }

// Requests returns the calls received so far.
func (s *Server) Requests() []Request { return s.rec.All() }

// Sites returns the seeded sites.
func (s *Server) Sites() []treadnet.Site {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]treadnet.Site, len(s.sites))
	for i, x := range s.sites {
		out[i] = *x
	}
	return out
}

// Areas are the seeded service areas.
var Areas = []string{"north", "south", "east", "west", "central", "airport"}

// SiteID returns the id of the i-th seeded site (1-based).
func SiteID(i int) string { return fmt.Sprintf("TN-%03d", i) }

// AgentAddress returns the SNMP agent address of the i-th seeded site (1-based), on
// loopback (127.0.1.1 for site 1): [Server.SendTrap] sends a site's traps from it.
func AgentAddress(i int) string { return fmt.Sprintf("127.0.%d.%d", 1+(i-1)/250, 1+(i-1)%250) }

// Agent returns the agent address of the i-th seeded site (1-based) as a netip.Addr.
func Agent(i int) netip.Addr { return netip.MustParseAddr(AgentAddress(i)) }

func (s *Server) seed(cfg config) {
	r := rand.New(rand.NewPCG(17, 19))
	now := s.now().UTC()
	for i := 1; i <= cfg.sites; i++ {
		s.sites = append(s.sites, &treadnet.Site{ID: SiteID(i), Name: fmt.Sprintf("Site %d", i), Area: Areas[(i-1)%len(Areas)],
			Latitude: 43.5 + r.Float64()*0.5, Longitude: -79.8 + r.Float64()*0.6, Status: treadnet.SiteStatusUp, AgentAddress: AgentAddress(i)})
	}
	for i := 1; i < cfg.sites; i++ {
		kind := []string{"fiber", "microwave", "copper"}[r.IntN(3)]
		s.links = append(s.links, &treadnet.Link{ID: fmt.Sprintf("L-%03d", i), ASite: SiteID(i), BSite: SiteID(i + 1), Kind: treadnet.LinkKind(kind),
			CapacityMbps: []int{1000, 10000, 100}[r.IntN(3)], Status: treadnet.SiteStatusUp})
	}
	for i := 0; i < cfg.history && cfg.sites > 0; i++ {
		start := now.Add(-time.Duration(90*24*3600-i*(90*24*3600/max(cfg.history, 1))) * time.Second)
		site := s.sites[r.IntN(len(s.sites))]
		s.outages = append(s.outages, &treadnet.Outage{ID: fmt.Sprintf("OUT-%05d", len(s.outages)+1), Status: treadnet.OutageStatusResolved,
			Severity: []treadnet.Severity{"critical", "major", "minor", "minor"}[r.IntN(4)], SiteIDs: []string{site.ID}, Areas: []string{site.Area},
			Services: []string{"dispatch-radio"}, Cause: []string{"fiber cut", "power", "equipment failure", "maintenance"}[r.IntN(4)],
			CustomersAffected: r.IntN(500), StartedAt: start, ResolvedAt: start.Add(time.Duration(10+r.IntN(300)) * time.Minute), UpdatedAt: start})
	}
}

func problem(w http.ResponseWriter, status int, code, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(treadnet.Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Code: code,
		RequestID: fmt.Sprintf("tn-%d", time.Now().UnixNano()%1e9)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	cn := ""
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cn = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	s.rec.Add(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ClientCert: cn})
	route, params, err := s.contract.Match(r)
	if err != nil {
		problem(w, http.StatusNotFound, "not_found", "No such endpoint", r.Method+" "+r.URL.Path)
		return
	}
	if err := fakekit.Validate(r, route, params, fakekit.ReadBody(r)); err != nil {
		problem(w, http.StatusBadRequest, "validation_failed", "The request does not match the contract", err.Error())
		return
	}
	op := route.Operation.OperationID
	fakekit.Serve(w, r, s.faults.Take(op), func(w http.ResponseWriter) { s.handle(w, r, op, params) })
}

// call is one request to an operation: where its method answers and what it reads.
type call = fakekit.Call

// api answers the contract's operations (operations.gen.go) on the server's state,
// which handle holds locked.
type api struct{ *Server }

func (s *Server) handle(w http.ResponseWriter, r *http.Request, op string, params map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !dispatch(api{s}, op, fakekit.NewCall(w, r, nil), params) {
		problem(w, http.StatusNotImplemented, "not_implemented", "The fake does not implement "+op, "")
	}
}

// GetNetworkStatus answers getNetworkStatus.
func (s api) GetNetworkStatus(req *call) {
	w := req.W
	st := treadnet.NetworkStatus{AsOf: s.now().UTC(), SitesTotal: len(s.sites)}
	for _, x := range s.sites {
		switch x.Status {
		case treadnet.SiteStatusUp:
			st.SitesUp++
		case treadnet.SiteStatusDegraded:
			st.SitesDegraded++
		default:
			st.SitesDown++
		}
	}
	radio := treadnet.SiteStatusUp
	for _, o := range s.outages {
		if o.Status == treadnet.OutageStatusOpen {
			st.OpenOutages++
			radio = treadnet.SiteStatusDegraded
		}
	}
	st.Services = []treadnet.ServiceStatus{{Name: "dispatch-radio", Status: radio}, {Name: "telematics", Status: treadnet.SiteStatusUp}}
	writeJSON(w, st)
}

// ListOutages answers listOutages.
func (s api) ListOutages(req *call) {
	w, q := req.W, req.Q
	since, _ := time.Parse(time.RFC3339Nano, q.Get("since"))
	until, _ := time.Parse(time.RFC3339Nano, q.Get("until"))
	keep := func(o *treadnet.Outage) bool {
		return (q.Get("status") == "" || string(o.Status) == q.Get("status")) &&
			(q.Get("site_id") == "" || slices.Contains(o.SiteIDs, q.Get("site_id"))) &&
			(q.Get("area") == "" || slices.Contains(o.Areas, q.Get("area"))) &&
			!o.StartedAt.Before(since) && (until.IsZero() || o.StartedAt.Before(until))
	}
	writePage(w, s.outages, keep, q)
}

// GetOutage answers getOutage.
func (s api) GetOutage(req *call, id string) {
	w := req.W
	i := slices.IndexFunc(s.outages, func(o *treadnet.Outage) bool { return o.ID == id })
	if i < 0 {
		problem(w, http.StatusNotFound, "not_found", "Outage not found", id)
		return
	}
	writeJSON(w, s.outages[i])
}

// GetSite answers getSite.
func (s api) GetSite(req *call, id string) {
	w := req.W
	i := slices.IndexFunc(s.sites, func(x *treadnet.Site) bool { return x.ID == id })
	if i < 0 {
		problem(w, http.StatusNotFound, "not_found", "Site not found", id)
		return
	}
	writeJSON(w, s.sites[i])
}

// GetTopology answers getTopology.
func (s api) GetTopology(req *call) {
	w, q := req.W, req.Q
	area := q.Get("area")
	t := treadnet.Topology{Version: s.version, GeneratedAt: s.now().UTC(), Sites: []treadnet.Site{}, Links: []treadnet.Link{}}
	in := map[string]bool{}
	for _, x := range s.sites {
		if area == "" || x.Area == area {
			t.Sites = append(t.Sites, *x)
			in[x.ID] = true
		}
	}
	for _, l := range s.links {
		if in[l.ASite] || in[l.BSite] {
			t.Links = append(t.Links, *l)
		}
	}
	writeJSON(w, t)
}

// writePage answers one page of the outages kept by keep (see fakekit.OffsetPage).
func writePage(w http.ResponseWriter, items []*treadnet.Outage, keep func(*treadnet.Outage) bool, q url.Values) {
	limit, _ := strconv.Atoi(q.Get("limit"))
	data, next, ok := fakekit.OffsetPage(items, keep, q.Get("cursor"), limit)
	if !ok {
		problem(w, http.StatusBadRequest, "invalid_cursor", "The cursor is not valid", "")
		return
	}
	writeJSON(w, map[string]any{"data": data, "next_cursor": next})
}

// New starts a fake Treadnet outside a test (a program, an Example, a tool), with the
// same options as [NewServer]; Close stops it.
func New(opts ...Option) (*Server, error) {
	return fakekit.Start(func(tb testing.TB) *Server { return NewServer(tb, opts...) }, func(s *Server) *fakekit.Life { return &s.life })
}

// Close stops the fake: all of it for one made by [New]; a fake made by [NewServer]
// stops with its test.
func (s *Server) Close() {
	if s.life.Stop() {
		return
	}
	s.Server.Close()
}
