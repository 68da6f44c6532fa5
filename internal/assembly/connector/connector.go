package connector

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/internal/transport"
	"github.com/dispatchcenter/connectors/resilience"
	"net"
	"slices"
)

// Options are the settings every connector accepts.
type Options struct {
	HTTPClient *http.Client
	BaseURL    string
	Policy     *resilience.Policy
	Logger     *slog.Logger
	Auditor    connectors.Auditor
	Hooks      resilience.Hooks
	Limiter    resilience.Limiter
	Clock      clock.Clock
	Telemetry  resilience.Telemetry
	UserAgent  string
	// Extra holds connector-specific settings (e.g. geotab's SessionStore).
	Extra []any
}

// Option sets one of the [Options].
type Option func(*Options)

// Apply returns the options with opts applied: O is a connector's own option type,
// and get unwraps one (a zero O, or a nil one, sets nothing).
func Apply[O any](opts []O, get func(O) Option) Options {
	var o Options
	for _, opt := range opts {
		if f := get(opt); f != nil {
			f(&o)
		}
	}
	return o
}

// WithHTTPClient: the client's Transport becomes the base transport (its Timeout and
// redirect policy are not used: the resilience layer owns timeouts).
func WithHTTPClient(c *http.Client) Option { return func(o *Options) { o.HTTPClient = c } }

// WithBaseURL: where the vendor (or its fake) is reached.
func WithBaseURL(u string) Option { return func(o *Options) { o.BaseURL = u } }

// WithPolicy: replaces the connector's default resilience policy.
func WithPolicy(p resilience.Policy) Option { return func(o *Options) { o.Policy = &p } }

// WithLogger: receives redacted records; without it the connector is silent.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// WithAuditor: receives one audit event per operation.
func WithAuditor(a connectors.Auditor) Option { return func(o *Options) { o.Auditor = a } }

// WithHooks: metrics and tracing hooks of the resilience layer.
func WithHooks(h resilience.Hooks) Option { return func(o *Options) { o.Hooks = h } }

// WithLimiter: a limiter shared with other processes.
func WithLimiter(l resilience.Limiter) Option { return func(o *Options) { o.Limiter = l } }

// WithClock: the clock behind every wait (tests).
func WithClock(c clock.Clock) Option { return func(o *Options) { o.Clock = c } }

// WithTelemetry: traces and metrics of every operation and attempt.
func WithTelemetry(t resilience.Telemetry) Option { return func(o *Options) { o.Telemetry = t } }

// Stack describes the HTTP stack of one connector.
type Stack struct {
	// System names the connector ("geotab").
	System string
	// Policy is the connector's default policy.
	Policy resilience.Policy
	// Auth sets credentials; nil for none (or for connectors that authenticate in
	// the request body, as MyGeotab does).
	Auth auth.Authenticator
	// AuthHosts are the hosts credentials may go to; empty means the base URL's host.
	AuthHosts []string
	// MinTLS is the system's minimum TLS version (0 means TLS 1.2).
	MinTLS uint16
	// Check inspects responses for failures reported inside a 200.
	Check func(*http.Response) error
	// Personal names fields the logger must treat as personal data.
	Personal []string
	// Transport is the base transport; nil builds one with [BaseTransport].
	Transport http.RoundTripper
	// Redirect is the redirect policy (see http.Client.CheckRedirect); nil keeps Go's.
	Redirect func(req *http.Request, via []*http.Request) error
}

// BaseTransport returns the pooled transport a connector sends through: the
// transport of WithHTTPClient, or a new one with the system's minimum TLS version.
func BaseTransport(minTLS uint16, o Options) (http.RoundTripper, error) {
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		return o.HTTPClient.Transport, nil
	}
	return transport.NewBase(transport.Options{TLS: transport.TLSOptions{MinVersion: minTLS}})
}

// TLSTransport is [BaseTransport] for a vendor that needs its own TLS identity (a
// client certificate, a private CA): a new pooled transport with m and minTLS, or,
// given WithHTTPClient, a clone of that client's *http.Transport with m's certificate,
// roots and minTLS applied over its TLS settings. A transport of another type is used
// as it is (it owns TLS, e.g. a mock). owned is the transport built here, which the
// connector closes idle connections of on Close; nil when there is none.
func TLSTransport(m connectors.MutualTLS, minTLS uint16, o Options) (rt http.RoundTripper, owned *http.Transport, err error) {
	opts := transport.TLSOptions{MinVersion: minTLS, CertFile: m.CertFile, KeyFile: m.KeyFile, CertPEM: m.CertPEM, KeyPEM: m.KeyPEM,
		RootCAFile: m.RootCAFile, RootCAPEM: m.RootCAPEM}
	if m.Certificate != nil {
		opts.Certificates = []tls.Certificate{*m.Certificate}
	}
	if o.HTTPClient == nil || o.HTTPClient.Transport == nil {
		t, err := transport.NewBase(transport.Options{TLS: opts})
		return t, t, err
	}
	ht, ok := o.HTTPClient.Transport.(*http.Transport)
	if !ok {
		return o.HTTPClient.Transport, nil, nil
	}
	cfg, err := opts.Config()
	if err != nil {
		return nil, nil, err
	}
	t := ht.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = cfg
	} else {
		t.TLSClientConfig.MinVersion = max(t.TLSClientConfig.MinVersion, cfg.MinVersion)
		t.TLSClientConfig.Certificates = cfg.Certificates
		if cfg.RootCAs != nil {
			t.TLSClientConfig.RootCAs = cfg.RootCAs
		}
	}
	return t, t, nil
}

