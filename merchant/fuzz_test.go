package merchant_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/resilience"
)

// FuzzAnswers gives the client arbitrary gateway answers (status, content type,
// Retry-After, body) to a tokenization and a sale on the XML interface, and to a read
// of the reporting contract after a real sign-in with the fake over mutual TLS:
// whatever the bytes, the client returns a value or an error of a documented class
// whose text holds no card number, CVV, merchant PIN or client secret.
func FuzzAnswers(f *testing.F) {
	srv := merchanttest.NewServer(f)
	cfg := srv.Config()
	tr, owned, err := connector.TLSTransport(cfg.TLS, tls.VersionTLS13, connector.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(owned.CloseIdleConnections)
	ans := &fakekit.Answer{Next: tr, Match: func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Path, "/v1/") || r.URL.Path == "/cgi-bin/ProcessXML.cgi"
	}}
	p := resilience.Critical()
	p.Breaker = resilience.BreakerPolicy{}
	c, err := merchant.New(cfg, merchant.WithHTTPClient(&http.Client{Transport: ans}), merchant.WithPolicy(p),
		merchant.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(c.Close)
	outputs := func(inner string) []byte {
		return []byte(`<?xml version="1.0"?><interface_driver>` + "\n<trans_catalog>\n<transaction>\n<outputs>\n" + inner + "</outputs>\n</transaction>\n</trans_catalog>\n</interface_driver>\n")
	}
	for _, s := range fakekit.Statuses {
		f.Add(uint8(0), s, "text/xml", "", outputs("<status>Approved</status>\n<result>PROFILEADD:Success:::0:::</result>\n<userprofileid>17522090</userprofileid>\n<last4digits>6781</last4digits>\n"))
		f.Add(uint8(1), s, "text/xml", "1", outputs("<status>Approved</status>\n<historyid>398182213</historyid>\n<total>125.5</total>\n<duplicate>0</duplicate>\n"))
		f.Add(uint8(1), s, "text/xml", "", outputs("<status>Declined</status>\n<result>DECLINED:1102140001:Invalid account number:</result>\n"))
		f.Add(uint8(2), s, "application/problem+json", "", []byte(`{"title":"Not found","status":404,"code":"not_found"}`))
	}
	f.Add(uint8(1), 200, "text/xml", "", []byte("&lt;?xml version=&quot;1.0&quot;?&gt;&lt;interface_driver&gt;&lt;trans_catalog&gt;&lt;transaction&gt;&lt;outputs&gt;&lt;status&gt;Approved"))
	f.Add(uint8(1), 200, "text/xml", "", []byte(`<interface_driver><trans_catalog><transaction><outputs><status>Approved</status><total>1e400</total>`))
	exp := time.Now().Year() + 2
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx := context.Background()
		var err error
		switch op % 3 {
		case 0:
			_, err = c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: exp, CVV: "737", HolderName: "Pat Doe"})
		case 1:
			_, err = c.Sale(ctx, merchant.Payment{Card: &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: exp, CVV: "737"},
				Amount: merchant.Money{Minor: 12550, Currency: "USD"}, OrderNumber: "INV-1001"})
		case 2:
			_, err = c.Transaction(ctx, "398000001")
		}
		if errors.Is(err, merchant.ErrDeclined) {
			// merchant's own documented class (a decline is no error of the root
			// package's kinds): its text is checked as the others are
			err = fmt.Errorf("%w: %w", connectors.ErrInvalidRequest, err)
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body), merchanttest.CardApproved, "737", merchanttest.ClientSecret, merchanttest.MerchantPIN, "Pat Doe")
	})
}
