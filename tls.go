package connectors

import "crypto/tls"

// MutualTLS is the client side of a mutual-TLS connection, for vendors that identify
// the dispatch center by its certificate (merchant, treadnet): the client certificate
// in one of three forms, and the CAs of the vendor's server certificate when a public
// CA did not sign it.
type MutualTLS struct {
	// CertFile and KeyFile name a PEM certificate (chain) and its key.
	CertFile, KeyFile string
	// CertPEM and KeyPEM hold a PEM certificate (chain) and its key.
	CertPEM, KeyPEM []byte
	// Certificate is a loaded certificate (e.g. from a key store or an HSM's signer).
	Certificate *tls.Certificate
	// RootCAFile and RootCAPEM add CAs to the system pool for the vendor's server
	// certificate.
	RootCAFile string
	RootCAPEM  []byte
}

// HasCertificate reports whether a client certificate is configured in any form.
func (m MutualTLS) HasCertificate() bool {
	return m.CertFile != "" || len(m.CertPEM) > 0 || m.Certificate != nil
}
