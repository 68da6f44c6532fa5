package dayforce

import (
	"context"
	"crypto/tls"
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
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/resilience"
)

// Environment is a Dayforce environment; it decides the generic host and the token
// host.
type Environment string

// The Dayforce environments.
const (
	EnvProduction Environment = "www"
	EnvTouch      Environment = "touch"
	EnvTest       Environment = "test"
	EnvStage      Environment = "stage"
	EnvConfig     Environment = "config"
	EnvTrain      Environment = "train"
)

// hosts returns the environment's generic API base and token endpoint.
func (e Environment) hosts() (base, token string, err error) {
	switch e {
	case EnvProduction, EnvTouch, "":
		token = "https://dfid.dayforcehcm.com/connect/token"
	case EnvConfig, EnvTrain:
		token = "https://dfidconfig.np.dayforcehcm.com/connect/token"
	case EnvTest, EnvStage:
		token = "https://dfidtst.np.dayforcehcm.com/connect/token"
	default:
		return "", "", fmt.Errorf("unknown environment %q", string(e))
	}
	if e == "" {
		e = EnvProduction
	}
	return "https://" + string(e) + ".dayforcehcm.com/Api", token, nil
}

// AuthMode chooses how the client authenticates.
type AuthMode int

const (
	// AuthToken uses Dayforce ID bearer tokens (password grant), Dayforce's
	// recommendation. The default.
	AuthToken AuthMode = iota
	// AuthBasic sends the web-services user's credentials on every request.
	AuthBasic
)

// DefaultClientID is the client_id Dayforce documents for the token endpoint.
const DefaultClientID = "Dayforce.HCMAnywhere.Client"

// DefaultExpand is what [Client.Employee] expands unless told otherwise: the
// work-related entities dispatch needs, nothing personal.
var DefaultExpand = []string{"WorkAssignments", "EmploymentStatuses", "Locations", "Skills", "EmployeeCertifications", "Badges"}

// DefaultRateLimits is Dayforce's documented example limit (10 per second and 100 per
// minute, per client): the client never sends faster.
var DefaultRateLimits = []resilience.LimitPolicy{
	{Requests: 10, Per: time.Second, Burst: 5},
	{Requests: 100, Per: time.Minute, Burst: 10},
}

// Config says where the Dayforce instance is and how to log in.
type Config struct {
	// Namespace is the client namespace (the company id used to log in).
	Namespace string
	// Username and Password of the web-services user.
	Username, Password string
	// Environment decides the generic host and the token host (default EnvProduction).
	Environment Environment
	// Auth chooses tokens (default) or Basic.
	Auth AuthMode
	// BaseURL overrides the generic API base (default https://{env}.dayforcehcm.com/Api).
	// The client-specific host is discovered from it through ClientMetadata.
	BaseURL string
	// TokenURL overrides the token endpoint of the environment.
	TokenURL string
	// ClientID sent to the token endpoint (default [DefaultClientID]).
	ClientID string
	// AuthHosts are the hosts credentials may be sent to: host[:port], or
	// ".example.com" for every subdomain. Default: ".dayforcehcm.com" and BaseURL's host.
	AuthHosts []string
	// RateLimits are the client-side limits, all enforced (default
	// [DefaultRateLimits]); ignored when a limiter is given with WithLimiter.
	RateLimits []resilience.LimitPolicy
	// Expand is the default expand list of [Client.Employee] (default [DefaultExpand]).
	Expand []string
	// ServiceURITTL is how long a discovered ServiceUri is used before it is asked
	// again (default 24 h, as Dayforce asks).
	ServiceURITTL time.Duration
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Namespace == "" {
		errs = append(errs, errors.New("missing Namespace"))
	}
	if c.Username == "" {
		errs = append(errs, errors.New("missing Username"))
	}
	if c.Password == "" {
		errs = append(errs, errors.New("missing Password"))
	}
	if c.Auth != AuthToken && c.Auth != AuthBasic {
		errs = append(errs, fmt.Errorf("unknown Auth mode %d", c.Auth))
	}
	if _, _, err := c.Environment.hosts(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return &connectors.ConfigError{System: "dayforce", Problems: errs}
	}
	return nil
}

// Client calls Dayforce. It is safe for concurrent use.
type Client struct {
	cfg  Config
	ns   string
	base *url.URL // the generic API base
	end  connector.Endpoint
	log  *slog.Logger
	clk  clock.Clock
	host hostCache
}

