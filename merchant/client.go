package merchant

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/internal/clock"
	"github.com/dispatchcenter/connectors/internal/connector"
	"github.com/dispatchcenter/connectors/internal/iso4217"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/merchant/internal/api"
	"github.com/dispatchcenter/connectors/resilience"
)

// Amount limits applied when Config leaves them zero, in minor units.
const (
	// DefaultMinAmount is 0.50 in a two-decimal currency.
	DefaultMinAmount = 50
	// DefaultMaxAmount is 25 000.00 in a two-decimal currency.
	DefaultMaxAmount = 2_500_000
)

// DefaultCurrencies are the currencies accepted when Config.Currencies is empty.
var DefaultCurrencies = []string{"USD", "CAD"}

// Config holds the gateway credentials, the client certificate and the money rules.
type Config struct {
	// BaseURL of the gateway, e.g. https://api.merchantpartners.example.com.
	BaseURL string
	// TokenURL of the OAuth 2.0 token endpoint (default BaseURL + "/oauth/token"). The
	// token request presents the client certificate too.
	TokenURL string
	// ClientID and ClientSecret of the dispatch center's OAuth 2.0 client.
	ClientID, ClientSecret string
	// Scopes to request, if the gateway uses any.
	Scopes []string
	// TLS is the client certificate (required) and the gateway's private CA, if any.
	// Connections use TLS 1.3 only.
	TLS connectors.MutualTLS
	// Currencies accepted (ISO 4217 codes; default [DefaultCurrencies]). An amount in
	// another currency is refused before the network.
	Currencies []string
	// MinAmount and MaxAmount bound every amount, in minor units (defaults
	// [DefaultMinAmount] and [DefaultMaxAmount]).
	MinAmount, MaxAmount int64
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
	if !c.TLS.HasCertificate() {
		errs = append(errs, errors.New("missing the client certificate (TLS): the gateway requires mutual TLS"))
	}
	for _, cur := range c.Currencies {
		if w, gone := iso4217.Withdrawn(cur); gone {
			errs = append(errs, fmt.Errorf("currency %q was withdrawn on %s (replaced by %s)", cur, w.Withdrawn, w.Replacement))
		} else if _, ok := iso4217.MinorUnits(cur); !ok {
			errs = append(errs, fmt.Errorf("currency %q is not an active ISO 4217 code (upper case)", cur))
		}
	}
	if c.MinAmount < 0 || c.MaxAmount < 0 || c.MaxAmount > 0 && c.MinAmount > c.MaxAmount {
		errs = append(errs, errors.New("MinAmount and MaxAmount must be positive, MinAmount ≤ MaxAmount"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("merchant: invalid config: %w", errors.Join(errs...))
	}
	return nil
}

// Client calls the payment gateway. It is safe for concurrent use.
type Client struct {
	gen        *api.ClientWithResponses
	http       *resilience.Client
	audit      connector.Auditor
	owned      *http.Transport
	store      IdempotencyStore
	log        *slog.Logger
	currencies []string
	min, max   int64
}

// Option configures a [Client]. The same option names serve every connector.
type Option = connector.Option

// WithHTTPClient uses the transport of c as the base transport. An *http.Transport
// is cloned and given the Config's client certificate, CAs and TLS 1.3 minimum; any
// other RoundTripper is used as it is and must present the certificate itself.
func WithHTTPClient(c *http.Client) Option { return connector.WithHTTPClient(c) }

// WithBaseURL overrides Config.BaseURL (e.g. with a merchanttest server's URL).
func WithBaseURL(u string) Option { return connector.WithBaseURL(u) }

// WithPolicy replaces the default resilience policy ([resilience.Critical]).
func WithPolicy(p resilience.Policy) Option { return connector.WithPolicy(p) }

// WithLogger sets the logger; records are redacted (no tokens, card data or secrets).
func WithLogger(l *slog.Logger) Option { return connector.WithLogger(l) }

// WithAuditor receives one audit event per operation, classified as payment data.
func WithAuditor(a connectors.Auditor) Option { return connector.WithAuditor(a) }

// WithHooks sets the resilience layer's metrics and tracing hooks.
func WithHooks(h resilience.Hooks) Option { return connector.WithHooks(h) }

// WithLimiter adds a client-side rate limiter, e.g. one shared by replicas.
func WithLimiter(l resilience.Limiter) Option { return connector.WithLimiter(l) }

// WithClock sets the clock behind every wait (for tests).
func WithClock(c clock.Clock) Option { return connector.WithClock(c) }

// personal are the fields kept out of logs besides the default secrets.
var personal = []string{"number", "cvv", "holder_name", "postal_code", "token", "description", "customer_reference", "evidence"}

// New returns a client. Tokens are fetched on first use, over the same mutual-TLS
// transport, and refreshed before expiry.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := connector.Apply(opts)
	if o.BaseURL != "" {
		cfg.BaseURL = o.BaseURL
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := connector.ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base.String() + "/oauth/token"
	}
	rt, owned, err := connector.TLSTransport(cfg.TLS, tls.VersionTLS13, o)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: tokenURL, Scopes: cfg.Scopes}
	hc, err := connector.Build(connector.Stack{
		System: "merchant", Policy: resilience.Critical(), MinTLS: tls.VersionTLS13, Transport: rt, Personal: personal,
		Auth:  auth.ClientCredentials(cc, &http.Client{Transport: rt, Timeout: 30 * time.Second}),
		Check: checkInUse,
	}, o, base)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	gen, err := api.NewClientWithResponses(base.String(), api.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	c := &Client{gen: gen, http: hc, audit: connector.Auditor{System: "merchant", A: o.Auditor, Clock: clk}, owned: owned,
		log: redact.Logger(o.Logger, personal...), currencies: cfg.Currencies, min: cfg.MinAmount, max: cfg.MaxAmount}
	for _, x := range o.Extra {
		if s, ok := x.(IdempotencyStore); ok {
			c.store = s
		}
	}
	if len(c.currencies) == 0 {
		c.currencies = DefaultCurrencies
	}
	c.currencies = slices.Clone(c.currencies)
	if c.min == 0 {
		c.min = DefaultMinAmount
	}
	if c.max == 0 {
		c.max = DefaultMaxAmount
	}
	return c, nil
}

// Health reports the health of the connection to the gateway.
func (c *Client) Health() resilience.Health { return c.http.Health() }

// Close releases the idle connections of the transport the client built. The client
// may still be used; it opens new connections as needed.
func (c *Client) Close() {
	if c.owned != nil {
		c.owned.CloseIdleConnections()
	}
}

// CallOption configures one mutating call.
type CallOption func(*callOptions)

type callOptions struct{ key string }

func applyCallOptions(opts []CallOption) callOptions {
	var o callOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// WithIdempotencyKey sends key as the call's Idempotency-Key instead of a generated
// one: repeat a call with the same key (after a crash, from another replica) and the
// gateway answers it once. At most 255 characters.
func WithIdempotencyKey(key string) CallOption { return func(o *callOptions) { o.key = key } }

// idempotencyKey returns the caller's key or a new one; every attempt of the call
// sends it.
func idempotencyKey(opts []CallOption) (string, error) {
	o := applyCallOptions(opts)
	switch {
	case o.key == "":
		return connector.NewIdempotencyKey(), nil
	case len(o.key) > 255:
		return "", fmt.Errorf("%w: the idempotency key is longer than 255 characters", ErrInvalid)
	}
	return o.key, nil
}

// errInUse is the answer to a repeat of a call the gateway is still processing
// (409 with Retry-After): retried after the wait, when the first outcome is stored.
type errInUse struct{}

func (errInUse) Error() string {
	return "merchant: the idempotency key is in use by a call in progress"
}
func (errInUse) Retryable() bool { return true }

func checkInUse(resp *http.Response) error {
	if resp.StatusCode == http.StatusConflict && resp.Header.Get("Retry-After") != "" {
		return errInUse{}
	}
	return nil
}

// invoke runs one operation with its audit record (see [connector.Invoke]).
func invoke[T any](ctx context.Context, c *Client, op string, summary map[string]string,
	call connector.Call[T, Problem]) (T, error) {
	v, _, err := connector.Invoke(ctx, c.audit, op, connectors.ClassPayment, summary, call, func(status int, p *Problem, hdr http.Header) error {
		if p == nil {
			p = &Problem{}
		}
		return connector.Problem("merchant", op, status, p.Code, p.Title, p.Detail, p.RequestID, hdr)
	})
	return v, err
}
