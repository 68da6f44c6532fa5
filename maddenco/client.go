package maddenco

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/resilience"
)

// The vendor's budget: 1000 requests per hour per API key.
const (
	DefaultRequestsPerHour = 1000
	// DefaultBurst is how many requests may go at once after a quiet hour; the rest
	// of the budget refills evenly over the hour.
	DefaultBurst = 25
	// Headroom is the share of the budget the client leaves unused (2%: 20 of 1000),
	// so requests delayed in flight, and a vendor counting on its own clock, never
	// see more than the budget in its hour.
	Headroom = 0.02
)

// Config holds the Maddenco API key and where Maddenco is.
type Config struct {
	// BaseURL of the Maddenco API, e.g. https://maddenco.example.com.
	BaseURL string
	// APIKey is sent in the X-API-Key header.
	APIKey string
	// RequestsPerHour is the key's budget (default 1000). Every attempt counts; the
	// client plans for the budget less [Headroom].
	RequestsPerHour int
	// Burst is the part of the budget that may be spent at once (default 25).
	Burst int
	// CacheTTL is how long a read is served from the cache without asking Maddenco
	// again (default 5 minutes; negative: always ask). Reads are kept 24 hours more
	// for the stale fallback either way.
	CacheTTL time.Duration
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("missing BaseURL"))
	}
	if c.APIKey == "" {
		errs = append(errs, errors.New("missing APIKey"))
	}
	if c.RequestsPerHour < 0 {
		errs = append(errs, errors.New("RequestsPerHour must not be negative"))
	}
	if c.Burst < 0 || c.RequestsPerHour > 0 && c.Burst > c.RequestsPerHour {
		errs = append(errs, errors.New("the Burst must be between 0 and RequestsPerHour"))
	}
	if len(errs) > 0 {
		return &connectors.ConfigError{System: "maddenco", Problems: errs}
	}
	return nil
}

// Client calls the Maddenco API. It is safe for concurrent use.
type Client struct {
	end connector.Endpoint
}

// Option configures a [Client]. The options common to every connector have the same
// names in all six, but each connector's are its own type: another connector's
// option does not compile here.
type Option struct{ apply connector.Option }

// WithHTTPClient uses the transport of c as the base transport.
func WithHTTPClient(c *http.Client) Option { return Option{connector.WithHTTPClient(c)} }

// WithBaseURL overrides Config.BaseURL (e.g. with a maddencotest server's URL).
func WithBaseURL(u string) Option { return Option{connector.WithBaseURL(u)} }

// WithPolicy replaces the default resilience policy ([DefaultPolicy]). The hourly
// limiter stays whatever the policy says.
func WithPolicy(p resilience.Policy) Option { return Option{connector.WithPolicy(p)} }

// WithLogger sets the logger; records are redacted (no API key).
func WithLogger(l *slog.Logger) Option { return Option{connector.WithLogger(l)} }

// WithAuditor receives one audit event per operation.
func WithAuditor(a connectors.Auditor) Option { return Option{connector.WithAuditor(a)} }

// WithHooks sets the resilience layer's metrics and tracing hooks.
func WithHooks(h resilience.Hooks) Option { return Option{connector.WithHooks(h)} }

// WithLimiter replaces the hourly limiter, e.g. with one shared by every replica
// using the same key.
func WithLimiter(l resilience.Limiter) Option { return Option{connector.WithLimiter(l)} }

// WithClock sets the clock behind every wait (for tests).
func WithClock(c clock.Clock) Option { return Option{connector.WithClock(c)} }

// WithTelemetry traces and measures every operation and attempt (see package
// github.com/dispatchcenter/connectors/otel for OpenTelemetry).
func WithTelemetry(t resilience.Telemetry) Option { return Option{connector.WithTelemetry(t)} }

// DefaultPolicy is the Standard policy with the read cache that backs the stale
// fallback (ttl as in Config.CacheTTL). The change feed is never cached.
func DefaultPolicy(ttl time.Duration) resilience.Policy {
	p := resilience.Standard()
	if ttl == 0 {
		ttl = resilience.CacheTTLAPI
	}
	if ttl < 0 {
		ttl = 0
	}
	p.Cache = resilience.CachePolicy{MaxEntries: 20000, TTL: ttl, StaleFor: 24 * time.Hour,
		Routes: []resilience.CacheRoute{{Prefix: "/api/changes", TTL: -1}}}
	return p
}

// New returns a client.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := connector.Apply(opts, func(o Option) connector.Option { return o.apply })
	if o.BaseURL != "" {
		cfg.BaseURL = o.BaseURL
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := connector.ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, &connectors.ConfigError{System: "maddenco", Problems: []error{err}}
	}
	if cfg.RequestsPerHour == 0 {
		cfg.RequestsPerHour = DefaultRequestsPerHour
	}
	if cfg.Burst == 0 {
		cfg.Burst = min(DefaultBurst, cfg.RequestsPerHour)
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	if o.Limiter == nil {
		budget := max(1, cfg.RequestsPerHour-int(math.Ceil(float64(cfg.RequestsPerHour)*Headroom)))
		o.Limiter = resilience.NewTokenBucket(resilience.LimitPolicy{Requests: budget, Per: time.Hour, Burst: min(cfg.Burst, budget)}, clk)
	}
	hc, err := connector.Build(connector.Stack{
		System: "maddenco", Policy: DefaultPolicy(cfg.CacheTTL), MinTLS: tls.VersionTLS12,
		Auth: auth.APIKey("X-API-Key", cfg.APIKey),
	}, o, base)
	if err != nil {
		return nil, fmt.Errorf("maddenco: %w", err)
	}
	return &Client{end: connector.Endpoint{Names: operationNames(), Auditor: connector.Auditor{System: "maddenco", A: o.Auditor, Clock: clk},
		HTTP: hc, Base: base, Refused: connector.Problems("maddenco")}}, nil
}

// Health reports the health of the connection to Maddenco.
func (c *Client) Health() resilience.Health { return c.end.HTTP.Health() }

// invoke runs one operation (see [connector.Invoke]); the response is returned for
// its stale marks.
func invoke[T any](ctx context.Context, c *Client, r connector.Request) (T, *http.Response, error) {
	r.Class = connectors.ClassInternal
	return connector.Invoke[T](ctx, &c.end, r)
}
