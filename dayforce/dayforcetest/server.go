package dayforcetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
)

// Credentials of the fake's web-services user.
const (
	Namespace = "dispatchco"
	Username  = "dispatch-ws"
	Password  = "fake-password"
)

// Server is a fake Dayforce.
type Server struct {
	life fakekit.Life // New's cleanups
	// Generic is the generic host (www.dayforcehcm.com's role); its URL + "/Api" is
	// the BaseURL clients start from.
	Generic *httptest.Server
	// Hosts are the two client hosts; the tenant lives on Hosts[Current()].
	Hosts [2]*httptest.Server

	contract *fakekit.Contract

	mu       sync.Mutex
	clk      clock.Clock
	current  int
	tokens   fakekit.Tokens
	nextHost string
	limit    int
	payload  bool // punch POSTs answer {Data, ProcessResults} (WithPunchPayload)
	window   time.Time
	inWindow int

	employees []*employee
	byXRef    map[string]*employee
	byBadge   map[string]*employee
	skills    []dayforce.Skill
	certs     []dayforce.LMSCertification
	punches   []dayforce.EmployeeRawPunch
	received  []time.Time // when each punch was received (its transaction time)
	punchSeq  int

	faults fakekit.Queue
	rec    fakekit.Recorder[Request]
	hooks  fakekit.Emitter
	events int
	idKey  ed25519.PrivateKey
}

// Request is one recorded call (credentials are never kept).
type Request struct {
	// Host is "generic", "host0" or "host1".
	Host, Method, Path, Query string
	// Authorized reports whether the call carried valid credentials.
	Authorized bool
	Body       string
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	employees int
	tls       bool
	tokenTTL  time.Duration
	start     time.Time
	clk       clock.Clock
	limit     int
	payload   bool
}

// WithEmployees sets how many employees are seeded (default 200).
func WithEmployees(n int) Option { return func(c *config) { c.employees = n } }

// WithTLS serves every listener over HTTPS (use srv.Client(), which trusts them).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithTokenTTL sets the lifetime of tokens on the fake clock (default 1 h).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// WithStart sets the fake clock's start (default Monday 2026-01-05 08:00 UTC).
func WithStart(t time.Time) Option { return func(c *config) { c.start = t } }

// WithClock runs the fake on c (token expiry, rate-limit windows, modification and
// event times) instead of its own fake clock, which starts at [WithStart]'s time:
// give the client and the fake one *clock.Fake, and a client's backoff moves the
// fake's time too.
func WithClock(c clock.Clock) Option { return func(cfg *config) { cfg.clk = c } }

// WithRateLimit throttles API calls to n per minute of the fake clock (0: none);
// calls beyond it get 429 with a rate-limit ProcessResult.
func WithRateLimit(n int) Option { return func(c *config) { c.limit = n } }

// WithPunchPayload makes a punch POST answer with the stored punch and its warnings
// ({Data, ProcessResults}), as the vendor's OpenAPI document shows the answer
// (PaginatedPayload of EmployeeRawPunch). By default it answers 200 with no body, as
// public integrations document it (the WSO2 Ceridian Dayforce connector's "Working
// with Employee Raw Punches": "Dayforce returns HTTP Code 200").
func WithPunchPayload() Option { return func(c *config) { c.payload = true } }

