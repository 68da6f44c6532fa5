package transport

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/testcert"
)

// mtlsServer requires a client certificate signed by ca and echoes its common name.
func mtlsServer(t *testing.T, ca *testcert.CA, maxVersion uint16) *httptest.Server {
	t.Helper()
	sc, err := ca.Server()
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{sc.TLS}, ClientCAs: ca.Pool(),
		ClientAuth: tls.RequireAndVerifyClientCert, MaxVersion: maxVersion}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestMutualTLSFromPEMFilesBytesAndCertificates(t *testing.T) {
	ca, err := testcert.NewCA("vendor-ca")
	require.NoError(t, err)
	cc, err := ca.Client("dispatch-client")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	certFile, keyFile, caFile := write("c.pem", cc.CertPEM), write("k.pem", cc.KeyPEM), write("ca.pem", ca.CertPEM)
	srv := mtlsServer(t, ca, 0)
	cases := []struct {
		name string
		opts TLSOptions
	}{
		{"PEM files", TLSOptions{CertFile: certFile, KeyFile: keyFile, RootCAFile: caFile}},
		{"PEM bytes", TLSOptions{CertPEM: cc.CertPEM, KeyPEM: cc.KeyPEM, RootCAPEM: ca.CertPEM}},
		{"tls.Certificate", TLSOptions{Certificates: []tls.Certificate{cc.TLS}, RootCAPEM: ca.CertPEM, MinVersion: tls.VersionTLS13}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := NewBase(Options{TLS: tc.opts})
			require.NoError(t, err)
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, "dispatch-client", string(b))
		})
	}
	t.Run("no client certificate is refused", func(t *testing.T) {
		tr, err := NewBase(Options{TLS: TLSOptions{RootCAPEM: ca.CertPEM}})
		require.NoError(t, err)
		defer tr.CloseIdleConnections()
		_, err = (&http.Client{Transport: tr}).Get(srv.URL)
		assert.Error(t, err)
	})
}

func TestTLS13MinimumRefusesATLS12Server(t *testing.T) {
	ca, err := testcert.NewCA("ca")
	require.NoError(t, err)
	cc, err := ca.Client("c")
	require.NoError(t, err)
	srv := mtlsServer(t, ca, tls.VersionTLS12)
	tr, err := NewBase(Options{TLS: TLSOptions{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cc.TLS}, RootCAPEM: ca.CertPEM}})
	require.NoError(t, err)
	defer tr.CloseIdleConnections()
	_, err = (&http.Client{Transport: tr}).Get(srv.URL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "protocol version")
}

func TestTLSConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		opts TLSOptions
		want string
	}{
		{"TLS 1.1", TLSOptions{MinVersion: tls.VersionTLS11}, "below TLS 1.2"},
		{"cert without key file", TLSOptions{CertFile: "c.pem"}, "go together"},
		{"cert without key PEM", TLSOptions{CertPEM: []byte("x")}, "go together"},
		{"bad PEM", TLSOptions{CertPEM: []byte("x"), KeyPEM: []byte("y")}, "client certificate"},
		{"missing file", TLSOptions{CertFile: "/nonexistent/c", KeyFile: "/nonexistent/k"}, "client certificate"},
		{"bad CA", TLSOptions{RootCAPEM: []byte("not pem")}, "no certificate"},
		{"missing CA file", TLSOptions{RootCAFile: "/nonexistent/ca"}, "root CA"},
	}
	for _, tc := range cases {
		_, err := tc.opts.Config()
		require.Error(t, err, tc.name)
		assert.ErrorIs(t, err, ErrTLSConfig, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
	cfg, err := TLSOptions{}.Config()
	require.NoError(t, err)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion, "TLS 1.2 is the floor by default")
}

func TestBaseTransportDefaults(t *testing.T) {
	tr, err := NewBase(Options{})
	require.NoError(t, err)
	assert.Equal(t, 32, tr.MaxIdleConnsPerHost)
	assert.NotZero(t, tr.TLSHandshakeTimeout)
	assert.NotZero(t, tr.IdleConnTimeout)
	assert.True(t, tr.ForceAttemptHTTP2)
}

func TestUserAgentNamesSDKVersionAndSystem(t *testing.T) {
	ua := UserAgent("geotab")
	assert.True(t, strings.HasPrefix(ua, "dispatchcenter-connectors/"+connectors.Version+" (geotab; go"), ua)
}
