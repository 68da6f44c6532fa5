package geotab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/resilience"
)

// DefaultServer is the federation root of MyGeotab.
const DefaultServer = "my.geotab.com"

// Config holds a MyGeotab service account. MyGeotab has no OAuth: integrations log in
// as a service account and keep the session.
type Config struct {
	// Server is the federation root to authenticate against (default my.geotab.com),
	// a host name or, for a test server on loopback, its URL (as geotabtest's Config
	// gives it). Calls then go to the server Authenticate names (its "path").
	Server string
	// Database is the customer database, e.g. "acme".
	Database string
	// UserName and Password of the service account.
	UserName string
	Password string
}

// Validate reports every missing field at once.
func (c Config) Validate() error {
	var errs []error
	if c.Database == "" {
		errs = append(errs, errors.New("missing Database"))
	}
	if c.UserName == "" {
		errs = append(errs, errors.New("missing UserName"))
	}
	if c.Password == "" {
		errs = append(errs, errors.New("missing Password"))
	}
	if len(errs) > 0 {
		return &connectors.ConfigError{System: "geotab", Problems: errs}
	}
	return nil
}

// Client calls the MyGeotab API. It is safe for concurrent use.
type Client struct {
	cfg      Config
	end      connector.Endpoint // Base is the federation root; calls go to the session's server
	root     string             // host[:port] of the federation root
	store    SessionStore
	storeKey string
	authLim  *resilience.TokenBucket
	log      *slog.Logger
	clk      clock.Clock

	mu      sync.Mutex
	sess    *Session
	authTok chan struct{} // one login at a time; waiters give up with their context
}

// Option configures a [Client]. The options common to every connector have the same
// names in all six, but each connector's are its own type: another connector's
// option does not compile here.
type Option struct{ apply connector.Option }

// WithHTTPClient uses the transport of c as the base transport.
func WithHTTPClient(c *http.Client) Option { return Option{connector.WithHTTPClient(c)} }

// WithBaseURL sets the federation root as a URL (e.g. a geotabtest server's URL).
func WithBaseURL(u string) Option { return Option{connector.WithBaseURL(u)} }

// WithPolicy replaces the default resilience policy ([resilience.Standard]).
func WithPolicy(p resilience.Policy) Option { return Option{connector.WithPolicy(p)} }

// WithLogger sets the logger; records are redacted (no session ids, passwords, driver
// names or positions).
func WithLogger(l *slog.Logger) Option { return Option{connector.WithLogger(l)} }

// WithAuditor receives one audit event per operation.
func WithAuditor(a connectors.Auditor) Option { return Option{connector.WithAuditor(a)} }

// WithHooks sets the resilience layer's metrics and tracing hooks.
func WithHooks(h resilience.Hooks) Option { return Option{connector.WithHooks(h)} }

// WithLimiter replaces the client-side rate limiter, e.g. with one shared by replicas.
func WithLimiter(l resilience.Limiter) Option { return Option{connector.WithLimiter(l)} }

// WithClock sets the clock behind every wait (for tests).
func WithClock(c clock.Clock) Option { return Option{connector.WithClock(c)} }

// WithTelemetry traces and measures every operation and attempt (see package
// github.com/dispatchcenter/connectors/otel for OpenTelemetry).
func WithTelemetry(t resilience.Telemetry) Option { return Option{connector.WithTelemetry(t)} }

// WithSessionStore shares the session with other processes (MyGeotab keeps at most 100
// sessions per user: replicas that each log in evict each other's sessions).
func WithSessionStore(s SessionStore) Option {
	return Option{func(o *connector.Options) { o.Extra = append(o.Extra, s) }}
}

// personal names the fields that identify drivers or tie positions to them.
var personal = []string{"firstName", "lastName", "name", "phoneNumber", "employeeNo", "licenseNumber",
	"latitude", "longitude", "userName", "database"}

