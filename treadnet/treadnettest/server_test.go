package treadnettest_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, srv *treadnettest.Server, certs []tls.Certificate, path string) (int, string, error) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool(), Certificates: certs}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestTheFakeChecksCertificatesAndTheContract(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithSites(12), treadnettest.WithHistory(5))
	cfg := srv.Config()
	cert, err := tls.X509KeyPair(cfg.TLS.CertPEM, cfg.TLS.KeyPEM)
	require.NoError(t, err)
	mine := []tls.Certificate{cert}

	status, body, err := get(t, srv, mine, "/api/v1/outages?status=open")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status, body)
	status, body, err = get(t, srv, mine, "/api/v1/outages?status=flapping")
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "validation_failed")
	status, _, err = get(t, srv, mine, "/api/v1/nothing")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, status)

	_, _, err = get(t, srv, nil, "/api/v1/network/status")
	assert.Error(t, err, "no client certificate: no connection")
	// the server logs the refusal after the client has its error: wait for it
	require.Eventually(t, func() bool { return srv.RefusedHandshakes() == 1 }, 5*time.Second, time.Millisecond)
	assert.Len(t, srv.Sites(), 12)
	assert.Equal(t, "127.0.1.1", treadnettest.AgentAddress(1))
	assert.Equal(t, "127.0.2.1", treadnettest.AgentAddress(251))
}
