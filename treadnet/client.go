package treadnet

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/resilience"
)

// Config holds where Treadnet is and the client certificate it requires.
type Config struct {
	// BaseURL of the Treadnet API, e.g. https://treadnet.example.com.
	BaseURL string
	// TLS is the client certificate (required; typically CertFile and KeyFile, PEM)
	// and Treadnet's CA when a public CA did not sign its server certificate.
	TLS connectors.MutualTLS
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("missing BaseURL"))
	}
	if !c.TLS.HasCertificate() {
		errs = append(errs, errors.New("missing the client certificate (TLS): Treadnet requires mutual TLS"))
	}
	if len(errs) > 0 {
		return &connectors.ConfigError{System: "treadnet", Problems: errs}
	}
	return nil
}

// Client queries the Treadnet API. It is safe for concurrent use.
type Client struct {
	end   connector.Endpoint
	owned *http.Transport
}

// Option configures a [Client]. The options common to every connector have the same
// names in all six, but each connector's are its own type: another connector's
// option does not compile here.
type Option struct{ apply connector.Option }

// WithHTTPClient uses the transport of c as the base transport. An *http.Transport
// is cloned and given the Config's client certificate and CAs; any other
// RoundTripper is used as it is and must present the certificate itself.
func WithHTTPClient(c *http.Client) Option { return Option{connector.WithHTTPClient(c)} }

// WithBaseURL overrides Config.BaseURL (e.g. with a treadnettest server's URL).
func WithBaseURL(u string) Option { return Option{connector.WithBaseURL(u)} }

// WithPolicy replaces the default resilience policy ([resilience.Monitoring]).
func WithPolicy(p resilience.Policy) Option { return Option{connector.WithPolicy(p)} }

// WithLogger sets the logger; records are redacted.
func WithLogger(l *slog.Logger) Option { return Option{connector.WithLogger(l)} }

// WithAuditor receives one audit event per operation.
func WithAuditor(a connectors.Auditor) Option { return Option{connector.WithAuditor(a)} }

// WithHooks sets the resilience layer's metrics and tracing hooks.
func WithHooks(h resilience.Hooks) Option { return Option{connector.WithHooks(h)} }

// WithLimiter adds a client-side rate limiter.
func WithLimiter(l resilience.Limiter) Option { return Option{connector.WithLimiter(l)} }

// WithClock sets the clock behind every wait (for tests).
func WithClock(c clock.Clock) Option { return Option{connector.WithClock(c)} }

// WithTelemetry traces and measures every operation and attempt (see package
// github.com/dispatchcenter/connectors/otel for OpenTelemetry).
func WithTelemetry(t resilience.Telemetry) Option { return Option{connector.WithTelemetry(t)} }

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
		return nil, &connectors.ConfigError{System: "treadnet", Problems: []error{err}}
	}
	rt, owned, err := connector.TLSTransport(cfg.TLS, 0, o)
	if err != nil {
		return nil, fmt.Errorf("treadnet: %w", err)
	}
	hc, err := connector.Build(connector.Stack{System: "treadnet", Policy: resilience.Monitoring(), Transport: rt}, o, base)
	if err != nil {
		return nil, fmt.Errorf("treadnet: %w", err)
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	return &Client{end: connector.Endpoint{Names: operationNames(), Auditor: connector.Auditor{System: "treadnet", A: o.Auditor, Clock: clk},
		HTTP: hc, Base: base, Refused: connector.Problems("treadnet")}, owned: owned}, nil
}

// Health reports the health of the connection to Treadnet.
func (c *Client) Health() resilience.Health { return c.end.HTTP.Health() }

// Close releases the idle connections of the transport the client built. The client
// may still be used.
func (c *Client) Close() {
	if c.owned != nil {
		c.owned.CloseIdleConnections()
	}
}

// invoke runs one operation (see [connector.Invoke]).
func invoke[T any](ctx context.Context, c *Client, r connector.Request) (T, error) {
	r.Class = connectors.ClassInternal
	v, _, err := connector.Invoke[T](ctx, &c.end, r)
	return v, err
}

// NetworkStatus returns the network's status now.
func (c *Client) NetworkStatus(ctx context.Context) (NetworkStatus, error) {
	return invoke[NetworkStatus](ctx, c, connector.Request{Op: "GET /api/v1/network/status"})
}

// OutageFilter narrows [Client.Outages]; zero fields do not filter.
type OutageFilter struct {
	// Status is OutageStatusOpen for the current outages, OutageStatusResolved for history.
	Status OutageStatus
	SiteID string
	Area   string
	// Since and Until bound the start time (Since inclusive, Until exclusive).
	Since, Until time.Time
	// PageSize per request (default 100, at most 500).
	PageSize int
}

// Outages lists outages, oldest start first, page by page.
func (c *Client) Outages(ctx context.Context, f OutageFilter) iter.Seq2[Outage, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Outage, string, error) {
		p, err := invoke[OutagePage](ctx, c, connector.Request{Op: "GET /api/v1/outages",
			Query: connector.Query("cursor", cursor, "limit", connector.Int(f.PageSize), "status", string(f.Status),
				"site_id", f.SiteID, "area", f.Area, "since", connector.Time(f.Since), "until", connector.Time(f.Until))})
		return p.Data, p.NextCursor, err
	})
}

// Outage returns one outage.
func (c *Client) Outage(ctx context.Context, id string) (Outage, error) {
	return invoke[Outage](ctx, c, connector.Request{Op: "GET /api/v1/outages/{id}", Params: []string{id},
		Summary: map[string]string{"outage": id}})
}

// Topology returns the sites and links, of one area or (area "") of the whole network.
func (c *Client) Topology(ctx context.Context, area string) (Topology, error) {
	return invoke[Topology](ctx, c, connector.Request{Op: "GET /api/v1/topology", Query: connector.Query("area", area),
		Summary: map[string]string{"area": area}})
}

// Site returns one site.
func (c *Client) Site(ctx context.Context, id string) (Site, error) {
	return invoke[Site](ctx, c, connector.Request{Op: "GET /api/v1/sites/{id}", Params: []string{id},
		Summary: map[string]string{"site": id}})
}