// Build assembles the resilience client for a connector. base is the parsed base URL;
// st.Transport, when set, is the base transport (see [BaseTransport]).
func Build(st Stack, o Options, base *url.URL) (*resilience.Client, error) {
	p := st.Policy
	if o.Policy != nil {
		p = *o.Policy
	}
	rt := st.Transport
	if rt == nil {
		var err error
		if rt, err = BaseTransport(st.MinTLS, o); err != nil {
			return nil, err
		}
	}
	hosts := st.AuthHosts
	if len(hosts) == 0 && base != nil {
		hosts = []string{base.Host}
	}
	ua := o.UserAgent
	if ua == "" {
		ua = transport.UserAgent(st.System)
	}
	opts := []resilience.Option{
		resilience.WithName(st.System),
		resilience.WithTransport(rt),
		resilience.WithAttemptMiddleware(auth.Middleware(ua, st.Auth, hosts...)),
		resilience.WithLogger(redact.Logger(o.Logger, st.Personal...)),
		resilience.WithHooks(o.Hooks),
	}
	if o.Clock != nil {
		opts = append(opts, resilience.WithClock(o.Clock))
	}
	if o.Limiter != nil {
		opts = append(opts, resilience.WithLimiter(o.Limiter))
	}
	if o.Telemetry != nil {
		opts = append(opts, resilience.WithTelemetry(o.Telemetry))
	}
	if st.Check != nil {
		opts = append(opts, resilience.WithResponseCheck(st.Check))
	}
	if st.Redirect != nil {
		opts = append(opts, resilience.WithRedirectPolicy(st.Redirect))
	}
	return resilience.New(p, opts...)
}

// ParseBaseURL parses and checks a base URL: absolute, http or https. http is only
// allowed for loopback addresses (the bundled fakes). Trailing slashes are dropped.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimRight(raw, "/") // paths are joined onto it
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return nil, fmt.Errorf("base URL %q: want https://host[:port]", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("base URL %q: plain http is only allowed for loopback fakes", raw)
	}
	return u, nil
}

func isLoopback(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || len(h) > 4 && h[:4] == "127."
}

// Auditor wraps the optional auditor with a clock.
type Auditor struct {
	System string
	A      connectors.Auditor
	Clock  clock.Clock
}

// now reads the connector's clock (the real one when none is set).
func (a Auditor) now() time.Time {
	if a.Clock == nil {
		return time.Now()
	}
	return a.Clock.Now()
}

// Start begins an audit record; call the returned function once with the outcome.
func (a Auditor) Start(ctx context.Context, op string, class connectors.DataClass, summary map[string]string) func(status, attempts int, err error) {
	if a.A == nil {
		return func(int, int, error) {}
	}
	clk := a.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	start := clk.Now()
	return func(status, attempts int, err error) {
		a.A.Audit(ctx, connectors.AuditEvent{
			Time: start, System: a.System, Operation: op, Actor: connectors.ActorFrom(ctx), Summary: summary,
			StatusCode: status, Err: redact.Error(err), Duration: clk.Now().Sub(start), Attempts: attempts, Class: class,
		})
	}
}

// networkFailure reports an attempt's error that the network gave: not a local
// rejection, a deadline, a cancellation or refused credentials.
func networkFailure(err error) bool {
	if err == nil {
		return false
	}
	for _, local := range []error{resilience.ErrRejected, context.Canceled, context.DeadlineExceeded, connectors.ErrTimeout,
		connectors.ErrUnauthorized} {
		if errors.Is(err, local) {
			return false
		}
	}
	return true
}

// certificateAlerts are the TLS alerts of a server refusing the client's certificate
// (RFC 8446 §6.2; Go's tls package reports them as "remote error: tls: <alert>").
var certificateAlerts = []string{"bad certificate", "unsupported certificate", "certificate revoked",
	"revoked certificate", "certificate expired", "expired certificate", "certificate unknown", "unknown certificate",
	"unknown certificate authority", "access denied", "certificate required"}

// refusedCertificate reports a TLS server's refusal of this side's certificate.
func refusedCertificate(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && op.Err != nil &&
		slices.Contains(certificateAlerts, strings.TrimPrefix(op.Err.Error(), "tls: "))
}

