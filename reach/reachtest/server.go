package reachtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/reach"
)

// Credentials of the fake's OAuth client.
const (
	ClientID     = "dispatch-center"
	ClientSecret = "fake-secret"
)

// Server is a fake Reach.
type Server struct {
	life fakekit.Life // New's cleanups
	*httptest.Server
	contract *fakekit.Contract

	mu        sync.Mutex
	clk       clock.Clock
	tokens    fakekit.Tokens
	srs       map[string]*reach.ServiceRequest
	techs     map[string]*reach.Technician
	customers map[string]*reach.Customer
	comms     map[string][]reach.Communication
	idem      fakekit.Idempotency
	seq       int
	export    int64

	faults fakekit.Queue
	rec    fakekit.Recorder[Request]
	hooks  fakekit.Emitter
	events int
}

// Request is one recorded call (the Authorization header is never kept).
type Request struct {
	Method, Path, Query string
	IdempotencyKey      string
	Body                string
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	techs, customers, srs int
	export                int64
	tls                   bool
	tokenTTL              time.Duration
	start                 time.Time
	clk                   clock.Clock
}

// WithTechnicians sets how many technicians are seeded (default 40).
func WithTechnicians(n int) Option { return func(c *config) { c.techs = n } }

// WithCustomers sets how many customers are seeded (default 200).
func WithCustomers(n int) Option { return func(c *config) { c.customers = n } }

// WithServiceRequests sets how many service requests are seeded (default 500).
func WithServiceRequests(n int) Option { return func(c *config) { c.srs = n } }

// WithExportSize sets how many records the historical export holds (default 10 000);
// they are generated on demand, so any size costs no memory.
func WithExportSize(n int64) Option { return func(c *config) { c.export = n } }

// WithTLS serves over HTTPS (use srv.Client(), which trusts the certificate).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithClock runs the fake on c (token expiry, update and event times) instead of its
// own fake clock, which starts at Monday 2026-01-05 08:00 UTC: give the client and
// the fake one *clock.Fake, and a client's backoff moves the fake's time too.
func WithClock(c clock.Clock) Option { return func(cfg *config) { cfg.clk = c } }

// WithTokenTTL sets the lifetime of access tokens on the fake clock (default 1 h).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

var contract = sync.OnceValues(func() (*fakekit.Contract, error) {
	openapi3filter.RegisterBodyDecoder("application/merge-patch+json", openapi3filter.JSONBodyDecoder)
	return fakekit.LoadContract(reach.OpenAPISpec, nil)
})

// NewServer starts a fake Reach and stops it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{techs: 40, customers: 200, srs: 500, export: 10000, tokenTTL: time.Hour,
		start: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clk == nil {
		cfg.clk = clock.NewFake(cfg.start)
	}
	cfg.start = cfg.clk.Now()
	c, err := contract()
	if err != nil {
		t.Fatalf("reachtest: %v", err)
	}
	s := &Server{contract: c, clk: cfg.clk, tokens: fakekit.Tokens{Prefix: "at-", TTL: cfg.tokenTTL},
		srs: map[string]*reach.ServiceRequest{}, techs: map[string]*reach.Technician{}, customers: map[string]*reach.Customer{},
		comms: map[string][]reach.Communication{}, export: cfg.export}
	s.idem.Problem = func(w http.ResponseWriter, status int, code, title string) { problem(w, status, code, title, "") }
	s.seed(cfg)
	h := http.HandlerFunc(s.serveHTTP)
	if cfg.tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Server.Close)
	return s
}

// Config returns a reach.Config for the fake.
func (s *Server) Config() reach.Config {
	return reach.Config{BaseURL: s.URL, ClientID: ClientID, ClientSecret: ClientSecret}
}

// Advance moves the fake's clock (token expiry, update times): its own, or the
// *clock.Fake given with [WithClock].
func (s *Server) Advance(d time.Duration) { fakekit.Advance(s.clk, d) }

// Now returns the fake's time.
func (s *Server) Now() time.Time { return s.clk.Now() }

// TokensIssued returns how many access tokens the token endpoint gave out.
func (s *Server) TokensIssued() int { return s.tokens.Issued() }

// ExpireTokens revokes every access token (the client sees 401 on its next call).
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

