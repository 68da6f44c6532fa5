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
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/internal/iso4217"
	"github.com/dispatchcenter/connectors/internal/redact"
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

// Config holds the gateway account, the reporting contract's credentials and the
// money rules.
type Config struct {
	// GatewayURL is the XML interface (default [DefaultGatewayURL]).
	GatewayURL string
	// AccountID is the gateway account (acctid); [TestAccount] ("TEST0") is Merchant
	// Partners' shared test account. SubID (subid) and MerchantPIN (merchantpin) are
	// sent when the account has them.
	AccountID, SubID, MerchantPIN string

	// BaseURL of the dispatch center's reporting contract with the gateway
	// (transactions, settlements, chargebacks, fraud alerts; see openapi.yaml), e.g.
	// https://api.merchantpartners.example.com. Empty: no reporting calls.
	BaseURL string
	// TokenURL of the reporting contract's OAuth 2.0 token endpoint (default BaseURL +
	// "/oauth/token"). The token request presents the client certificate too.
	TokenURL string
	// ClientID and ClientSecret of the reporting contract's OAuth 2.0 client.
	ClientID, ClientSecret string
	// Scopes to request, if the reporting contract uses any.
	Scopes []string
	// TLS is the reporting contract's client certificate (required with BaseURL; its
	// connections use TLS 1.3 only) and the CAs to trust for both interfaces.
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
	if c.AccountID == "" {
		errs = append(errs, errors.New("missing AccountID (the gateway's acctid; TEST0 for the test account)"))
	}
	if c.BaseURL != "" {
		if c.ClientID == "" {
			errs = append(errs, errors.New("missing ClientID (the reporting contract's)"))
		}
		if c.ClientSecret == "" {
			errs = append(errs, errors.New("missing ClientSecret (the reporting contract's)"))
		}
		if !c.TLS.HasCertificate() {
			errs = append(errs, errors.New("missing the client certificate (TLS): the reporting contract requires mutual TLS"))
		}
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
		return &connectors.ConfigError{System: "merchant", Problems: errs}
	}
	return nil
}

// Client calls the payment gateway. It is safe for concurrent use.
type Client struct {
	xml         connector.Endpoint // the XML interface
	account     []field            // acctid, subid, merchantpin
	test        bool               // the test account
	clk         clock.Clock
	reports     *connector.Endpoint // the reporting contract; nil without one
	owned       *http.Transport     // the XML interface's, when built here
	reportOwned *http.Transport
	store       IdempotencyStore
	log         *slog.Logger
	currencies  []string
	min, max    int64
}

// Option configures a [Client]. The options common to every connector have the same
// names in all six, but each connector's are its own type: another connector's
// option does not compile here.
type Option struct{ apply connector.Option }

// WithHTTPClient uses the transport of c as the base transport. An *http.Transport
// is cloned and given the Config's client certificate, CAs and TLS 1.3 minimum; any
// other RoundTripper is used as it is and must present the certificate itself.
func WithHTTPClient(c *http.Client) Option { return Option{connector.WithHTTPClient(c)} }

// WithBaseURL overrides Config.GatewayURL, the XML interface's URL.
func WithBaseURL(u string) Option { return Option{connector.WithBaseURL(u)} }

// WithPolicy replaces the default resilience policy ([resilience.Critical]) of both
// interfaces.
func WithPolicy(p resilience.Policy) Option { return Option{connector.WithPolicy(p)} }

// WithLogger sets the logger; records are redacted (no tokens, card data or secrets).
func WithLogger(l *slog.Logger) Option { return Option{connector.WithLogger(l)} }

// WithAuditor receives one audit event per operation, classified as payment data.
func WithAuditor(a connectors.Auditor) Option { return Option{connector.WithAuditor(a)} }

// WithHooks sets the resilience layer's metrics and tracing hooks.
func WithHooks(h resilience.Hooks) Option { return Option{connector.WithHooks(h)} }

// WithLimiter adds a client-side rate limiter, e.g. one shared by replicas.
func WithLimiter(l resilience.Limiter) Option { return Option{connector.WithLimiter(l)} }

// WithClock sets the clock behind every wait (for tests).
func WithClock(c clock.Clock) Option { return Option{connector.WithClock(c)} }

// WithTelemetry traces and measures every operation and attempt (see package
// github.com/dispatchcenter/connectors/otel for OpenTelemetry).
func WithTelemetry(t resilience.Telemetry) Option { return Option{connector.WithTelemetry(t)} }

// personal are the fields kept out of logs besides the default secrets.
var personal = []string{"number", "cvv", "holder_name", "postal_code", "token", "description", "customer_reference", "evidence"}