// New returns a client for cfg. It does not log in: the first call does.
func New(cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := connector.Apply(opts, func(o Option) connector.Option { return o.apply })
	server := cfg.Server
	if server == "" {
		server = DefaultServer
	}
	raw := "https://" + server
	if strings.Contains(server, "://") {
		raw = server
	}
	if o.BaseURL != "" {
		raw = o.BaseURL
	}
	base, err := connector.ParseBaseURL(raw)
	if err != nil {
		return nil, &connectors.ConfigError{System: "geotab", Problems: []error{err}}
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	hc, err := connector.Build(connector.Stack{
		System: "geotab", Policy: resilience.Standard(), Check: checkResponse, Personal: personal,
	}, o, base)
	if err != nil {
		return nil, fmt.Errorf("geotab: %w", err)
	}
	c := &Client{
		cfg: cfg, root: base.Host,
		end: connector.Endpoint{Auditor: connector.Auditor{System: "geotab", A: o.Auditor, Clock: clk}, HTTP: hc, Base: base,
			Refused: refused},
		// never more than 10 Authenticate calls a minute (the vendor's limit)
		authLim: resilience.NewTokenBucket(resilience.LimitPolicy{Requests: 10, Per: time.Minute, Burst: 1}, clk),
		log:     redact.Logger(o.Logger, personal...),
		clk:     clk, authTok: make(chan struct{}, 1), storeKey: base.Host + "/" + cfg.Database + "/" + cfg.UserName,
	}
	for _, x := range o.Extra {
		if s, ok := x.(SessionStore); ok {
			c.store = s
		}
	}
	return c, nil
}

// Health reports the health of the connection to MyGeotab.
func (c *Client) Health() resilience.Health { return c.end.HTTP.Health() }

// Session is a logged-in MyGeotab session: the credentials to send (with the session
// id, never the password) and the server calls go to.
type Session struct {
	Credentials Credentials `json:"credentials"`
	// Server is the host[:port] calls are sent to.
	Server string `json:"server"`
}

// SessionStore shares a session between processes, as opaque bytes (the client's own
// encoding of a [Session]: it holds the session id, a secret, so keep the store
// private). A store of bytes needs nothing of this package: resilience/redisstate's
// is one. Implementations must be safe for concurrent use.
type SessionStore interface {
	// Load returns what Save stored under key, or nil, nil when there is nothing.
	Load(ctx context.Context, key string) ([]byte, error)
	// Save stores session under key.
	Save(ctx context.Context, key string, session []byte) error
}

// SessionLocker is implemented by a [SessionStore] shared by several processes that can
// also lock a key for a short while: the client then logs in under the lock, so of
// many replicas finding no valid session, one logs in and the others take over its
// session (MyGeotab allows 100 sessions per user). A lock that cannot be taken (the
// store is down) is logged and the client logs in without it.
type SessionLocker interface {
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// MemorySessionStore is an in-process [SessionStore] (several clients of one process
// can share it).
type MemorySessionStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

// Load returns the stored session for key, or nil.
func (m *MemorySessionStore) Load(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.m[key]), nil
}

// Save stores session under key.
func (m *MemorySessionStore) Save(_ context.Context, key string, session []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string][]byte)
	}
	m.m[key] = bytes.Clone(session)
	return nil
}

// loadShared reads the shared session (nil when there is none or it does not decode).
func (c *Client) loadShared(ctx context.Context) (*Session, error) {
	b, err := c.store.Load(ctx, c.storeKey)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("geotab: the shared session does not decode: %w", err)
	}
	return &s, nil
}

// saveShared shares s.
func (c *Client) saveShared(ctx context.Context, s *Session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.store.Save(ctx, c.storeKey, b)
}

// session returns the current session, logging in if there is none.
func (c *Client) session(ctx context.Context) (*Session, error) {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return c.relogin(ctx, nil)
}

// relogin replaces the stale session (nil: none yet). Concurrent callers wait for one
// login and share its result; a session stored by another process is taken over
// instead of logging in again.
func (c *Client) relogin(ctx context.Context, stale *Session) (*Session, error) {
	select {
	case c.authTok <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.authTok }()
	c.mu.Lock()
	cur := c.sess
	c.mu.Unlock()
	if cur != nil && cur != stale {
		return cur, nil // someone else logged in while we waited
	}
	if l, ok := c.store.(SessionLocker); ok {
		unlock, err := l.Lock(ctx, c.storeKey)
		if err != nil {
			c.log.Warn("geotab: locking the shared session failed; logging in without the lock", "error", err)
		} else {
			defer unlock()
		}
	}
	if c.store != nil {
		if s, err := c.loadShared(ctx); err == nil && s != nil && (stale == nil || s.Credentials.SessionID != stale.Credentials.SessionID) {
			c.setSession(s)
			return s, nil
		}
	}
	s, err := c.authenticate(ctx)
	if err != nil {
		return nil, err
	}
	c.setSession(s)
	if c.store != nil {
		if err := c.saveShared(ctx, s); err != nil {
			c.log.Warn("geotab: saving the session failed", "error", err)
		}
	}
	return s, nil
}

func (c *Client) setSession(s *Session) {
	c.mu.Lock()
	c.sess = s
	c.mu.Unlock()
}