// localKinds are the failures that happen on this side (nothing reached the vendor,
// or nothing came back), in the order they are recognised.
var localKinds = []error{connectors.ErrCircuitOpen, connectors.ErrBulkheadFull, connectors.ErrRateLimited,
	connectors.ErrTimeout, connectors.ErrUnauthorized}

// FailedCall maps a failure of the resilience layer (a *resilience.CallError, an
// auth error, a context error) to the SDK's error shape. When a response came back,
// its status classifies the error; otherwise the local cause does, and a failure with
// no known cause counts as the vendor being unreachable (retryable).
func FailedCall(system, op string, err error) *connectors.APIError {
	status, attempts := CallInfo(err)
	var ce *resilience.CallError
	var retryAfter time.Duration
	if errors.As(err, &ce) {
		retryAfter = ce.RetryAfter
	}
	// net/http's *url.Error holds the raw URL (query values such as a badge): error
	// strings are redacted as logs are
	err = redact.Error(err)
	ae := &connectors.APIError{System: system, Operation: op, StatusCode: status, Attempts: attempts, RetryAfter: retryAfter,
		Err: &brief{msg: briefly(err), err: err}}
	if status != 0 {
		// retries ran out on a failing answer: a later call may still succeed
		ae.Retryable = status >= 500 || status == http.StatusTooManyRequests
		return ae
	}
	if refusedCertificate(err) {
		// the vendor's TLS server refused this side's client certificate: the
		// credentials, as a 401 would say; the same certificate is refused again
		ae.Kind = connectors.ErrUnauthorized
		return ae
	}
	if ce != nil && ce.Sent > 0 && networkFailure(ce.Err) {
		// the requests reached the network and failed there (resets, closed
		// connections): the vendor is unavailable, whether retrying then stopped for
		// the deadline, the breaker or the limiter
		ae.Kind, ae.Retryable = connectors.ErrUnavailable, !resilience.Permanent(err)
		return ae
	}
	for _, k := range localKinds {
		if errors.Is(err, k) {
			// the deadline, the breaker and the limits pass: a later call may succeed;
			// refused credentials do not
			ae.Kind, ae.Retryable = k, k != connectors.ErrUnauthorized
			return ae
		}
	}
	if errors.Is(err, context.Canceled) {
		return ae // the caller stopped it: no class, and nothing to retry
	}
	ae.Kind, ae.Retryable = connectors.ErrUnavailable, !resilience.Permanent(err)
	return ae
}

// brief is a failure's cause told once. The resilience layer's *CallError and
// net/http's *url.Error each repeat the method and URL, and the APIError around them
// already says the status and the attempts; brief keeps them all in the chain (for
// errors.Is and errors.As) and its text says only what they add.
type brief struct {
	msg string
	err error
}

func (b *brief) Error() string { return b.msg }
func (b *brief) Unwrap() error { return b.err }

// briefly says why the resilience layer stopped and what the last failure was, without
// the method, URL, status and attempts the APIError states itself.
func briefly(err error) string {
	var ce *resilience.CallError
	if !errors.As(err, &ce) {
		return rootCause(err).Error()
	}
	var parts []string
	switch {
	case ce.Reason == resilience.ErrRetriesExhausted:
		parts = append(parts, "retries exhausted")
	case ce.Reason == resilience.ErrRetryAfterTooLong:
		parts = append(parts, fmt.Sprintf("the vendor asked to wait %s, longer than the policy allows", ce.RetryAfter))
	case ce.Reason != nil:
		parts = append(parts, strings.TrimPrefix(ce.Reason.Error(), "connectors: "))
	}
	if ce.Err != nil {
		cause := strings.TrimPrefix(rootCause(ce.Err).Error(), "connectors: ")
		if len(parts) == 0 || cause != parts[0] {
			parts = append(parts, cause)
		}
	}
	if len(parts) == 0 {
		return "failed"
	}
	return strings.Join(parts, ": ")
}

// rootCause unwraps what only repeats the request (*url.Error, *resilience.CallError)
// down to the error that says what happened.
func rootCause(err error) error {
	for {
		var ue *url.Error
		var ce *resilience.CallError
		switch {
		case errors.As(err, &ce) && ce.Err != nil:
			err = ce.Err
		case errors.As(err, &ue) && ue.Err != nil:
			err = ue.Err
		default:
			return err
		}
	}
}

// CountAttempts sets the attempts of err's *connectors.APIError when they are not
// known yet (a refusal or an undecodable answer decoded after the resilience layer
// returned): attempts is the call's count, from resilience.Attempts.
func CountAttempts(err error, attempts int) error {
	var ae *connectors.APIError
	if errors.As(err, &ae) && ae.Attempts == 0 {
		ae.Attempts = attempts
	}
	return err
}

// CallInfo extracts the status and attempts of a resilience failure, for audit records
// and *connectors.APIError.
func CallInfo(err error) (status, attempts int) {
	var ce *resilience.CallError
	if errors.As(err, &ce) {
		attempts = ce.Attempts
		if ce.Response != nil {
			status = ce.Response.StatusCode
		}
	}
	return status, attempts
}
