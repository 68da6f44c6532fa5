package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/dispatchcenter/connectors"
)

// Options configure [NewBase]. Zero values take the defaults noted on each field.
type Options struct {
	// TLS configures certificates and the minimum version.
	TLS TLSOptions
	// DialTimeout bounds establishing a TCP connection (default 10 s).
	DialTimeout time.Duration
	// KeepAlive is the TCP keep-alive period (default 30 s).
	KeepAlive time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake (default 10 s).
	TLSHandshakeTimeout time.Duration
	// IdleConnTimeout closes idle pooled connections (default 90 s).
	IdleConnTimeout time.Duration
	// MaxIdleConnsPerHost bounds idle connections kept per host (default 32; Go's
	// default of 2 churns connections under concurrent load).
	MaxIdleConnsPerHost int
	// MaxConnsPerHost bounds all connections per host (default 0: unbounded).
	MaxConnsPerHost int
	// Proxy selects a proxy; default http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
}

// NewBase returns a pooled *http.Transport for one connector. Connection reuse is on,
// HTTP/2 is attempted, and every phase before the response has a bound; the response
// itself is bounded by the resilience layer's timeouts, not here.
func NewBase(o Options) (*http.Transport, error) {
	tlsCfg, err := o.TLS.Config()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: or(o.DialTimeout, 10*time.Second), KeepAlive: or(o.KeepAlive, 30*time.Second)}
	proxy := http.ProxyFromEnvironment
	if o.Proxy != nil {
		proxy = o.Proxy
	}
	perHost := o.MaxIdleConnsPerHost
	if perHost <= 0 {
		perHost = 32
	}
	return &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   or(o.TLSHandshakeTimeout, 10*time.Second),
		IdleConnTimeout:       or(o.IdleConnTimeout, 90*time.Second),
		MaxIdleConns:          perHost * 4,
		MaxIdleConnsPerHost:   perHost,
		MaxConnsPerHost:       o.MaxConnsPerHost,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}, nil
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// TLSOptions describe the TLS side of a connector.
type TLSOptions struct {
	// MinVersion is the lowest TLS version accepted: tls.VersionTLS12 (the default and
	// the floor) or tls.VersionTLS13 (reach, as the integration design asks).
	MinVersion uint16
	// Certificates are client certificates for mutual TLS.
	Certificates []tls.Certificate
	// CertFile and KeyFile name a PEM client certificate and key (mutual TLS).
	CertFile, KeyFile string
	// CertPEM and KeyPEM hold a PEM client certificate and key.
	CertPEM, KeyPEM []byte
	// RootCAFile and RootCAPEM add CAs to the system pool (a vendor's private CA).
	RootCAFile string
	RootCAPEM  []byte
	// ServerName overrides the name checked in the server's certificate.
	ServerName string
}

// ErrTLSConfig is matched by every error of [TLSOptions.Config].
var ErrTLSConfig = errors.New("transport: invalid TLS configuration")

// Config builds the *tls.Config. It refuses a MinVersion below TLS 1.2 and a
// certificate without its key (or the reverse).
func (o TLSOptions) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.ServerName}
	switch o.MinVersion {
	case 0, tls.VersionTLS12:
	case tls.VersionTLS13:
		cfg.MinVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("%w: MinVersion %#04x is below TLS 1.2 or unknown", ErrTLSConfig, o.MinVersion)
	}
	cfg.Certificates = append(cfg.Certificates, o.Certificates...)
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, fmt.Errorf("%w: CertFile and KeyFile go together", ErrTLSConfig)
	}
	if o.CertFile != "" {
		c, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %w", ErrTLSConfig, err)
		}
		cfg.Certificates = append(cfg.Certificates, c)
	}
	if (len(o.CertPEM) == 0) != (len(o.KeyPEM) == 0) {
		return nil, fmt.Errorf("%w: CertPEM and KeyPEM go together", ErrTLSConfig)
	}
	if len(o.CertPEM) > 0 {
		c, err := tls.X509KeyPair(o.CertPEM, o.KeyPEM)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %w", ErrTLSConfig, err)
		}
		cfg.Certificates = append(cfg.Certificates, c)
	}
	if o.RootCAFile != "" || len(o.RootCAPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pem := o.RootCAPEM
		if o.RootCAFile != "" {
			b, err := os.ReadFile(o.RootCAFile)
			if err != nil {
				return nil, fmt.Errorf("%w: root CA: %w", ErrTLSConfig, err)
			}
			pem = append(append([]byte(nil), pem...), b...)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: root CA: no certificate found in PEM", ErrTLSConfig)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// UserAgent returns the SDK's User-Agent for a system, e.g.
// "dispatchcenter-connectors/0.1.0 (geotab; go1.25.4; linux/amd64)".
func UserAgent(system string) string {
	return "dispatchcenter-connectors/" + connectors.Version + " (" + system + "; " + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}
