package resilience

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/redact"
	"strconv"
)

// Client sends HTTP requests through the policy's layers. It is safe for concurrent
// use, and its Do method makes it an oapi-codegen HttpRequestDoer.
//
// The order of the layers is fixed by construction:
//
//	once per call:    cache lookup → call timeout → bulkhead → retry loop (go-retryablehttp)
//	once per attempt: breaker (per host; a call's failures count once) → rate limiter → attempt timeout
//	                  → attempt middleware (auth, User-Agent, …) → base transport
//
// so the breaker never counts a request the limiter held back, the limiter never
// waits past the call's deadline, retries re-run the auth layer (fresh tokens), and
// local rejections (breaker open, limiter, bulkhead) are never retried.
type Client struct {
	name      string
	p         Policy
	rc        *retryablehttp.Client
	breakers  *breakers
	limiter   Limiter
	bulkhead  *bulkhead
	cache     *cache
	stats     stats
	clk       clock.Clock
	log       *slog.Logger
	hooks     Hooks
	rnd       func() float64
	retryCode []int // the statuses that are retried
	maxRA     time.Duration
	telemetry Telemetry
	std       *http.Client
	check     func(*http.Response) error
}

// Option configures a [Client].
type Option func(*options)

type options struct {
	name    string
	base    http.RoundTripper
	mws     []func(http.RoundTripper) http.RoundTripper
	log     *slog.Logger
	hooks   Hooks
	clk     clock.Clock
	limiter Limiter
	rnd     func() float64
	redir   func(req *http.Request, via []*http.Request) error
	check   func(*http.Response) error
	// telemetry: see WithTelemetry
	telemetry Telemetry
}

// WithName names the client (the connector's system) in logs, hooks and [Health].
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithTransport sets the pooled base transport that sends each attempt. The default
// is a clone of http.DefaultTransport. The client never closes its idle connections.
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.base = rt } }

// WithAttemptMiddleware adds layers that run on every attempt, just above the base
// transport (auth, User-Agent, request signing). The first given is the outermost.
func WithAttemptMiddleware(mw ...func(http.RoundTripper) http.RoundTripper) Option {
	return func(o *options) { o.mws = append(o.mws, mw...) }
}

// WithLogger sets the logger; every record goes through the redacting handler. By
// default the client is silent.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithHooks sets the observation hooks.
func WithHooks(h Hooks) Option { return func(o *options) { o.hooks = h } }

// WithClock sets the clock used for backoff waits, breaker windows, limiter and
// bulkhead waits. Deadlines (the call timeout, the attempt timeout and the caller's
// context) run in real time: on a fake clock a 15 s backoff takes no time and uses up
// no deadline, and calls that share the clock never time each other out when one of
// them sleeps.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clk = c } }

// WithLimiter replaces the policy's token bucket with l (for a limiter shared across
// replicas).
func WithLimiter(l Limiter) Option { return func(o *options) { o.limiter = l } }

// WithRand sets the source of jitter (uniform in [0, 1)); for deterministic tests.
func WithRand(f func() float64) Option { return func(o *options) { o.rnd = f } }

// WithRedirectPolicy sets how redirects are followed (see http.Client.CheckRedirect);
// by default Go's policy applies (up to 10, credentials dropped across hosts).
func WithRedirectPolicy(f func(req *http.Request, via []*http.Request) error) Option {
	return func(o *options) { o.redir = f }
}

// WithResponseCheck inspects every response the retry layer would otherwise accept
// (for vendors that report failures inside a 200, such as MyGeotab's
// OverLimitException). A returned error that implements [Retryable] and reports true
// is retried like a retryable status: with backoff, Retry-After as a floor, within the
// deadline, and only for idempotent calls. Any other error ends the call as its cause.
// The check may read the body but must leave resp.Body readable from the start.
func WithResponseCheck(f func(resp *http.Response) error) Option {
	return func(o *options) { o.check = f }
}

// DefaultMaxRetryAfter is the longest server-requested wait a call honours by default.
const DefaultMaxRetryAfter = 30 * time.Second

var defaultRetryable = []int{408, 429, 500, 502, 503, 504}

