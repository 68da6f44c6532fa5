package merchant_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/internal/clock"
	"github.com/dispatchcenter/connectors/internal/connector"
	"github.com/dispatchcenter/connectors/internal/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/resilience"
)

// FuzzAnswers gives the client arbitrary gateway answers (status, content type,
// Retry-After, body) to a tokenization, an authorization and a read, after a real
// sign-in with the fake over mutual TLS: whatever the bytes, the client returns a
// value or an error of a documented class whose text holds no card number, CVV or
// client secret.
func FuzzAnswers(f *testing.F) {
	srv := merchanttest.NewServer(f)
	cfg := srv.Config()
	tr, owned, err := connector.TLSTransport(cfg.TLS, tls.VersionTLS13, connector.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(owned.CloseIdleConnections)
	ans := &fakekit.Answer{Next: tr, Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/v1/") }}
	p := resilience.Critical()
	p.Breaker = resilience.BreakerPolicy{}
	c, err := merchant.New(cfg, merchant.WithHTTPClient(&http.Client{Transport: ans}), merchant.WithPolicy(p),
		merchant.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(c.Close)
	for _, s := range fakekit.Statuses {
		f.Add(uint8(0), s, "application/json", "", []byte(`{"token":"tok_1","last4":"4242","brand":"visa","exp_month":12,"exp_year":2030}`))
		f.Add(uint8(1), s, "application/json", "1", []byte(`{"id":"txn_1","status":"authorized","amount":{"minor":12550,"currency":"USD"}}`))
		f.Add(uint8(2), s, "application/problem+json", "", []byte(`{"title":"Declined","status":402,"code":"card_declined","decline_code":"05"}`))
	}
	f.Add(uint8(1), 201, "application/json", "", []byte(`{"id":"txn_1","status":`))
	exp := time.Now().Year() + 2
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx := context.Background()
		var err error
		switch op % 3 {
		case 0:
			_, err = c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: exp, CVV: "737", HolderName: "Pat Doe"})
		case 1:
			_, err = c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: merchant.Money{Minor: 12550, Currency: "USD"},
				OrderNumber: "INV-1001"})
		case 2:
			_, err = c.Transaction(ctx, "txn_1")
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body), merchanttest.CardApproved, "737", merchanttest.ClientSecret, "Pat Doe")
	})
}
