package webhook

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
)

// ClientCertOptions say which verified client certificates identify an allowed
// sender. At least one list must be set: a valid chain alone is not an identity.
type ClientCertOptions struct {
	// Subjects are allowed subject common names.
	Subjects []string
	// DNSNames are allowed DNS subject alternative names.
	DNSNames []string
	// SPKIPins are allowed base64 SHA-256 hashes of the certificate's public key
	// (survive re-issuing with the same key).
	SPKIPins []string
}

// ClientCert checks a sender's client certificate. Use [ClientCert.TLSConfig] on the
// server, so the check runs in VerifyConnection for every handshake, resumed sessions
// included; as a [Verifier] it checks the request's peer certificate again.
type ClientCert struct {
	subjects, dns, pins map[string]bool
}

// NewClientCert returns a client-certificate check; it refuses an empty allowlist.
func NewClientCert(o ClientCertOptions) (*ClientCert, error) {
	if len(o.Subjects)+len(o.DNSNames)+len(o.SPKIPins) == 0 {
		return nil, fmt.Errorf("%w: a client-certificate check needs subjects, DNS names or key pins", ErrConfig)
	}
	set := func(xs []string) map[string]bool {
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	return &ClientCert{subjects: set(o.Subjects), dns: set(o.DNSNames), pins: set(o.SPKIPins)}, nil
}

// SPKIPin returns the pin of a certificate, for ClientCertOptions.SPKIPins.
func SPKIPin(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (c *ClientCert) allowed(cert *x509.Certificate) bool {
	if c.subjects[cert.Subject.CommonName] || c.pins[SPKIPin(cert)] {
		return true
	}
	for _, d := range cert.DNSNames {
		if c.dns[d] {
			return true
		}
	}
	return false
}

var errNoClientCert = errors.New("no verified client certificate")

// VerifyConnection is for tls.Config.VerifyConnection: it runs after the chain was
// verified against ClientCAs, on every handshake including resumptions.
func (c *ClientCert) VerifyConnection(cs tls.ConnectionState) error {
	if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
		return verr("client-cert", fmt.Errorf("%w: %w", ErrUnauthorized, errNoClientCert))
	}
	if !c.allowed(cs.VerifiedChains[0][0]) {
		return verr("client-cert", ErrUnauthorized)
	}
	return nil
}

// TLSConfig returns a copy of base (which may be nil) that requires a client
// certificate signed by one of cas and allowed by c.
func (c *ClientCert) TLSConfig(base *tls.Config, cas *x509.CertPool) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = cas
	cfg.VerifyConnection = c.VerifyConnection
	return cfg
}

// Verify checks the request's verified peer certificate (defence in depth, and for
// servers whose TLS config is built elsewhere).
func (c *ClientCert) Verify(r *http.Request, _ []byte) (Verified, error) {
	if r.TLS == nil {
		return Verified{}, verr("client-cert", fmt.Errorf("%w: %w", ErrUnauthorized, errNoClientCert))
	}
	if err := c.VerifyConnection(*r.TLS); err != nil {
		return Verified{}, err
	}
	return Verified{}, nil
}
