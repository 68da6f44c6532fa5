package maddencotest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
)

// APIKey is the key the fake accepts.
const APIKey = "mc-test-key-0123456789"

// Server is a fake Maddenco.
type Server struct {
	life fakekit.Life // New's cleanups
	*httptest.Server
	contract *fakekit.Contract
	now      func() time.Time
	limit    int
	allow    []netip.Prefix

	mu          sync.Mutex
	equipment   map[string]*maddenco.Equipment
	schedules   map[string]*maddenco.MaintenanceSchedule
	logs        map[string]*maddenco.MaintenanceLog
	parts       map[string]*maddenco.Part
	usage       map[string]maddenco.UsageReport
	completions map[string]maddenco.WorkOrderCompletion
	changes     []maddenco.Change
	hits        []time.Time // accepted requests in the last hour, oldest first
	throttled   int
	forbidden   int
	maxWindow   int

	faults fakekit.Queue
	rec    fakekit.Recorder[Request]
	hooks  fakekit.Emitter
	events int
}

// Request is one recorded call (the API key is never kept).
type Request struct {
	Method, Path, Query string
	Body                string
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	equipment, parts int
	limit            int
	allow            []string
	tls              bool
	now              func() time.Time
}

// WithEquipment sets how many pieces of equipment are seeded (default 5 000).
func WithEquipment(n int) Option { return func(c *config) { c.equipment = n } }

// WithRateLimit sets the budget per sliding hour (default 1000; 0 turns it off).
func WithRateLimit(perHour int) Option { return func(c *config) { c.limit = perHour } }

// WithAllowlist refuses (403) callers whose address is outside these CIDRs.
func WithAllowlist(cidrs ...string) Option { return func(c *config) { c.allow = cidrs } }

// WithTLS serves over HTTPS (use srv.Client(), which trusts the certificate).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithClock runs the fake on c (its hourly budget, change and event times) instead of
// the wall clock: give the client and the fake one *clock.Fake, and a client's wait
// for its budget moves the fake's time too.
func WithClock(c clock.Clock) Option { return func(cfg *config) { cfg.now = c.Now } }

var contract = sync.OnceValues(func() (*fakekit.Contract, error) {
	return fakekit.LoadContract(maddenco.OpenAPISpec, nil)
})

// NewServer starts a fake Maddenco and stops it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{equipment: 5000, parts: 300, limit: maddenco.DefaultRequestsPerHour, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := contract()
	if err != nil {
		t.Fatalf("maddencotest: %v", err)
	}
	s := &Server{contract: c, now: cfg.now, limit: cfg.limit,
		equipment: map[string]*maddenco.Equipment{}, schedules: map[string]*maddenco.MaintenanceSchedule{},
		logs: map[string]*maddenco.MaintenanceLog{}, parts: map[string]*maddenco.Part{},
		usage: map[string]maddenco.UsageReport{}, completions: map[string]maddenco.WorkOrderCompletion{}}
	for _, a := range cfg.allow {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			t.Fatalf("maddencotest: allowlist: %v", err)
		}
		s.allow = append(s.allow, p)
	}
	s.seed(cfg)
	if cfg.tls {
		s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serveHTTP))
	} else {
		s.Server = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	}
	t.Cleanup(s.Server.Close)
	return s
}

// Config returns a maddenco.Config for the fake.
func (s *Server) Config() maddenco.Config {
	return maddenco.Config{BaseURL: s.URL, APIKey: APIKey}
}

// Fault is a failure to inject into the next Times calls of Match (an operation id
// such as "getEquipment"; empty for all). Faults apply after the key, the allowlist
// and the budget are checked and the request validated.
type Fault = fake.Fault

// Fail queues a fault.
func (s *Server) Fail(f Fault) { s.faults.Add(f) }

// Requests returns the calls received so far.
func (s *Server) Requests() []Request { return s.rec.All() }

// Throttled returns how many requests were refused with 429 for the hourly budget.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// Forbidden returns how many requests were refused for coming from outside the
// allowlist.
func (s *Server) Forbidden() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.forbidden
}