// Option configures a [Client]. The options common to every connector have the same
// names in all six, but each connector's are its own type: another connector's
// option does not compile here.
type Option struct{ apply connector.Option }

// WithHTTPClient uses the transport of c as the base transport.
func WithHTTPClient(c *http.Client) Option { return Option{connector.WithHTTPClient(c)} }

// WithBaseURL overrides Config.BaseURL (e.g. with a dayforcetest server's generic URL).
func WithBaseURL(u string) Option { return Option{connector.WithBaseURL(u)} }

// WithPolicy replaces the default resilience policy ([resilience.Standard]).
func WithPolicy(p resilience.Policy) Option { return Option{connector.WithPolicy(p)} }

// WithLogger sets the logger; records are redacted (no tokens, no personal fields).
func WithLogger(l *slog.Logger) Option { return Option{connector.WithLogger(l)} }

// WithAuditor receives one audit event per operation.
func WithAuditor(a connectors.Auditor) Option { return Option{connector.WithAuditor(a)} }

// WithHooks sets the resilience layer's metrics and tracing hooks.
func WithHooks(h resilience.Hooks) Option { return Option{connector.WithHooks(h)} }

// WithLimiter replaces the client-side rate limiter, e.g. with one shared by replicas
// (Dayforce counts per client, not per process).
func WithLimiter(l resilience.Limiter) Option { return Option{connector.WithLimiter(l)} }

// WithClock sets the clock behind every wait (for tests).
func WithClock(c clock.Clock) Option { return Option{connector.WithClock(c)} }

// WithTelemetry traces and measures every operation and attempt (see package
// github.com/dispatchcenter/connectors/otel for OpenTelemetry).
func WithTelemetry(t resilience.Telemetry) Option { return Option{connector.WithTelemetry(t)} }

// personal names the fields the logger treats as personal.
var personal = []string{"FirstName", "LastName", "DisplayName", "CommonName", "EmployeeBadge", "BadgeNumber",
	"SupervisorBadge", "Latitude", "Longitude", "IPAddress", "password", "username", "Comment", "EmployeeComment", "ManagerComment"}