// New returns a client. Payments go to the XML interface; reporting calls, when
// Config.BaseURL is set, to the reporting contract, whose tokens are fetched on first
// use over its mutual-TLS transport and refreshed before expiry.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := connector.Apply(opts, func(o Option) connector.Option { return o.apply })
	if o.BaseURL != "" {
		cfg.GatewayURL = o.BaseURL
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.GatewayURL == "" {
		cfg.GatewayURL = DefaultGatewayURL
	}
	gw, err := connector.ParseBaseURL(cfg.GatewayURL)
	if err != nil {
		return nil, &connectors.ConfigError{System: "merchant", Problems: []error{err}}
	}
	// the XML interface: server authentication, TLS 1.2 or later (PCI DSS); the
	// client certificate, if any, is presented too
	xrt, xowned, err := connector.TLSTransport(cfg.TLS, tls.VersionTLS12, o)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	xc, err := connector.Build(connector.Stack{System: "merchant", Policy: resilience.Critical(), MinTLS: tls.VersionTLS12,
		Transport: xrt, Personal: personal, Check: checkAnswer}, o, gw)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	c := &Client{test: cfg.AccountID == TestAccount, clk: clk, owned: xowned,
		xml: connector.Endpoint{Auditor: connector.Auditor{System: "merchant", A: o.Auditor, Clock: clk}, HTTP: xc, Base: gw,
			Refused: func(op string, status int, _ []byte, hdr http.Header) *connectors.APIError {
				// the XML interface answers its errors in a 200's outputs: another
				// status has no body of the gateway's to read
				return connector.Problem("merchant", op, status, "", http.StatusText(status), "", "", hdr)
			}},
		log: redact.Logger(o.Logger, personal...), currencies: cfg.Currencies, min: cfg.MinAmount, max: cfg.MaxAmount}
	// the credentials end every request (ActiveMerchant's commit adds acctid,
	// merchantpin and service last); subid's place is an assumption
	c.account = []field{{"acctid", cfg.AccountID}}
	if cfg.SubID != "" {
		c.account = append(c.account, field{"subid", cfg.SubID})
	}
	c.account = append(c.account, field{"merchantpin", cfg.MerchantPIN})
	if cfg.BaseURL != "" {
		if err := c.reportingClient(cfg, o); err != nil {
			return nil, err
		}
	}
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

// reportingClient builds the reporting contract's client: OAuth 2.0 client
// credentials over mutual TLS 1.3.
func (c *Client) reportingClient(cfg Config, o connector.Options) error {
	base, err := connector.ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return &connectors.ConfigError{System: "merchant", Problems: []error{err}}
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base.String() + "/oauth/token"
	}
	rt, owned, err := connector.TLSTransport(cfg.TLS, tls.VersionTLS13, o)
	if err != nil {
		return fmt.Errorf("merchant: %w", err)
	}
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: tokenURL, Scopes: cfg.Scopes}
	hc, err := connector.Build(connector.Stack{
		System: "merchant", Policy: resilience.Critical(), MinTLS: tls.VersionTLS13, Transport: rt, Personal: personal,
		Auth:  auth.ClientCredentials(cc, &http.Client{Transport: rt, Timeout: 30 * time.Second}),
		Check: checkInUse,
	}, o, base)
	if err != nil {
		return fmt.Errorf("merchant: %w", err)
	}
	c.reports = &connector.Endpoint{Auditor: c.xml.Auditor, Names: operationNames(), HTTP: hc, Base: base, Refused: connector.Problems("merchant")}
	c.reportOwned = owned
	return nil
}

// reporting refuses a reporting call without a reporting contract.
func (c *Client) reporting() error {
	if c.reports == nil {
		return fmt.Errorf("merchant: no reporting contract is configured (Config.BaseURL); the XML interface has no reports: %w", connectors.ErrInvalidRequest)
	}
	return nil
}

// Health reports the health of the connection to the gateway's XML interface, which
// takes the payments.
func (c *Client) Health() resilience.Health { return c.xml.HTTP.Health() }

// Close releases the idle connections of the transports the client built. The client
// may still be used; it opens new connections as needed.
func (c *Client) Close() {
	for _, t := range []*http.Transport{c.owned, c.reportOwned} {
		if t != nil {
			t.CloseIdleConnections()
		}
	}
}

// CallOption configures one mutating call.
type CallOption func(*callOptions)

type callOptions struct{ key, order string }

func applyCallOptions(opts []CallOption) callOptions {
	var o callOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// WithIdempotencyKey names a logical call for the processes sharing an
// [IdempotencyStore]: the same call repeated with the same key, from this process or
// another replica, gets the first outcome without reaching the gateway. The gateway
// itself has no idempotency keys (see the package doc). At most 255 characters.
func WithIdempotencyKey(key string) CallOption { return func(o *callOptions) { o.key = key } }

// WithOrderNumber sends n as the merchantordernumber of a capture or refund: the key
// of the gateway's duplicate detection, which makes the call safe to send again
// after an ambiguous failure (see the package doc). Without one, a capture or
// refund whose answer is lost is not sent again: its error matches
// connectors.ErrOutcomeUnknown.
func WithOrderNumber(n string) CallOption { return func(o *callOptions) { o.order = n } }

// idempotencyKey returns the caller's key or a new one, for the reporting contract's
// Idempotency-Key header.
func idempotencyKey(opts []CallOption) (string, error) {
	o := applyCallOptions(opts)
	switch {
	case o.key == "":
		return connector.NewIdempotencyKey(), nil
	case len(o.key) > 255:
		return "", fmt.Errorf("merchant: the idempotency key is longer than 255 characters: %w", connectors.ErrInvalidRequest)
	}
	return o.key, nil
}

// checkKey checks the caller's key.
func checkKey(opts []CallOption) error {
	if o := applyCallOptions(opts); len(o.key) > 255 {
		return fmt.Errorf("merchant: the idempotency key is longer than 255 characters: %w", connectors.ErrInvalidRequest)
	}
	return nil
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

// invoke runs one operation of the reporting contract (see [connector.Invoke]).
func invoke[T any](ctx context.Context, c *Client, r connector.Request) (T, error) {
	if err := c.reporting(); err != nil {
		var zero T
		return zero, err
	}
	r.Class = connectors.ClassPayment
	v, _, err := connector.Invoke[T](ctx, c.reports, r)
	return v, err
}