// New builds a client for p. It reports every problem of p at once.
func New(p Policy, opts ...Option) (*Client, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	c := &Client{name: o.name, p: p, clk: o.clk, hooks: o.hooks, rnd: o.rnd, maxRA: p.Retry.MaxRetryAfter, check: o.check, telemetry: o.telemetry}
	if o.telemetry != nil {
		c.hooks = join(o.hooks, o.telemetry.Hooks())
		o.mws = append([]func(http.RoundTripper) http.RoundTripper{o.telemetry.Transport}, o.mws...)
	}
	if c.clk == nil {
		c.clk = clock.Real{}
	}
	if c.rnd == nil {
		c.rnd = rand.Float64
	}
	if c.maxRA == 0 {
		c.maxRA = DefaultMaxRetryAfter
	}
	c.log = redact.Logger(o.log)
	c.retryCode = p.Retry.RetryableStatus
	if c.retryCode == nil {
		c.retryCode = defaultRetryable
	}
	if p.Breaker.FailureThreshold > 0 {
		c.breakers = newBreakers(p.Breaker, c.clk, c.onBreakerChange)
	}
	switch {
	case o.limiter != nil:
		c.limiter = o.limiter
	case p.Limit.Requests > 0:
		c.limiter = NewTokenBucket(p.Limit, c.clk)
	}
	if p.Bulkhead.MaxConcurrent > 0 {
		c.bulkhead = newBulkhead(p.Bulkhead, c.clk)
	}
	if p.Cache.MaxEntries > 0 {
		c.cache = newCache(p.Cache)
	}
	base := o.base
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	for i := len(o.mws) - 1; i >= 0; i-- {
		base = o.mws[i](base)
	}
	c.rc = &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: &attemptTransport{c: c, next: base}, CheckRedirect: o.redir},
		RetryMax:     1 << 30, // the client counts attempts itself, per call
		CheckRetry:   c.checkRetry,
		Backoff:      noBackoff, // the wait happens in checkRetry, which sees the context
		ErrorHandler: passthrough,
	}
	c.std = &http.Client{Transport: doer{c}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c, nil
}

func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

func passthrough(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err }

// HTTPClient returns an *http.Client that sends through c, for libraries that want
// one. Redirects are followed inside c.
func (c *Client) HTTPClient() *http.Client { return c.std }

type doer struct{ c *Client }

func (d doer) RoundTrip(req *http.Request) (*http.Response, error) { return d.c.Do(req) }

// errStop tells the retry loop that checkRetry decided to stop for a reason recorded in
// the call state.
var errStop = errors.New("resilience: stop")

type stateKey struct{}

// callState is the per-call state. Its context carries it as a value, so
// go-retryablehttp's CheckRetry and the per-attempt transport both find it.
type callState struct {
	// ctx is the call's context: the caller's, with the state and the call timeout
	// (context.WithTimeout: the caller's deadline still holds when it is earlier).
	ctx context.Context
	// cancel ends ctx; nil when the call has no context of its own (no timeout, and
	// attempts that run on the request's context as it is)
	cancel     context.CancelFunc
	rreq       retryablehttp.Request // what the retry loop sends; no allocation of its own
	route      string
	maxRetries int
	attempts   int
	stop       error // reason sentinel when checkRetry stopped
	stopErr    error // context error when the wait was cut short
	retryAfter time.Duration
	lastErr    error
	lastResp   *http.Response
	last       *Response
	body       io.ReadCloser // the response body, when st wraps it
	idempotent bool
	// sent counts the requests written to a connection (httptrace's WroteHeaders),
	// net/http's own re-sends on a dead reused connection included
	sent atomic.Int32
	// lastSentErr is the error of the last attempt that reached the network, kept for
	// a call that the breaker or limiter then stops: it is the call's cause
	lastSentErr error
	// breakerFailed: the breaker has counted this call's failure already
	breakerFailed bool
}

// Read reads the wrapped response body.
func (s *callState) Read(p []byte) (int, error) { return s.body.Read(p) }

// Close closes the wrapped response body and releases the call's timeout.
func (s *callState) Close() error {
	err := s.body.Close()
	s.release()
	return err
}

// release ends the call's own context, and with it every attempt's.
func (s *callState) release() {
	if s.cancel != nil {
		s.cancel()
	}
}

// over reports whether the call itself is done: its caller cancelled it, or its
// deadline or its caller's passed. An attempt timeout alone does not end it.
func (s *callState) over() bool { return s.ctx.Err() != nil }

