package merchanttest_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// raw is an HTTP client presenting the fake's client certificate, with a token.
type raw struct {
	t     *testing.T
	srv   *merchanttest.Server
	hc    *http.Client
	token string
}

func newRaw(t *testing.T, srv *merchanttest.Server) *raw {
	cfg := srv.Config()
	cert, err := tls.X509KeyPair(cfg.TLS.CertPEM, cfg.TLS.KeyPEM)
	require.NoError(t, err)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool(), Certificates: []tls.Certificate{cert}}}
	t.Cleanup(tr.CloseIdleConnections)
	r := &raw{t: t, srv: srv, hc: &http.Client{Transport: tr}}
	resp, err := r.hc.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {merchanttest.ClientID}, "client_secret": {merchanttest.ClientSecret}})
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	_ = resp.Body.Close()
	r.token = tok.AccessToken
	return r
}

func (r *raw) post(path, key, body string) (int, http.Header, string) {
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := r.hc.Do(req)
	require.NoError(r.t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header, string(b)
}

func TestIdempotencyAsAGatewayDoes(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	r := newRaw(t, srv)
	status, _, body := r.post("/v1/tokens", "t1", `{"number":"`+merchanttest.CardApproved+`","exp_month":12,"exp_year":2040}`)
	require.Equal(t, http.StatusCreated, status, body)
	var tok struct {
		Token string `json:"token"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &tok))

	auth := `{"token":"` + tok.Token + `","amount":5000,"currency":"USD","merchant_order_number":"I-1"}`
	s1, _, b1 := r.post("/v1/payments/authorizations", "a1", auth)
	s2, h2, b2 := r.post("/v1/payments/authorizations", "a1", auth)
	assert.Equal(t, http.StatusCreated, s1)
	assert.Equal(t, s1, s2)
	assert.JSONEq(t, b1, b2, "the same key and body: the same answer")
	assert.Equal(t, "true", h2.Get("Idempotent-Replayed"))
	s3, _, b3 := r.post("/v1/payments/authorizations", "a1", strings.Replace(auth, "5000", "5001", 1))
	assert.Equal(t, http.StatusUnprocessableEntity, s3)
	assert.Contains(t, b3, "idempotency_key_reused")
	assert.Equal(t, 1, srv.Payments())

	s4, _, b4 := r.post("/v1/payments/authorizations", "", auth)
	assert.Equal(t, http.StatusBadRequest, s4, "the key is required by the contract")
	assert.Contains(t, b4, "validation_failed")
}

func TestCardDataIsNeverEchoedOrRecorded(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	r := newRaw(t, srv)
	status, _, body := r.post("/v1/tokens", "t1", `{"number":"`+merchanttest.CardApproved+`","exp_month":13,"exp_year":2040,"cvv":"9731x"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.NotContains(t, body, merchanttest.CardApproved, "the validation error does not quote card data")
	assert.NotContains(t, body, "9731")
	status, _, _ = r.post("/v1/tokens", "t2", `{"number":"`+merchanttest.CardApproved+`","exp_month":12,"exp_year":2040,"cvv":"9731"}`)
	assert.Equal(t, http.StatusCreated, status)
	for _, req := range srv.Requests() {
		assert.NotContains(t, req.Body, merchanttest.CardApproved)
		assert.NotContains(t, req.Body, "9731")
		if req.Path == "/v1/tokens" {
			assert.Contains(t, req.Body, "****6781")
		}
	}
}

func TestTokenEndpointNeedsTheClientCertificate(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool()}}
	defer tr.CloseIdleConnections()
	_, err := (&http.Client{Transport: tr}).PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}})
	require.Error(t, err)
	// the server logs the refusal after the client has its error: wait for it
	require.Eventually(t, func() bool { return srv.RefusedHandshakes() == 1 }, 5*time.Second, time.Millisecond)
	assert.Zero(t, srv.TokensIssued())
}