// MaxInAnyHour returns the largest number of requests accepted within one sliding
// hour so far (at most the budget, unless the limit is off).
func (s *Server) MaxInAnyHour() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxWindow
}

// SetStatus changes a piece of equipment's status (as a technician or Maddenco would),
// recording the change in the feed and pushing an equipment.status_changed event to
// subscribers. It reports whether the equipment exists.
func (s *Server) SetStatus(id string, st maddenco.EquipmentStatus) bool {
	s.mu.Lock()
	e, ok := s.equipment[id]
	if ok {
		prev := e.Status
		e.Status, e.UpdatedAt = st, s.now().UTC()
		s.record(maddenco.ChangeKindEquipment, id, maddenco.ChangeOpUpsert, func(c *maddenco.Change) { c.Equipment = *e })
		s.emit(maddenco.Event{Type: maddenco.EventTypeEquipmentStatusChanged, EquipmentID: id, SiteID: e.Location.SiteID, Status: st, PreviousStatus: prev})
	}
	s.mu.Unlock()
	s.hooks.Deliver()
	return ok
}

// RetirePart deletes a part, recording the deletion in the feed.
func (s *Server) RetirePart(partNumber string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.parts[partNumber]
	if ok {
		delete(s.parts, partNumber)
		s.record(maddenco.ChangeKindPart, partNumber, maddenco.ChangeOpDelete, func(*maddenco.Change) {})
	}
	return ok
}

// Completion returns the stored completion of a work order.
func (s *Server) Completion(workOrderID string) (maddenco.WorkOrderCompletion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wc, ok := s.completions[workOrderID]
	return wc, ok
}

// Usage returns the stored usage report of a piece of equipment on a day (YYYY-MM-DD).
func (s *Server) Usage(equipmentID, day string) (maddenco.UsageReport, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.usage[equipmentID+"/"+day]
	return u, ok
}

func problem(w http.ResponseWriter, status int, code, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(maddenco.Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Code: code,
		RequestID: "mc-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body := fakekit.ReadBody(r)
	s.rec.Add(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body)})
	if !s.allowed(r) {
		problem(w, http.StatusForbidden, "forbidden", "The caller's address is not allowed", "")
		return
	}
	if r.Header.Get("X-API-Key") != APIKey {
		problem(w, http.StatusUnauthorized, "unauthorized", "Missing or unknown API key", "")
		return
	}
	if wait, ok := s.admit(); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		problem(w, http.StatusTooManyRequests, "rate_limited", "The key's hourly request budget is spent", "")
		return
	}
	route, params, err := s.contract.Match(r)
	if err != nil {
		problem(w, http.StatusNotFound, "not_found", "No such endpoint", r.Method+" "+r.URL.Path)
		return
	}
	if err := fakekit.Validate(r, route, params, body); err != nil {
		problem(w, http.StatusBadRequest, "validation_failed", "The request does not match the contract", err.Error())
		return
	}
	op := route.Operation.OperationID
	fakekit.Serve(w, r, s.faults.Take(op), func(w http.ResponseWriter) { s.handle(w, r, op, params, body) })
}

func (s *Server) allowed(r *http.Request) bool {
	if len(s.allow) == 0 {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			for _, p := range s.allow {
				if p.Contains(a.Unmap()) {
					return true
				}
			}
		}
	}
	s.mu.Lock()
	s.forbidden++
	s.mu.Unlock()
	return false
}

// admit counts a request against the sliding hour; when the budget is spent it says
// how long until the oldest request leaves the window.
func (s *Server) admit() (time.Duration, bool) {
	if s.limit <= 0 {
		return 0, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now() // under the lock, so hits stay in time order
	i := sort.Search(len(s.hits), func(i int) bool { return now.Sub(s.hits[i]) < time.Hour })
	s.hits = s.hits[i:]
	if len(s.hits) >= s.limit {
		s.throttled++
		return s.hits[0].Add(time.Hour).Sub(now), false
	}
	s.hits = append(s.hits, now)
	s.maxWindow = max(s.maxWindow, len(s.hits))
	return 0, true
}

// New starts a fake MaddenCo outside a test (a program, an Example, a tool), with the
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