func stateFrom(ctx context.Context) *callState {
	s, _ := ctx.Value(stateKey{}).(*callState)
	return s
}

func idempotentMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// Do sends req through the layers (see [Client]). It answers every failure in one
// shape:
//
//   - an answer the policy does not retry (2xx, 3xx, 4xx other than 408 and 429,
//     501, …) is returned as the response, with a nil error, as http.Client.Do does;
//   - everything else is a [*CallError] with a nil response: no answer came back (the
//     network failed, a deadline passed), a layer refused the call (breaker, limiter,
//     bulkhead), or the last answer had a status the policy retries (408, 429, 500,
//     502, 503, 504) and no retry follows, whatever the reason (the retries ran out,
//     the request is not idempotent, the Retry-After is too long, the deadline is
//     near). That answer is in [CallError.Response] (status, headers, the first 8 KiB
//     of the body).
//
// When the cache holds a good response for a failed GET, that response is returned
// instead, marked stale (see [IsStale]).
//
// Like http.Client.Do, Do does not modify req, and the caller must close the
// response body; the call timeout keeps running until it is closed.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	o := overridesFrom(ctx)
	start := c.clk.Now()
	route := req.URL.Path
	if o != nil && o.route != "" {
		route = o.route
	}

	var ckey string
	var ttl time.Duration
	if c.cache != nil && req.Method == http.MethodGet {
		if ttl = c.cache.ttl(req, o); ttl >= 0 {
			ckey = cacheKey(req)
			if ttl > 0 {
				if resp := c.cache.lookup(ckey, start, false); resp != nil {
					c.finish(req, o, route, 0, 0, resp, nil, start)
					return resp, nil
				}
			}
		}
	}

	st := &callState{route: route, maxRetries: c.p.Retry.MaxRetries}
	st.ctx = context.WithValue(ctx, stateKey{}, st)
	timeout := c.p.Timeout
	if o != nil && o.timeoutSet {
		timeout = o.timeout
	}
	switch {
	case timeout > 0: // a context deadline: real time, whatever the client's clock
		st.ctx, st.cancel = context.WithTimeout(st.ctx, timeout)
	case c.p.AttemptTimeout > 0: // so that the attempts' contexts end with the call
		st.ctx, st.cancel = context.WithCancel(st.ctx)
	}

	if c.bulkhead != nil && !c.bulkhead.tryAcquire() {
		if err := c.bulkhead.acquire(st.ctx); err != nil {
			ce := &CallError{Method: req.Method, URL: redact.URL(req.URL), Err: err}
			if errors.Is(err, context.DeadlineExceeded) {
				ce.Reason = connectors.ErrTimeout
			}
			return c.fallback(req, o, route, ckey, ce, start, st)
		}
	}
	if c.bulkhead != nil {
		defer c.bulkhead.release()
	}

	st.idempotent = idempotentMethod(req.Method) || req.Header.Get(IdempotencyKeyHeader) != ""
	if o != nil {
		st.idempotent = st.idempotent || o.idempotent
		if o.maxRetriesSet {
			st.maxRetries = o.maxRetries
		}
		if o.noRetry {
			st.maxRetries = 0
		}
	}

	if err := c.wrap(req, st); err != nil {
		st.release()
		return nil, &CallError{Method: req.Method, URL: redact.URL(req.URL), Err: redact.Error(err)}
	}
	resp, err := c.rc.Do(&st.rreq)
	if err != nil {
		return c.fallback(req, o, route, ckey, c.callError(st, req, resp, err), start, st)
	}
	if resp.StatusCode >= 500 && ckey != "" {
		if stale := c.cache.lookup(ckey, c.clk.Now(), true); stale != nil {
			drainClose(resp.Body)
			st.release()
			c.warnStale(req, route, resp.StatusCode, nil)
			c.finish(req, o, route, st.attempts, int(st.sent.Load()), stale, nil, start)
			return stale, nil
		}
	}
	if c.retryStatus(resp.StatusCode) {
		// a status the policy retries, not retried (not idempotent, or the deadline
		// ended the loop): a failure, in the same shape as one whose retries ran out
		ce := c.callError(st, req, resp, nil)
		if st.over() { // the loop stopped for the deadline or the caller
			ce.Err = st.ctx.Err()
			if errors.Is(ce.Err, context.DeadlineExceeded) {
				ce.Reason = connectors.ErrTimeout
			}
		}
		return c.fallback(req, o, route, ckey, ce, start, st)
	}
	if ckey != "" && resp.StatusCode == http.StatusOK {
		resp = c.cache.store(ckey, resp, ttl, c.clk.Now())
	}
	if st.cancel != nil {
		// the call state doubles as the body wrapper that releases the call's context
		// on Close, which saves an allocation per call
		st.body = resp.Body
		resp.Body = st
	}
	c.finish(req, o, route, st.attempts, int(st.sent.Load()), resp, nil, start)
	return resp, nil
}