// dayforceDate accepts Dayforce's dates: ISO 8601 with or without an offset.
var dayforceDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$`)

var contract = sync.OnceValues(func() (*fakekit.Contract, error) {
	openapi3.DefineStringFormatValidator("dayforce-date-time", openapi3.NewRegexpFormatValidator(dayforceDate.String()))
	return fakekit.LoadContract(dayforce.OpenAPISpec, func(doc *openapi3.T) {
		doc.Servers = openapi3.Servers{{URL: "/Api"}}
		// Dayforce sends and takes dates without an offset although its document
		// says date-time: validate as Dayforce does.
		fakekit.ReplaceFormat(doc, "date-time", "dayforce-date-time")
	})
})

// NewServer starts a fake Dayforce and stops it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{employees: 200, tokenTTL: time.Hour, start: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clk == nil {
		cfg.clk = clock.NewFake(cfg.start)
	}
	cfg.start = cfg.clk.Now()
	c, err := contract()
	if err != nil {
		t.Fatalf("dayforcetest: %v", err)
	}
	s := &Server{contract: c, clk: cfg.clk, tokens: fakekit.Tokens{Prefix: "df-", TTL: cfg.tokenTTL}, limit: cfg.limit, payload: cfg.payload,
		byXRef: map[string]*employee{}, byBadge: map[string]*employee{}}
	if _, s.idKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatalf("dayforcetest: %v", err)
	}
	s.seed(cfg)
	start := func(h http.Handler) *httptest.Server {
		if cfg.tls {
			return httptest.NewTLSServer(h)
		}
		return httptest.NewServer(h)
	}
	s.Generic = start(http.HandlerFunc(s.serveGeneric))
	for i := range s.Hosts {
		s.Hosts[i] = start(s.hostHandler(i))
	}
	t.Cleanup(func() {
		s.Generic.Close()
		s.Hosts[0].Close()
		s.Hosts[1].Close()
	})
	return s
}

// GenericURL is the generic host's URL. Without TLS it is named "localhost" while
// the client hosts are "127.0.0.1": different host names, as www.dayforcehcm.com and
// us241-services.dayforcehcm.com are, so Go's redirect policy drops credentials
// between them exactly as it does with Dayforce.
func (s *Server) GenericURL() string {
	if strings.HasPrefix(s.Generic.URL, "http://") {
		return strings.Replace(s.Generic.URL, "127.0.0.1", "localhost", 1)
	}
	return s.Generic.URL
}

// Config returns a dayforce.Config for the fake: token auth, the generic host as
// BaseURL, and the three listeners as the hosts credentials may go to.
func (s *Server) Config() dayforce.Config {
	g := s.GenericURL()
	return dayforce.Config{Namespace: Namespace, Username: Username, Password: Password,
		BaseURL: g + "/Api", TokenURL: g + "/connect/token",
		AuthHosts: []string{hostOf(g), hostOf(s.Hosts[0].URL), hostOf(s.Hosts[1].URL)}}
}

// Client returns an *http.Client that trusts the fake's certificates (WithTLS).
func (s *Server) Client() *http.Client { return s.Generic.Client() }

func hostOf(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }

// Advance moves the fake's clock (token expiry, rate-limit windows): its own, or the
// *clock.Fake given with [WithClock].
func (s *Server) Advance(d time.Duration) { fakekit.Advance(s.clk, d) }

// Now returns the fake's time.
func (s *Server) Now() time.Time { return s.clk.Now() }

// TokensIssued returns how many tokens the identity service gave out.
func (s *Server) TokensIssued() int { return s.tokens.Issued() }

// ExpireTokens makes every token invalid (the client sees 401 on its next call).
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

// Relocate moves the tenant to the other client host, as a Dayforce upgrade does: the
// old host then redirects every call, and ClientMetadata gives the new ServiceUri.
func (s *Server) Relocate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = 1 - s.current
}

// Current returns the index in Hosts of the host the tenant lives on.
func (s *Server) Current() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// SetNextHost makes Paging.Next URLs point at base (scheme://host:port) instead of the
// client host, to test where a client sends its credentials. "" restores.
func (s *Server) SetNextHost(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextHost = base
}

// Fault is a failure to inject into the next Times calls of Match: an operationId of
// the contract ("postEmployeeRawPunch", "getEmployee", …), "token", "metadata" for
// the generic host's ClientMetadata, or empty for every call. With After, the fake
// first does the work, then the answer is lost (Reset) or replaced (Status).
type Fault = fake.Fault

// Fail queues a fault.
func (s *Server) Fail(f Fault) { s.faults.Add(f) }

// Requests returns the calls received so far.
func (s *Server) Requests() []Request { return s.rec.All() }

// serveGeneric is www.dayforcehcm.com: the identity service, and a redirect of every
// API call to the client host.
func (s *Server) serveGeneric(w http.ResponseWriter, r *http.Request) {
	body := fakekit.ReadBody(r)
	s.rec.Add(Request{Host: "generic", Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Authorized: s.authorized(r), Body: mask(r.URL.Path, body)})
	if r.URL.Path == JWKSPath {
		s.jwks(w)
		return
	}
	if r.URL.Path == "/connect/token" {
		if f := s.faults.Take("token"); f != nil && fakekit.Apply(w, r, f) {
			return
		}
		s.token(w, r)
		return
	}
	if f := s.faults.Take("metadata"); f != nil && fakekit.Apply(w, r, f) {
		return
	}
	if !strings.HasPrefix(strings.ToLower(r.URL.Path), "/api/") {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	to := s.Hosts[s.current].URL + r.URL.RequestURI()
	s.mu.Unlock()
	http.Redirect(w, r, to, http.StatusFound)
}

func (s *Server) hostHandler(i int) http.Handler {
	name := fmt.Sprintf("host%d", i)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := fakekit.ReadBody(r)
		s.rec.Add(Request{Host: name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Authorized: s.authorized(r), Body: mask(r.URL.Path, body)})
		s.mu.Lock()
		cur := s.current
		to := s.Hosts[cur].URL + r.URL.RequestURI()
		s.mu.Unlock()
		if cur != i {
			http.Redirect(w, r, to, http.StatusMovedPermanently)
			return
		}
		s.serveAPI(w, r, body)
	})
}

// mask keeps no credentials in the log.
func mask(path string, body []byte) string {
	if path == "/connect/token" {
		return ""
	}
	return string(body)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	route, params, err := s.contract.Match(r)
	if err != nil {
		results(w, http.StatusNotFound, false, result("ERROR", "SYS_NotFound", "", "No such resource: "+r.URL.Path))
		return
	}
	op := route.Operation.OperationID
	arr := bareArray(route.Operation)
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Dayforce"`)
		results(w, http.StatusUnauthorized, false, result("ERROR", "SYS_Unauthorized", "", "Authorization has been denied for this request."))
		return
	}
	if params["clientNamespace"] != Namespace {
		results(w, http.StatusBadRequest, arr, result("ERROR", "SYS_InvalidClientNamespace", "clientNamespace", "Unknown client namespace"))
		return
	}
	if err := fakekit.Validate(r, route, params, body); err != nil {
		results(w, http.StatusBadRequest, arr, result("ERROR", "SYS_DESERIALIZATION_ERROR", "", err.Error()))
		return
	}
	if s.throttled() {
		results(w, http.StatusTooManyRequests, arr, result("ERROR", "SYS_RateLimitExceeded", "", "The rate limit has been reached. Try again later."))
		return
	}
	fakekit.Serve(w, r, s.faults.Take(op), func(w http.ResponseWriter) {
		s.handle(w, r, op, params, body, arr)
		s.hooks.Deliver() // outside the lock, before the answer is complete
	})
}

