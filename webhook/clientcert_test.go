package webhook

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/internal/testcert"
)

func TestClientCertificate(t *testing.T) {
	ca, err := testcert.NewCA("merchant-ca")
	require.NoError(t, err)
	good, err := ca.Client("merchant-webhooks")
	require.NoError(t, err)
	other, err := ca.Client("someone-else")
	require.NoError(t, err)
	sc, err := ca.Server()
	require.NoError(t, err)
	_, err = NewClientCert(ClientCertOptions{})
	assert.ErrorIs(t, err, ErrConfig, "a valid chain alone is not an identity")
	cc, err := NewClientCert(ClientCertOptions{Subjects: []string{"merchant-webhooks"}})
	require.NoError(t, err)

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := cc.Verify(r, nil); err != nil {
			http.Error(w, "no", HTTPStatus(err))
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	srv.TLS = cc.TLSConfig(&tls.Config{Certificates: []tls.Certificate{sc.TLS}}, ca.Pool())
	srv.StartTLS()
	defer srv.Close()
	call := func(cert *tls.Certificate) error {
		cfg := &tls.Config{RootCAs: ca.Pool()}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{*cert}
		}
		tr := &http.Transport{TLSClientConfig: cfg}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return assert.AnError
		}
		return nil
	}
	assert.NoError(t, call(&good.TLS))
	assert.Error(t, call(&other.TLS), "refused in the handshake: subject not allowed")
	assert.Error(t, call(nil), "no certificate")

	pinned, err := NewClientCert(ClientCertOptions{SPKIPins: []string{SPKIPin(other.TLS.Leaf)}})
	require.NoError(t, err)
	assert.NoError(t, pinned.VerifyConnection(tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{other.TLS.Leaf}}}))
	_, err = pinned.Verify(httptest.NewRequest("POST", "/", nil), nil)
	assert.ErrorIs(t, err, ErrUnauthorized, "plain HTTP has no certificate")
}