// wrap builds the go-retryablehttp request, in the call state. A request without a
// body has nothing to replay; a body with GetBody (bytes, strings, buffers as set by
// http.NewRequest) is replayed through GetBody without buffering; any other body is
// read into memory once so every attempt can replay it.
func (c *Client) wrap(req *http.Request, st *callState) error {
	hreq := req.WithContext(st.ctx)
	rreq := &st.rreq
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		rreq.Request = hreq
	case req.GetBody == nil:
		r, err := retryablehttp.FromRequest(hreq)
		if err != nil {
			return err
		}
		*rreq = *r
	default:
		hreq.Body = nil
		rreq.Request = hreq
		getBody := req.GetBody
		if err := rreq.SetBody(retryablehttp.ReaderFunc(func() (io.Reader, error) { return getBody() })); err != nil {
			return err
		}
		rreq.ContentLength = req.ContentLength
	}
	if c.check != nil {
		rreq.SetResponseHandler(c.check)
	}
	return nil
}

func (c *Client) fallback(req *http.Request, o *overrides, route, ckey string, ce *CallError, start time.Time, st *callState) (*http.Response, error) {
	st.release()
	if ckey != "" {
		if stale := c.cache.lookup(ckey, c.clk.Now(), true); stale != nil {
			c.warnStale(req, route, 0, ce)
			c.finish(req, o, route, ce.Attempts, ce.Sent, stale, nil, start)
			return stale, nil
		}
	}
	c.finish(req, o, route, ce.Attempts, ce.Sent, nil, ce, start)
	return nil, ce
}

func (c *Client) warnStale(req *http.Request, route string, status int, err error) {
	if c.log.Enabled(context.Background(), slog.LevelWarn) {
		c.log.Warn("serving stale response", "client", c.name, "method", req.Method, "host", req.URL.Host,
			"route", route, "status", status, "error", err)
	}
}

func (c *Client) callError(st *callState, req *http.Request, resp *http.Response, err error) *CallError {
	ce := &CallError{Method: req.Method, URL: redact.URL(req.URL), Attempts: st.attempts, Sent: int(st.sent.Load()), RetryAfter: st.retryAfter}
	if errors.Is(err, ErrRejected) && st.lastSentErr != nil {
		// the breaker opened, or the limiter ran out, after attempts that failed on the
		// network: those failures are the cause, the rejection only why retrying stopped
		var rj *rejection
		if errors.As(err, &rj) {
			ce.Reason = rj.sentinel
		}
		ce.Err = redact.Error(st.lastSentErr)
		ce.Response = st.last
		return ce
	}
	if errors.Is(err, errStop) {
		ce.Reason = st.stop
		if st.stopErr != nil {
			ce.Err = st.stopErr
			if errors.Is(st.stopErr, context.DeadlineExceeded) {
				ce.Reason = connectors.ErrTimeout
			}
		} else {
			ce.Err = redact.Error(st.lastErr)
		}
	} else {
		ce.Err = redact.Error(err)
		if errors.Is(err, context.DeadlineExceeded) && st.over() {
			ce.Reason = connectors.ErrTimeout
		}
	}
	if resp != nil {
		ce.Response = snapshot(resp)
		if ce.RetryAfter == 0 { // an answer not retried: its hint is for the caller
			ce.RetryAfter = ParseRetryAfter(resp.Header, c.clk.Now())
		}
	} else {
		ce.Response = st.last
	}
	return ce
}

