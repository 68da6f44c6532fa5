package fakekit

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"log"
	"net/http/httptest"
	"sync/atomic"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/testcert"
)

// MTLS is the mutual-TLS side of a fake: its own CA, a server certificate for
// loopback, a client certificate for the fake's Config, and a count of the
// handshakes it refused.
type MTLS struct {
	CA      *testcert.CA
	server  *testcert.Issued
	client  *testcert.Issued
	refused atomic.Int64
}

// NewMTLS creates a CA named caName and issues the server certificate and a client
// certificate with the common name clientCN.
func NewMTLS(caName, clientCN string) (*MTLS, error) {
	ca, err := testcert.NewCA(caName)
	if err != nil {
		return nil, err
	}
	srv, err := ca.Server()
	if err != nil {
		return nil, err
	}
	client, err := ca.Client(clientCN)
	if err != nil {
		return nil, err
	}
	return &MTLS{CA: ca, server: srv, client: client}, nil
}

// StartTLS starts s requiring a client certificate the CA signed, at TLS minVersion
// or later; refused handshakes are counted instead of logged.
func (m *MTLS) StartTLS(s *httptest.Server, minVersion uint16) {
	s.TLS = &tls.Config{MinVersion: minVersion, Certificates: []tls.Certificate{m.server.TLS},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: m.CA.Pool()}
	s.Config.ErrorLog = log.New(handshakeCounter{&m.refused}, "", 0)
	s.StartTLS()
}

// Client returns the client certificate and the CA to trust, for a connector's Config.
func (m *MTLS) Client() connectors.MutualTLS {
	return connectors.MutualTLS{CertPEM: m.client.CertPEM, KeyPEM: m.client.KeyPEM, RootCAPEM: m.CA.CertPEM}
}

// RefusedHandshakes returns how many TLS handshakes the server refused.
func (m *MTLS) RefusedHandshakes() int { return int(m.refused.Load()) }

// CAPool returns a pool holding the CA.
func (m *MTLS) CAPool() *x509.CertPool { return m.CA.Pool() }

// IssueClientCertificate issues another client certificate (PEM).
func (m *MTLS) IssueClientCertificate(cn string) (certPEM, keyPEM []byte, err error) {
	c, err := m.CA.Client(cn)
	if err != nil {
		return nil, nil, err
	}
	return c.CertPEM, c.KeyPEM, nil
}

// handshakeCounter counts the server's TLS handshake errors instead of printing them.
type handshakeCounter struct{ n *atomic.Int64 }

func (h handshakeCounter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		h.n.Add(1)
	}
	return len(p), nil
}
