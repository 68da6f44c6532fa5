package merchant_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/webhook"
)

// startReceiver serves a merchant receiver over mutual TLS with a certificate the
// fake trusts; the first delivery of each event has its acknowledgement lost (a 502
// from a proxy after the receiver took it), so the fake sends it again.
func startReceiver(t *testing.T, srv *merchanttest.Server, got webhook.Sink) *httptest.Server {
	t.Helper()
	rc, err := merchant.NewReceiver(merchant.ReceiverConfig{
		Secrets:    []string{merchanttest.WebhookSecret},
		ClientCert: webhook.ClientCertOptions{Subjects: []string{merchanttest.GatewayCertName}},
		GatewayCAs: srv.CAPool(),
	}, got)
	require.NoError(t, err)
	var mu sync.Mutex
	seen := map[string]bool{}
	hook := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		rc.ServeHTTP(rec, r)
		mu.Lock()
		first := !seen[r.Header.Get("Webhook-Id")]
		seen[r.Header.Get("Webhook-Id")] = true
		mu.Unlock()
		if first && rec.Code < 300 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(rec.Code)
	}))
	cert, err := srv.IssueServerCertificate()
	require.NoError(t, err)
	hook.TLS = rc.TLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}})
	hook.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	hook.StartTLS()
	t.Cleanup(hook.Close)
	return hook
}

func TestGatewayPushesEvents(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	got := fakekit.NewEventSink(merchant.DecodeEvent)
	hook := startReceiver(t, srv, got)
	require.NoError(t, srv.Subscribe(hook.URL))
	c := newClient(t, srv)
	ctx := context.Background()

	tok := tokenize(t, c, merchanttest.CardApproved)
	sale, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(merchanttest.FraudReviewAmount), OrderNumber: "EV-1"})
	require.NoError(t, err)
	_, err = c.Sale(ctx, merchant.Payment{Token: tokenize(t, c, merchanttest.CardDeclined).Token, Amount: usd(5000), OrderNumber: "EV-2"})
	require.ErrorIs(t, err, merchant.ErrDeclined)
	_, err = c.Refund(ctx, sale.ID, usd(1000), merchant.WithOrderNumber("EV-1-R1"))
	require.NoError(t, err)
	_, err = srv.RaiseChargeback(sale.ID, "13.1", "Services not received")
	require.NoError(t, err)

	assert.Equal(t, []merchant.EventType{merchant.EventTypePaymentCompleted, merchant.EventTypeFraudAlert, merchant.EventTypePaymentFailed,
		merchant.EventTypeRefundProcessed, merchant.EventTypeChargebackReceived}, types(got.All()), "each once, though each was delivered twice")
	for _, d := range srv.Deliveries() {
		assert.Equal(t, 2, d.Attempts, "the lost acknowledgement made the gateway send again")
		assert.Less(t, d.Status, 300, "the repeat is acknowledged")
	}
}

func TestReceiverRefuses(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	got := fakekit.NewEventSink(merchant.DecodeEvent)
	hook := startReceiver(t, srv, got)
	intruderCert, intruderKey, err := srv.IssueClientCertificate("intruder.example.com")
	require.NoError(t, err)
	intruder, err := tls.X509KeyPair(intruderCert, intruderKey)
	require.NoError(t, err)
	gwCert, gwKey, err := srv.IssueClientCertificate(merchanttest.GatewayCertName)
	require.NoError(t, err)
	gateway, err := tls.X509KeyPair(gwCert, gwKey)
	require.NoError(t, err)
	signer, err := webhook.NewStandardSigner(merchanttest.WebhookSecret, nil)
	require.NoError(t, err)
	forged, err := webhook.NewStandardSigner("whsec_Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0", nil)
	require.NoError(t, err)
	body := []byte(`{"id":"evt_x","type":"payment.completed","occurred_at":"2026-11-30T00:00:00Z","transaction_id":"txn_1"}`)

	cases := []struct {
		name    string
		certs   []tls.Certificate
		maxTLS  uint16
		sign    *webhook.StandardSigner
		status  int // 0: the handshake fails
		wantErr bool
	}{
		{"no client certificate", nil, 0, signer, 0, true},
		{"a certificate of another subject", []tls.Certificate{intruder}, 0, signer, 0, true},
		{"TLS 1.2", []tls.Certificate{gateway}, tls.VersionTLS12, signer, 0, true},
		{"the gateway's certificate, a forged signature", []tls.Certificate{gateway}, 0, forged, http.StatusUnauthorized, false},
		{"the gateway's certificate and signature", []tls.Certificate{gateway}, 0, signer, http.StatusAccepted, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool(), Certificates: tc.certs, MaxVersion: tc.maxTLS}}
			defer tr.CloseIdleConnections()
			req, err := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			tc.sign.Sign(req.Header, "evt_x_"+tc.name, time.Now(), body)
			resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Contains(t, []int{tc.status, http.StatusBadGateway}, resp.StatusCode)
		})
	}
	assert.Len(t, types(got.All()), 1, "only the genuine delivery got through")

	_, err = merchant.NewReceiver(merchant.ReceiverConfig{Secrets: []string{merchanttest.WebhookSecret},
		ClientCert: webhook.ClientCertOptions{Subjects: []string{"x"}}}, got)
	assert.ErrorContains(t, err, "GatewayCAs")
	_, err = merchant.NewReceiver(merchant.ReceiverConfig{Secrets: []string{merchanttest.WebhookSecret}, GatewayCAs: srv.CAPool()}, got)
	assert.Error(t, err, "a valid chain alone is not an identity")
	_, err = merchant.NewReceiver(merchant.ReceiverConfig{ClientCert: webhook.ClientCertOptions{Subjects: []string{"x"}}, GatewayCAs: srv.CAPool()}, got)
	assert.Error(t, err, "no secret: refused")
	_, err = merchant.DecodeEvent([]byte(`{"id":"x","type":"payment.vanished","occurred_at":"2026-01-01T00:00:00Z","transaction_id":"t"}`))
	assert.ErrorContains(t, err, "unknown event type")
}

func types(evs []merchant.Event) []merchant.EventType {
	var out []merchant.EventType
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}