// checkRetry is go-retryablehttp's CheckRetry. It classifies the attempt's outcome,
// enforces the per-call retry count, the Retry-After cap and the deadline, and waits
// the backoff itself (Backoff sees neither the context nor the error; this hook sees
// both), so no wait ever passes the deadline.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	if st == nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	// go-retryablehttp asks twice about an attempt whose response went through the
	// response check (once plainly, once with the check's error): count it once
	if resp == nil || resp != st.lastResp {
		st.attempts++
	}
	st.lastResp = resp
	st.lastErr = err
	if st.over() || !c.retryable(st, resp, err) {
		return false, nil
	}
	if st.attempts > st.maxRetries {
		st.stop = ErrRetriesExhausted
		return false, errStop
	}
	now := c.clk.Now()
	var ra time.Duration
	if resp != nil {
		ra = ParseRetryAfter(resp.Header, now)
	}
	st.retryAfter = ra
	if ra > c.maxRA {
		st.stop = ErrRetryAfterTooLong
		return false, errStop
	}
	var wait time.Duration
	if b := c.p.Retry.Backoff; b != nil {
		wait = b.Delay(st.attempts, c.rnd())
	}
	if wait < ra {
		wait = ra // the server's hint is a floor, never jittered below
	}
	if dl, ok := ctx.Deadline(); ok && wait >= time.Until(dl) {
		st.stop = connectors.ErrTimeout
		return false, errStop
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
		// keep what the response said, and free its connection during the wait
		st.last = snapshot(resp)
	}
	if c.hooks.OnRetry != nil {
		c.hooks.OnRetry(RetryInfo{Method: st.rreq.Method, Host: st.rreq.URL.Host, Route: st.route, Attempt: st.attempts,
			StatusCode: status, Err: redact.Error(err), Wait: wait, RetryAfter: ra})
	}
	if c.log.Enabled(ctx, slog.LevelInfo) {
		c.log.Info("retrying", "client", c.name, "method", st.rreq.Method, "host", st.rreq.URL.Host, "route", st.route,
			"attempt", st.attempts, "status", status, "error", redact.Error(err), "wait", wait)
	}
	if wait > 0 {
		if err := c.clk.Sleep(ctx, wait); err != nil {
			st.stopErr = err
			return false, errStop
		}
	}
	return true, nil
}

func (c *Client) retryStatus(code int) bool {
	return slices.Contains(c.retryCode, code)
}

// retryable classifies one attempt's outcome.
func (c *Client) retryable(st *callState, resp *http.Response, err error) bool {
	if err == nil {
		return c.retryStatus(resp.StatusCode) && st.idempotent
	}
	if errors.Is(err, ErrRejected) || errors.Is(err, context.Canceled) || Permanent(err) {
		return false // permanent first: a layer saying "retryable" cannot fix a refused certificate
	}
	var r Retryable
	if errors.As(err, &r) {
		if resp != nil { // from the response check: the request was received
			return r.Retryable() && st.idempotent
		}
		return r.Retryable()
	}
	return st.idempotent || NotSent(err)
}

// refusedAlerts are the TLS alerts of a server refusing this side's certificate or
// protocol version: another attempt presents the same and is refused the same way.
var refusedAlerts = []string{"bad certificate", "unsupported certificate", "revoked certificate", "expired certificate",
	"unknown certificate", "unknown certificate authority", "access denied", "certificate required",
	"protocol version not supported", "insufficient security level"}

// Permanent reports transport errors that retrying cannot fix: certificate problems on
// either side, unsupported schemes, redirect loops.
func Permanent(err error) bool {
	var (
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
	)
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cve) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil && slices.Contains(refusedAlerts, strings.TrimPrefix(op.Err.Error(), "tls: ")) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects")
}

// NotSent reports whether err proves the request never reached the server, so even a
// non-idempotent request may be sent again: the dial failed (refused, unreachable,
// timed out), the name did not resolve, or the TLS handshake failed.
func NotSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return true
	}
	var alert tls.AlertError
	return errors.As(err, &alert)
}

