package geotabtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
)

// Defaults of a new server.
const (
	DefaultDatabase = "dispatch"
	DefaultUser     = "svc-dispatch@example.com"
	DefaultPassword = "fake-password"
	// AuthPerMinute is MyGeotab's limit on Authenticate calls per user.
	AuthPerMinute = 10
)

// Server is a fake MyGeotab server. Servers made with [Server.NewPeer] share one
// federation: the same database, sessions and fleet, on another address.
type Server struct {
	life fakekit.Life // New's cleanups
	*httptest.Server
	st *state
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	vehicles   int
	zones      int
	seed       int64
	tls        bool
	start      time.Time
	clk        clock.Clock
	sessionTTL time.Duration
	limits     map[string]int
}

// WithVehicles sets the fleet size (default 50).
func WithVehicles(n int) Option { return func(c *config) { c.vehicles = n } }

// WithZones sets how many job-site zones are seeded (default 12).
func WithZones(n int) Option { return func(c *config) { c.zones = n } }

// WithSeed changes the deterministic seed of the fleet.
func WithSeed(s int64) Option { return func(c *config) { c.seed = s } }

// WithTLS serves over HTTPS (use srv.Client(), which trusts the certificate).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithStart sets the fake clock's start (default 2026-01-05T08:00:00Z).
func WithStart(t time.Time) Option { return func(c *config) { c.start = t } }

// WithClock runs the fake on c instead of its own fake clock, which starts at
// [WithStart]'s time: give the client and the fake one *clock.Fake, and a client's
// backoff moves the fleet too. The fleet catches up with c's time, in 30-second
// steps, whenever the fake is called or [Server.Advance]d.
func WithClock(c clock.Clock) Option { return func(cfg *config) { cfg.clk = c } }

// WithSessionTTL makes sessions expire after d of fake time (default 14 days, as
// MyGeotab).
func WithSessionTTL(d time.Duration) Option { return func(c *config) { c.sessionTTL = d } }

// WithRateLimit sets the per-minute limit of a method and type ("Get Device",
// "GetFeed LogRecord"); 0 removes it. Defaults are MyGeotab's confirmed limits, and
// 60 a minute for every other GetFeed.
func WithRateLimit(key string, perMinute int) Option {
	return func(c *config) { c.limits[key] = perMinute }
}

// NewServer starts a fake MyGeotab and stops it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{vehicles: 50, zones: 12, seed: 1, start: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC),
		sessionTTL: 14 * 24 * time.Hour, limits: defaultLimits()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clk == nil {
		cfg.clk = clock.NewFake(cfg.start)
	}
	cfg.start = cfg.clk.Now()
	st, err := newState(cfg)
	if err != nil {
		t.Fatalf("geotabtest: %v", err)
	}
	s := &Server{st: st}
	s.start(cfg.tls)
	st.home = s
	t.Cleanup(s.Server.Close)
	return s
}

// NewPeer starts another server of the same federation (same database and fleet),
// for tests of federation and database moves.
func (s *Server) NewPeer(t testing.TB) *Server {
	t.Helper()
	p := &Server{st: s.st}
	p.start(s.TLS != nil)
	t.Cleanup(p.Server.Close)
	return p
}

func (s *Server) start(tls bool) {
	h := http.HandlerFunc(s.serveHTTP)
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
}

// Host is the server's host:port, as Authenticate's "path" names it.
func (s *Server) Host() string { return s.Listener.Addr().String() }

// Config returns a geotab.Config for the service account, with the fake as the
// federation root (Server is its URL): geotab.New(srv.Config()) is enough (add
// geotab.WithHTTPClient(srv.Client()) under WithTLS).
func (s *Server) Config() geotab.Config {
	return geotab.Config{Server: s.URL, Database: DefaultDatabase, UserName: DefaultUser, Password: DefaultPassword}
}

// MoveDatabase moves the database to another server of the federation: sessions
// sent to the old one are refused with InvalidUserException, and Authenticate
// answers with the new server's name.
func (s *Server) MoveDatabase(to *Server) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.home = to
}

// ExpireSessions ends every session, as after 14 days or a password change.
func (s *Server) ExpireSessions() {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.sessions = map[string]session{}
}

// Advance moves the fake's clock forward (its own, or the *clock.Fake given with
// [WithClock]) and the fleet with it, in 30-second steps: vehicles drive, and
// LogRecords, DeviceStatusInfo, Trips and ExceptionEvents are produced.
func (s *Server) Advance(d time.Duration) {
	fakekit.Advance(s.st.cfg.clk, d)
	s.st.mu.Lock()
	s.st.catchUp()
	s.st.mu.Unlock()
	s.st.hooks.Deliver() // outside the lock: a receiver may call the fake back
}

// Now returns the fake's time.
func (s *Server) Now() time.Time {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.catchUp()
	return s.st.now
}

// AuthCount returns how many Authenticate calls the federation received.
func (s *Server) AuthCount() int {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return s.st.authCalls
}

// Fault describes a failure to inject into the next Times calls of Method ("Get", or
// "Get Device" for one type; empty for every call).
type Fault struct {
	Method string
	Times  int
	// Status answers with this HTTP status instead (and Body, if set).
	Status int
	Body   string
	// Exception answers with this MyGeotab exception (with Message, and State for
	// DbUnavailableException) in the JSON-RPC error envelope.
	Exception string
	Message   string
	State     string
	// RetryAfter adds a Retry-After header (seconds).
	RetryAfter int
	// Delay holds the answer back this long (or until the client gives up).
	Delay time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// Truncate cuts the body short; Malformed sends a body that is not JSON.
	Truncate, Malformed bool
	// After lets the fake carry the call out first (an Add adds), then applies the
	// fault to its answer: the database changed, the client never heard (a test's
	// fault, not a MyGeotab behaviour).
	After bool
}