// New returns a client. Nothing is sent until the first call: then the token is
// fetched and the client-specific host is discovered.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := connector.Apply(opts, func(o Option) connector.Option { return o.apply })
	if o.BaseURL != "" {
		cfg.BaseURL = o.BaseURL
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	envBase, envToken, _ := cfg.Environment.hosts()
	if cfg.BaseURL == "" {
		cfg.BaseURL = envBase
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = envToken
	}
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.Expand == nil {
		cfg.Expand = DefaultExpand
	}
	if cfg.ServiceURITTL <= 0 {
		cfg.ServiceURITTL = 24 * time.Hour
	}
	if cfg.RateLimits == nil {
		cfg.RateLimits = DefaultRateLimits
	}
	base, err := connector.ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, &connectors.ConfigError{System: "dayforce", Problems: []error{err}}
	}
	if _, err := connector.ParseBaseURL(cfg.TokenURL); err != nil {
		return nil, &connectors.ConfigError{System: "dayforce", Problems: []error{fmt.Errorf("token URL: %w", err)}}
	}
	hosts := cfg.AuthHosts
	if len(hosts) == 0 {
		hosts = []string{".dayforcehcm.com", base.Host}
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	if o.Limiter == nil && len(cfg.RateLimits) > 0 {
		ls := make([]resilience.Limiter, 0, len(cfg.RateLimits))
		for _, p := range cfg.RateLimits {
			if p.Requests > 0 {
				ls = append(ls, resilience.NewTokenBucket(p, clk))
			}
		}
		if len(ls) > 0 {
			o.Limiter = resilience.AllOf(ls...)
		}
	}
	rt, err := connector.BaseTransport(tls.VersionTLS12, o)
	if err != nil {
		return nil, fmt.Errorf("dayforce: %w", err)
	}
	var a auth.Authenticator
	if cfg.Auth == AuthBasic {
		a = auth.Basic(cfg.Username, cfg.Password)
	} else {
		a = auth.FormToken(cfg.TokenURL, url.Values{"grant_type": {"password"}, "companyId": {cfg.Namespace},
			"username": {cfg.Username}, "password": {cfg.Password}, "client_id": {cfg.ClientID}},
			&http.Client{Transport: rt, Timeout: 30 * time.Second})
	}
	hc, err := connector.Build(connector.Stack{
		System: "dayforce", Policy: resilience.Standard(), Transport: rt, Personal: personal, Auth: a, AuthHosts: hosts,
		// redirects are followed by hand: Go would drop the credentials across hosts
		// and turn a redirected POST into a GET
		Redirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, o, base)
	if err != nil {
		return nil, fmt.Errorf("dayforce: %w", err)
	}
	c := &Client{cfg: cfg, ns: cfg.Namespace, base: base, clk: clk, log: redact.Logger(o.Logger, personal...)}
	c.end = connector.Endpoint{Names: operationNames(), Auditor: connector.Auditor{System: "dayforce", A: o.Auditor, Clock: clk}, HTTP: hc,
		Base: base.JoinPath(cfg.Namespace, "V1"), Refused: refused, Edit: c.route,
		Moved: func(resp *http.Response) bool {
			if !isRedirect(resp.StatusCode) {
				return false
			}
			c.forgetHost()
			return true
		}}
	c.host.ttl = cfg.ServiceURITTL
	return c, nil
}

// Health reports the health of the connection to Dayforce.
func (c *Client) Health() resilience.Health { return c.end.HTTP.Health() }

// hostCache holds the discovered ServiceUri; one caller resolves while the others wait.
type hostCache struct {
	mu  sync.Mutex
	uri *url.URL
	at  time.Time
	ttl time.Duration
}

// ServiceURI returns the client-specific API base, discovering it through
// ClientMetadata when it is not known or older than Config.ServiceURITTL.
func (c *Client) ServiceURI(ctx context.Context) (string, error) {
	u, err := c.serviceURI(ctx)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func (c *Client) serviceURI(ctx context.Context) (*url.URL, error) {
	c.host.mu.Lock()
	defer c.host.mu.Unlock()
	if c.host.uri != nil && c.clk.Now().Sub(c.host.at) < c.host.ttl {
		return c.host.uri, nil
	}
	u, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	c.host.uri, c.host.at = u, c.clk.Now()
	return u, nil
}

// forgetHost drops the cached ServiceUri (a call was redirected).
func (c *Client) forgetHost() {
	c.host.mu.Lock()
	c.host.uri = nil
	c.host.mu.Unlock()
}

const maxRedirects = 5

// discover calls ClientMetadata on the generic host and follows its redirects by
// hand, with the credentials re-attached for the configured Dayforce hosts only.
func (c *Client) discover(ctx context.Context) (*url.URL, error) {
	const op = "GET ClientMetadata"
	next := c.base.JoinPath(c.ns, "V1", "ClientMetadata")
	for range maxRedirects + 1 {
		req, err := http.NewRequestWithContext(resilience.Route(ctx, "GET "+next.Path), http.MethodGet, next.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("dayforce: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := c.end.HTTP.Do(req)
		if err != nil {
			return nil, connector.FailedCall("dayforce", op, err)
		}
		if isRedirect(resp.StatusCode) {
			loc, err := resp.Location()
			drain(resp)
			if err != nil {
				return nil, &connectors.APIError{System: "dayforce", Operation: op, StatusCode: resp.StatusCode,
					Message: "redirect without a usable Location", Kind: connectors.ErrUnavailable}
			}
			next = loc
			continue
		}
		env, err := decode[ClientMetadata](op, resp, false)
		if err != nil {
			return nil, err
		}
		u, err := connector.ParseBaseURL(env.Data.ServiceURI)
		if err != nil {
			return nil, &connectors.APIError{System: "dayforce", Operation: op, StatusCode: resp.StatusCode,
				Message: "ClientMetadata gave no usable ServiceUri", Kind: connectors.ErrUnavailable, Err: err}
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "dayforce: discovered the client host", slog.String("host", u.Host))
		return u, nil
	}
	return nil, &connectors.APIError{System: "dayforce", Operation: op, Message: "too many redirects", Kind: connectors.ErrUnavailable}
}

// route sends a request to the discovered client host: the generic base of its URL
// is replaced by the ServiceUri (the path after it is kept as is).
func (c *Client) route(req *http.Request) error {
	u, err := c.serviceURI(req.Context())
	if err != nil {
		return err
	}
	rest := strings.TrimPrefix(req.URL.Path, strings.TrimRight(c.base.Path, "/"))
	req.URL.Scheme, req.URL.Host, req.URL.Path, req.URL.RawPath = u.Scheme, u.Host, strings.TrimRight(u.Path, "/")+rest, ""
	req.Host = u.Host
	return nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}