// attemptTransport runs once per attempt: breaker, limiter, attempt timeout, then the
// middleware and base transport. It deliberately has no CloseIdleConnections method,
// so go-retryablehttp's pool flush after a failed call is a no-op.
type attemptTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	st := stateFrom(ctx)
	observe := c.hooks.OnAttempt != nil || c.log.Enabled(ctx, slog.LevelDebug)
	start := c.clk.Now()
	var br *breaker
	var probe bool
	if c.breakers != nil {
		br = c.breakers.get(req.URL.Host)
		var err error
		if probe, err = br.allow(); err != nil {
			c.attemptDone(observe, st, req, nil, err, start)
			return nil, err
		}
	}
	if c.limiter != nil {
		waited, err := c.limit(ctx)
		if c.hooks.OnLimiterWait != nil && (waited > 0 || err != nil) {
			lw := LimiterWait{Host: req.URL.Host, Waited: waited, Err: err}
			if st != nil {
				lw.Route = st.route
			}
			c.hooks.OnLimiterWait(lw)
		}
		if err != nil {
			if br != nil {
				br.done(probe, outcomeIgnore)
			}
			c.attemptDone(observe, st, req, nil, err, start)
			return nil, err
		}
	}
	var resp *http.Response
	var err error
	before := int32(0)
	if st != nil {
		before = st.sent.Load()
		resp, err = t.send(req, st)
	} else {
		resp, err = t.next.RoundTrip(req)
	}
	if st != nil && err != nil && st.sent.Load() > before {
		st.lastSentErr = err
	}
	if br != nil {
		o := classify(ctx, resp, err)
		if o == outcomeFailure && !probe && st != nil {
			// a call counts once in the closed state (BreakerPolicy.FailureThreshold)
			if st.breakerFailed {
				o = outcomeIgnore
			}
			st.breakerFailed = true
		}
		br.done(probe, o)
	}
	c.attemptDone(observe, st, req, resp, err, start)
	return resp, err
}

// send sends one attempt of a call. With an attempt timeout, the attempt has a
// context of its own, a child of the call's (which ends it with the call), bounded
// until its response headers arrive, in real time: a timer cancels it; once the
// headers are in, the timer is stopped, so a body still being read is never cut off.
func (t *attemptTransport) send(req *http.Request, st *callState) (*http.Response, error) {
	c := t.c
	d := c.p.AttemptTimeout
	if d <= 0 {
		// the call's context, when it has one of its own, is the one to end
		end := func(error) {}
		if st.cancel != nil {
			end = func(error) { st.cancel() }
		}
		return t.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), c.sendTrace(req.Context(), end, st))))
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	req = req.WithContext(httptrace.WithClientTrace(ctx, c.sendTrace(ctx, cancel, st)))
	timer := time.AfterFunc(d, func() { cancel(errAttemptCancelled) })
	resp, err := t.next.RoundTrip(req)
	if timer.Stop() {
		return resp, err
	}
	cancel(errAttemptCancelled) // the timer's goroutine may not have run yet
	if resp != nil {
		_ = resp.Body.Close()
	}
	return nil, &attemptTimeoutError{d: d}
}

// errAttemptCancelled is the cause of an attempt's context ended by the attempt timeout.
var errAttemptCancelled = errors.New("resilience: attempt timeout")

// sendTrace counts every request an attempt writes to a connection and holds
// net/http's own re-sends to the rate budget. net/http sends an idempotent request
// again by itself when a reused connection dies before the answer (see
// http.Transport's retry of replayable requests): that send bypasses the retry loop,
// so it is seen here. Each request written counts in [CallError.Sent] and the call's
// [CallInfo.Sent]; a re-send within one attempt first waits for the limiter (GetConn
// runs before a connection is taken for it) and, when the limiter refuses, end ends
// the attempt's context (ctx) so that the re-send fails instead of passing the
// budget (a call with no context of its own, no deadline of either kind, cannot be
// ended, and sends).
func (c *Client) sendTrace(ctx context.Context, end func(error), st *callState) *httptrace.ClientTrace {
	tries := 0 // GetConn runs on the attempt's goroutine, once per try of the transport
	return &httptrace.ClientTrace{
		GetConn: func(string) {
			tries++
			if tries == 1 || c.limiter == nil {
				return
			}
			if err := c.limiter.Wait(ctx); err != nil {
				end(err)
			}
		},
		WroteHeaders: func() { st.sent.Add(1) },
	}
}

// limit waits on the limiter and returns how long it waited.
func (c *Client) limit(ctx context.Context) (time.Duration, error) {
	if tb, ok := c.limiter.(*TokenBucket); ok {
		return tb.wait(ctx)
	}
	start := c.clk.Now()
	err := c.limiter.Wait(ctx)
	return c.clk.Now().Sub(start), err
}