// bareArray reports whether the contract gives this operation's 400 as a bare array.
func bareArray(op *openapi3.Operation) bool {
	if op.Responses == nil {
		return false
	}
	r := op.Responses.Value("400")
	if r == nil || r.Value == nil {
		return false
	}
	mt := r.Value.Content.Get("application/json")
	return mt != nil && mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Type.Is("array")
}

func (s *Server) throttled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit <= 0 {
		return false
	}
	if now := s.clk.Now(); now.Sub(s.window) >= time.Minute {
		s.window, s.inWindow = now, 0
	}
	s.inWindow++
	return s.inWindow > s.limit
}

func result(level, code, context, msg string) dayforce.ProcessResult {
	return dayforce.ProcessResult{Level: level, Code: code, Context: context, Message: msg}
}

// results writes a failure: {ProcessResults}, as the vendor document's 400 and 500
// examples have it (dayforce-openapi.yaml: no Data, whose Payload schema is a
// non-nullable object), or the bare array the contract gives for some endpoints.
func results(w http.ResponseWriter, status int, bare bool, rs ...dayforce.ProcessResult) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if bare {
		_ = json.NewEncoder(w).Encode(rs)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ProcessResults": rs})
}

// ok writes a success envelope; next, when not empty, is Paging.Next.
func ok(w http.ResponseWriter, data any, rs []dayforce.ProcessResult, paged bool, next string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if rs == nil {
		rs = []dayforce.ProcessResult{}
	}
	env := map[string]any{"Data": data, "ProcessResults": rs}
	if paged {
		env["Paging"] = map[string]string{"Next": next}
	}
	_ = json.NewEncoder(w).Encode(env)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	w.Header().Set("Content-Type", "application/json")
	if f.Get("grant_type") != "password" || f.Get("client_id") != dayforce.DefaultClientID {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"unsupported_grant_type"}`)
		return
	}
	if f.Get("companyId") != Namespace || f.Get("username") != Username || f.Get("password") != Password {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
		return
	}
	s.tokens.Grant(w, s.Now())
}

func (s *Server) authorized(r *http.Request) bool {
	if u, p, ok := r.BasicAuth(); ok {
		return u == Username && p == Password
	}
	return s.tokens.Bearer(r, s.Now())
}

// New starts a fake Dayforce outside a test (a program, an Example, a tool), with the
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
	s.Generic.Close()
	s.Hosts[0].Close()
	s.Hosts[1].Close()
}
