package reach

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/resilience"
)

// Config holds the Reach OAuth 2.0 client credentials and where Reach is.
type Config struct {
	// BaseURL of the Reach API, e.g. https://reach.example.com.
	BaseURL string
	// TokenURL of the OAuth 2.0 token endpoint (default BaseURL + "/oauth/token").
	TokenURL string
	// ClientID and ClientSecret of the dispatch center's client.
	ClientID, ClientSecret string
	// Scopes to request, if Reach uses any.
	Scopes []string
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("missing BaseURL"))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("missing ClientID"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("missing ClientSecret"))
	}
	if len(errs) > 0 {
		return &connectors.ConfigError{System: "reach", Problems: errs}
	}
	return nil
}

// Client calls the Reach API. It is safe for concurrent use.
type Client struct {
	end connector.Endpoint
	log *slog.Logger
	clk clock.Clock
}

// CallOption configures one mutating call (a create or a status change).
type CallOption func(*callOptions)

type callOptions struct{ key string }

// WithIdempotencyKey sends key as the call's Idempotency-Key instead of a generated
// one: repeat a call with the key of an error matching connectors.ErrOutcomeUnknown
// (its APIError.IdempotencyKey) and Reach answers the first outcome instead of doing
// it again. At most 255 characters.
func WithIdempotencyKey(key string) CallOption { return func(o *callOptions) { o.key = key } }

// idempotencyKey returns the caller's key or a new one; every attempt of the call
// sends it.
func idempotencyKey(opts []CallOption) (string, error) {
	var o callOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	switch {
	case o.key == "":
		return connector.NewIdempotencyKey(), nil
	case len(o.key) > 255:
		return "", fmt.Errorf("reach: the idempotency key is longer than 255 characters: %w", connectors.ErrInvalidRequest)
	}
	return o.key, nil
}

// Option configures a [Client]. The options common to every connector have the same
// names in all six, but each connector's are its own type: another connector's
// option does not compile here.
type Option struct{ apply connector.Option }

// WithHTTPClient uses the transport of c as the base transport.
func WithHTTPClient(c *http.Client) Option { return Option{connector.WithHTTPClient(c)} }

// WithBaseURL overrides Config.BaseURL (e.g. with a reachtest server's URL).
func WithBaseURL(u string) Option { return Option{connector.WithBaseURL(u)} }

// WithPolicy replaces the default resilience policy ([resilience.Critical]).
func WithPolicy(p resilience.Policy) Option { return Option{connector.WithPolicy(p)} }

// WithLogger sets the logger; records are redacted (no tokens, no customer data).
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

var personal = []string{"name", "phone", "email", "line1", "line2", "postal_code", "summary", "description"}

// New returns a client. Tokens are fetched on first use and refreshed before expiry.
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
		return nil, &connectors.ConfigError{System: "reach", Problems: []error{err}}
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base.String() + "/oauth/token"
	}
	rt, err := connector.BaseTransport(tls.VersionTLS13, o) // the integration design asks for TLS 1.3
	if err != nil {
		return nil, fmt.Errorf("reach: %w", err)
	}
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: tokenURL, Scopes: cfg.Scopes}
	hc, err := connector.Build(connector.Stack{
		System: "reach", Policy: resilience.Critical(), MinTLS: tls.VersionTLS13, Transport: rt, Personal: personal,
		Auth: auth.ClientCredentials(cc, &http.Client{Transport: rt, Timeout: 30 * time.Second}),
	}, o, base)
	if err != nil {
		return nil, fmt.Errorf("reach: %w", err)
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	return &Client{end: connector.Endpoint{Names: operationNames(), Auditor: connector.Auditor{System: "reach", A: o.Auditor, Clock: clk},
		HTTP: hc, Base: base, Refused: refused}, log: redact.Logger(o.Logger, personal...), clk: clk}, nil
}

// Health reports the health of the connection to Reach.
func (c *Client) Health() resilience.Health { return c.end.HTTP.Health() }

// ifMatch is the If-Match value for an entity version.
func ifMatch(version int64) string { return strconv.Quote(strconv.FormatInt(version, 10)) }

// mergePatch is the media type of a JSON merge patch (RFC 7396).
const mergePatch = "application/merge-patch+json"

// refused maps a refused answer (an RFC 9457 problem); 412 says someone changed the
// record first.
func refused(op string, status int, body []byte, hdr http.Header) *connectors.APIError {
	ae := problems(op, status, body, hdr)
	if status == http.StatusPreconditionFailed {
		ae.Kind = connectors.ErrConflict // reload and retry
	}
	return ae
}

var problems = connector.Problems("reach")