// authenticate logs in against the federation root and resolves "path".
func (c *Client) authenticate(ctx context.Context) (*Session, error) {
	if err := c.authLim.Wait(ctx); err != nil {
		return nil, &connectors.APIError{System: "geotab", Operation: "Authenticate", Kind: connectors.ErrRateLimited,
			Message: "more than 10 logins a minute would be needed", Err: err}
	}
	var lr LoginResult
	params := AuthenticateParams{Database: c.cfg.Database, UserName: c.cfg.UserName, Password: c.cfg.Password}
	if _, err := c.rpc(resilience.Idempotent(ctx), c.root, "Authenticate", "Authenticate", params, &lr); err != nil {
		return nil, err
	}
	s := &Session{Credentials: lr.Credentials, Server: c.root}
	if lr.Path != "" && !strings.EqualFold(lr.Path, "ThisServer") {
		s.Server = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(lr.Path, "https://"), "http://"), "/apiv1")
	}
	s.Credentials.Password = ""
	c.log.Info("geotab: logged in", "server", s.Server)
	return s, nil
}

// isRead reports whether a method is safe to retry: MyGeotab's reads, its Get…
// methods (Get, GetFeed, GetCountOf, GetAddresses, …), and Set and Remove, which are
// idempotent by nature. Add and ExecuteMultiCall (which may hold writes) are not.
func isRead(method string) bool {
	return method == "Set" || method == "Remove" || strings.HasPrefix(method, "Get")
}

// call runs one authenticated method: it sends the session's credentials, and on
// InvalidUserException (expired session, database moved) logs in again once and
// repeats the call; a second refusal is connectors.ErrUnauthorized.
func (c *Client) call(ctx context.Context, op, method string, params func(Credentials) any, out any) error {
	if !isRead(method) {
		// Add, Set and Remove take no idempotency key: a lost answer is
		// ErrOutcomeUnknown, settled by reading (see AddZone)
		ctx = connector.Mutation(ctx, "")
	}
	_, err := c.end.Audited(ctx, op, connectors.ClassInternal, nil, func(ctx context.Context) (*http.Response, error) {
		return c.callOnce(ctx, op, method, params, out)
	})
	return err
}

func (c *Client) callOnce(ctx context.Context, op, method string, params func(Credentials) any, out any) (*http.Response, error) {
	if isRead(method) {
		ctx = resilience.Idempotent(ctx)
	}
	s, err := c.session(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.rpc(ctx, s.Server, op, method, params(s.Credentials), out)
	var ge *Error
	if !errors.As(err, &ge) || ge.Exception != ExInvalidUser {
		return resp, err
	}
	c.log.Info("geotab: session refused, logging in again", "server", s.Server)
	if s, err = c.relogin(ctx, s); err != nil {
		return nil, err
	}
	return c.rpc(ctx, s.Server, op, method, params(s.Credentials), out)
}

type rpcRequest struct {
	Method string `json:"method"`
	Params any    `json:"params"`
}

type rpcResponse struct {
	Result any       `json:"result"`
	Error  *RPCError `json:"error"`
}

// rpc sends one JSON-RPC request to server and decodes the result into out in one
// pass. A MyGeotab exception (in the answer, or found by the response check that
// decides the retries) is returned as an [*Error].
func (c *Client) rpc(ctx context.Context, server, op, method string, params, out any) (*http.Response, error) {
	u := url.URL{Scheme: c.end.Base.Scheme, Host: server, Path: "/apiv1"}
	env := rpcResponse{Result: out}
	resp, err := c.end.Exchange(ctx, connector.Request{Op: op, Method: http.MethodPost, URL: u.String(),
		Body: rpcRequest{Method: method, Params: params}}, &env)
	var ge *Error
	switch {
	case errors.As(err, &ge):
		// ge already sits inside err; pointing back at err would make a cycle
		_, ge.Attempts = connector.CallInfo(err)
		ge.Operation = op
		return resp, ge
	case err != nil:
		return resp, err
	case env.Error != nil:
		return resp, newError(op, env.Error, resp.Header)
	}
	return resp, nil
}

// refused maps an answer other than 200: MyGeotab answers its errors in a 200's
// envelope, so another status comes from in front of it (a proxy, a load balancer),
// and the start of its body is all there is to say.
func refused(op string, status int, body []byte, _ http.Header) *connectors.APIError {
	return &connectors.APIError{System: "geotab", Operation: op, StatusCode: status,
		Message: redact.String(strings.TrimSpace(string(body[:min(len(body), 512)]))), Retryable: status >= 500 || status == http.StatusTooManyRequests}
}
