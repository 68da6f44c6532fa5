package merchant_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

// BenchmarkAuthorize measures one authorization over loopback: mutual TLS 1.3 with
// connections reused, the fake gateway validating the request against the contract
// and storing the idempotent answer. "raw" is the same POST through a bare
// http.Client, its answer decoded into the same Transaction, so sdk minus raw is what
// the SDK adds (generated client, resilience layer, token, idempotency key, money
// checks, audit). Allocations include the fake's,
// which runs in the same process.
func BenchmarkAuthorize(b *testing.B) {
	srv := merchanttest.NewServer(b, merchanttest.WithHistory(0))
	c, err := merchant.New(srv.Config())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	tok, err := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2035})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(1000 + int64(i%5000)), OrderNumber: fmt.Sprintf("B-%d", i)})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		cfg := srv.Config()
		cert, err := tls.X509KeyPair(cfg.TLS.CertPEM, cfg.TLS.KeyPEM)
		if err != nil {
			b.Fatal(err)
		}
		tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: srv.CAPool(), Certificates: []tls.Certificate{cert}}}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		form := strings.NewReader("grant_type=client_credentials&client_id=" + merchanttest.ClientID + "&client_secret=" + merchanttest.ClientSecret)
		resp, err := hc.Post(srv.URL+"/oauth/token", "application/x-www-form-urlencoded", form)
		if err != nil {
			b.Fatal(err)
		}
		var at struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&at)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			body := fmt.Sprintf(`{"token":%q,"amount":%d,"currency":"USD","merchant_order_number":"R-%d"}`, tok.Token, 1000+i%5000, i)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/payments/authorizations", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+at.AccessToken)
			req.Header.Set("Idempotency-Key", fmt.Sprintf("raw-%d", i))
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var tx merchant.Transaction // decoded, as the SDK does
			err = json.NewDecoder(resp.Body).Decode(&tx)
			_ = resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			if resp.StatusCode != http.StatusCreated {
				b.Fatal(resp.Status)
			}
		}
	})
}