// classify tells the breaker what an attempt means: 5xx, timeouts and connection
// errors are failures; 4xx and successes are successes (the host answered); local
// rejections and the caller's own cancellations are ignored.
func classify(ctx context.Context, resp *http.Response, err error) outcome {
	if err != nil {
		if errors.Is(err, ErrRejected) || errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
			return outcomeIgnore
		}
		return outcomeFailure
	}
	if resp.StatusCode >= 500 {
		return outcomeFailure
	}
	return outcomeSuccess
}

func (c *Client) attemptDone(observe bool, st *callState, req *http.Request, resp *http.Response, err error, start time.Time) {
	if !observe {
		return
	}
	hook := c.hooks.OnAttempt != nil
	logOn := c.log.Enabled(req.Context(), slog.LevelDebug)
	info := AttemptInfo{Method: req.Method, Host: req.URL.Host, Route: req.URL.Path, Err: redact.Error(err), Duration: c.clk.Now().Sub(start)}
	if st != nil {
		info.Route, info.Attempt = st.route, st.attempts+1
	}
	if resp != nil {
		info.StatusCode = resp.StatusCode
	}
	if hook {
		c.hooks.OnAttempt(info)
	}
	if logOn {
		c.log.Debug("attempt", "client", c.name, "method", info.Method, "host", info.Host, "route", info.Route,
			"attempt", info.Attempt, "status", info.StatusCode, "error", info.Err, "duration", info.Duration)
	}
}

func (c *Client) finish(req *http.Request, o *overrides, route string, attempts, sent int, resp *http.Response, err error, start time.Time) {
	if resp != nil {
		resp.Header.Set(AttemptsHeader, strconv.Itoa(attempts))
	}
	d := c.clk.Now().Sub(start)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	var cached string
	if c.cache != nil {
		cached = cacheState(resp)
	}
	stale := cached == "stale"
	failed := err != nil || status >= 500 || stale
	unavailable := status >= 500 || stale || err != nil && (errors.Is(err, connectors.ErrCircuitOpen) || !errors.Is(err, ErrRejected) && !errors.Is(err, context.Canceled))
	if cached != "hit" { // fresh cache hits say nothing about the vendor
		c.stats.record(start, d, failed, unavailable)
	}
	if c.hooks.OnCall != nil {
		c.hooks.OnCall(CallInfo{Method: req.Method, Host: req.URL.Host, Route: route, Attempts: attempts, Sent: sent,
			StatusCode: status, Err: err, Duration: d, Cache: cached})
	}
	if err != nil && c.log.Enabled(req.Context(), slog.LevelWarn) {
		c.log.Warn("call failed", "client", c.name, "method", req.Method, "host", req.URL.Host, "route", route,
			"attempts", attempts, "error", err, "duration", d)
	}
}

func (c *Client) onBreakerChange(ch BreakerChange) {
	if c.hooks.OnBreakerChange != nil {
		c.hooks.OnBreakerChange(ch)
	}
	if c.log.Enabled(context.Background(), slog.LevelWarn) {
		c.log.Warn("circuit breaker state changed", "client", c.name, "host", ch.Host, "from", ch.From.String(), "to", ch.To.String())
	}
}

// Health returns a snapshot of the client's recent calls and breakers, classified
// with the policy's thresholds.
func (c *Client) Health() Health {
	h := c.stats.snapshot()
	h.Name = c.name
	if c.breakers != nil {
		h.Breakers = c.breakers.states()
	}
	if c.bulkhead != nil {
		h.InFlight, h.Queued = c.bulkhead.load()
	}
	h.classify(c.p.Thresholds)
	return h
}

// BreakerState returns the state of host's breaker (closed when breakers are off or
// the host was never called).
func (c *Client) BreakerState(host string) BreakerState {
	if c.breakers == nil {
		return StateClosed
	}
	return c.breakers.get(host).current()
}

// InvalidateCache drops cached responses whose URL path starts with prefix ("" drops
// everything) and returns how many it dropped.
func (c *Client) InvalidateCache(prefix string) int {
	if c.cache == nil {
		return 0
	}
	return c.cache.invalidate(prefix)
}

// Policy returns the client's policy.
func (c *Client) Policy() Policy { return c.p }