// Fail queues a fault. Faults apply in the order queued.
func (s *Server) Fail(f Fault) {
	s.st.faults.Add(fakekit.Fault{Match: f.Method, Times: f.Times, Status: f.Status, Body: f.Body,
		RetryAfter: f.RetryAfter, Delay: f.Delay, Reset: f.Reset, Truncate: f.Truncate, Malformed: f.Malformed, After: f.After,
		Extra: exceptionFault{f.Exception, f.Message, f.State}})
}

type exceptionFault struct{ exception, message, state string }

// Request is one recorded call, with the password and session id masked.
type Request struct {
	Server   string
	Method   string
	TypeName string
	Params   json.RawMessage
}

// Requests returns the calls received so far, in order.
func (s *Server) Requests() []Request {
	return s.st.recorded.All()
}

// rpcErr is a JSON-RPC failure to send back.
type rpcErr struct {
	code       int
	exception  string
	message    string
	state      string
	index      int
	retryAfter int
}

func (e *rpcErr) Error() string { return e.exception + ": " + e.message }

func argErr(format string, a ...any) *rpcErr {
	return &rpcErr{code: -32000, exception: geotab.ExArgument, message: fmt.Sprintf(format, a...)}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// MyGeotab answers POSTs to /apiv1, /apiv1/ and /apiv1/{method}: the official
	// JavaScript client (mg-api-js AxiosCall.getCallUrl) posts to /apiv1/{method}
	if r.Method != http.MethodPost || r.URL.Path != "/apiv1" && !strings.HasPrefix(r.URL.Path, "/apiv1/") {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		// the form encoding, JSON-RPC=<url-encoded request>, that mg-api-js
		// (AxiosCall.encodeRPC) and the archived mg-api-node send (SDK concepts:
		// "legacy" form POST)
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("JSON-RPC") == "" {
			s.writeErr(w, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: "no JSON-RPC form field"}, -1)
			return
		}
		body = []byte(form.Get("JSON-RPC"))
	}
	var req struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	if err := strictDecode(body, &req); err != nil || req.Method == "" {
		msg := "request is not a JSON-RPC object"
		if err != nil {
			msg = err.Error()
		}
		s.writeErr(w, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: msg}, -1)
		return
	}
	typeName := peekTypeName(req.Params)
	st := s.st
	st.mu.Lock()
	moved := st.catchUp()
	st.record(s.Host(), req.Method, typeName, req.Params)
	st.mu.Unlock()
	if moved {
		st.hooks.Deliver()
	}
	f := st.faults.Take(req.Method, req.Method+" "+typeName)
	if f != nil && !f.After && s.inject(w, r, f) {
		return
	}
	result, hdr, rerr := s.dispatch(req.Method, req.Params)
	if f != nil && f.After { // done; the answer is lost or spoiled
		if f.Reset {
			fakekit.Reset(w)
			return
		}
		if fakekit.Apply(w, r, f) {
			return
		}
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	if rerr != nil {
		s.writeErr(w, rerr, -1)
		return
	}
	writeJSON(w, map[string]any{"result": result, "jsonrpc": "2.0"})
}

// inject applies a fault; it reports whether the answer was taken over.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f *fakekit.Fault) bool {
	if ex, ok := f.Extra.(exceptionFault); ok && ex.exception != "" && !f.Reset && f.Status == 0 {
		if f.Delay > 0 || f.RetryAfter > 0 {
			g := *f
			g.Malformed, g.Truncate = false, false
			if fakekit.Apply(w, r, &g) {
				return true
			}
		}
		s.writeErr(w, &rpcErr{code: -32000, exception: ex.exception, message: ex.message, state: ex.state}, -1)
		return true
	}
	return fakekit.Apply(w, r, f)
}

// writeErr sends the JSON-RPC error envelope with the modern (data.type) and legacy
// (errors[0].name) fields together, as MyGeotab does, with HTTP 200.
func (s *Server) writeErr(w http.ResponseWriter, e *rpcErr, _ int) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.retryAfter))
	}
	idx := 0
	if e.index > 0 {
		idx = e.index
	}
	data := geotab.RPCErrorData{ID: newErrID(), Type: e.exception, RequestIndex: &idx}
	if e.state != "" {
		data.Info = map[string]any{"state": e.state}
	}
	env := map[string]any{
		"error": geotab.RPCError{Message: e.message, Code: e.code, Data: data, Name: "JSONRPCError",
			Errors: []geotab.RPCErrorInner{{Message: e.message, Name: e.exception}}},
		"jsonrpc": "2.0", "requestIndex": idx,
	}
	writeJSON(w, env)
}

var errSeq struct {
	sync.Mutex
	n int
}

func newErrID() string {
	errSeq.Lock()
	defer errSeq.Unlock()
	errSeq.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", errSeq.n)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// strictDecode rejects what MyGeotab's strict RFC 8259 parser rejects.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON-RPC object")
	}
	return nil
}

func peekTypeName(params json.RawMessage) string {
	var p struct {
		TypeName string `json:"typeName"`
	}
	_ = json.Unmarshal(params, &p)
	return p.TypeName
}

// New starts a fake MyGeotab outside a test (a program, an Example, a tool), with the
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