// Fault is a failure to inject into the next Times calls of Match (an operation id
// such as "createServiceRequest", "token" for the token endpoint; empty for all).
// With After, the fake first does the work, then the answer is lost (Reset) or
// replaced (Status): the case idempotency keys exist for.
type Fault = fake.Fault

// Fail queues a fault.
func (s *Server) Fail(f Fault) { s.faults.Add(f) }

// Requests returns the calls received so far.
func (s *Server) Requests() []Request { return s.rec.All() }

// CountServiceRequests returns how many service requests the fake holds.
func (s *Server) CountServiceRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.srs)
}

// Touch marks a service request as changed now (for sync tests).
func (s *Server) Touch(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr, ok := s.srs[id]
	if ok {
		sr.UpdatedAt, sr.Version = s.clk.Now(), sr.Version+1
	}
	return ok
}

func problem(w http.ResponseWriter, status int, code, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(reach.Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Code: code,
		RequestID: fmt.Sprintf("req-%d", time.Now().UnixNano()%1e9)})
}

func writeJSON(w http.ResponseWriter, status int, etag string, v any) {
	w.Header().Set("Content-Type", "application/json")
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func etagOf(version int64) string { return strconv.Quote(strconv.FormatInt(version, 10)) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body := fakekit.ReadBody(r)
	s.rec.Add(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, IdempotencyKey: r.Header.Get("Idempotency-Key"), Body: string(body)})
	if r.URL.Path == "/oauth/token" {
		if f := s.faults.Take("token"); f != nil && fakekit.Apply(w, r, f) {
			return
		}
		s.token(w, r)
		return
	}
	route, params, err := s.contract.Match(r)
	if err != nil {
		problem(w, http.StatusNotFound, "not_found", "No such endpoint", r.Method+" "+r.URL.Path)
		return
	}
	op := route.Operation.OperationID
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		problem(w, http.StatusUnauthorized, "unauthorized", "Missing or expired access token", "")
		return
	}
	if err := fakekit.Validate(r, route, params, body); err != nil {
		problem(w, http.StatusBadRequest, "validation_failed", "The request does not match the contract", err.Error())
		return
	}
	fakekit.Serve(w, r, s.faults.Take(op), func(w http.ResponseWriter) {
		s.handle(w, r, op, params, body)
		s.hooks.Deliver() // outside the lock, before the answer is complete
	})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokens.ServeClientCredentials(w, r, ClientID, ClientSecret, s.Now())
}

func (s *Server) authorized(r *http.Request) bool { return s.tokens.Bearer(r, s.Now()) }

// keyset cursors: the last (updated_at, id) of the page.
func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	ts, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, id, ok && err == nil
}

// page sorts items by (updated_at, id), keeps those after the cursor and at or
// after since, and cuts a page.
func page[T any](items []T, key func(T) (time.Time, string), q map[string][]string) ([]T, string, bool) {
	sort.Slice(items, func(i, j int) bool {
		ti, ii := key(items[i])
		tj, ij := key(items[j])
		return ti.Before(tj) || ti.Equal(tj) && ii < ij
	})
	limit := 100
	if l, err := strconv.Atoi(first(q["limit"])); err == nil && l > 0 {
		limit = l
	}
	var since time.Time
	if v := first(q["updated_since"]); v != "" {
		since, _ = time.Parse(time.RFC3339Nano, v)
	}
	var ct time.Time
	var cid string
	if c := first(q["cursor"]); c != "" {
		var ok bool
		if ct, cid, ok = decodeCursor(c); !ok {
			return nil, "", false
		}
	}
	out := make([]T, 0, limit)
	for _, it := range items {
		t, id := key(it)
		if t.Before(since) || !afterKey(t, id, ct, cid) {
			continue
		}
		out = append(out, it)
		if len(out) == limit {
			break
		}
	}
	next := ""
	if len(out) == limit {
		t, id := key(out[len(out)-1])
		next = encodeCursor(t, id)
	}
	return out, next, true
}

func afterKey(t time.Time, id string, ct time.Time, cid string) bool {
	if cid == "" {
		return true
	}
	return t.After(ct) || t.Equal(ct) && id > cid
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// New starts a fake Reach outside a test (a program, an Example, a tool), with the
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
