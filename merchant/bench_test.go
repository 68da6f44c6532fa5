package merchant_test

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

// rawAnswer is the outputs a hand-written client would decode.
type rawAnswer struct {
	Status    string `xml:"trans_catalog>transaction>outputs>status"`
	Result    string `xml:"trans_catalog>transaction>outputs>result"`
	AuthCode  string `xml:"trans_catalog>transaction>outputs>authcode"`
	HistoryID string `xml:"trans_catalog>transaction>outputs>historyid"`
	OrderID   string `xml:"trans_catalog>transaction>outputs>orderid"`
	Total     string `xml:"trans_catalog>transaction>outputs>total"`
	AVS       string `xml:"trans_catalog>transaction>outputs>avsresult"`
	CVV       string `xml:"trans_catalog>transaction>outputs>cvv2result"`
	Duplicate string `xml:"trans_catalog>transaction>outputs>duplicate"`
}

// BenchmarkAuthorize measures one authorization over loopback through the XML
// interface (TLS, connections reused), the fake gateway parsing the request and
// keeping its ledger. "raw" is a bare net/http POST of the same XML, its answer
// decoded with encoding/xml, so sdk minus raw is what the SDK adds (the request
// document, the resilience layer, the answer's parsing and typing, money checks,
// audit). Allocations include the fake's, which runs in the same process.
func BenchmarkAuthorize(b *testing.B) {
	srv := merchanttest.NewServer(b, merchanttest.WithHistory(0))
	cfg := srv.Config()
	cfg.BaseURL = ""
	c, err := merchant.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2035, CVV: "123", HolderName: "Pat Doe"}
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			_, err := c.Authorize(ctx, merchant.Payment{Card: card, Amount: usd(1000 + int64(i%5000)), OrderNumber: fmt.Sprintf("B-%d", i)})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: srv.CAPool()}}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		b.ReportAllocs()
		for i := range b.N {
			amount := 1000 + i%5000
			body := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<interface_driver><trans_catalog><transaction name="creditcard"><inputs>`+
				`<amount>%d.%02d</amount><merchantordernumber>R-%d</merchantordernumber><currency>USD</currency><ccname>Pat Doe</ccname>`+
				`<ccnum>%s</ccnum><cvv2>123</cvv2><expmon>12</expmon><expyear>2035</expyear><acctid>TEST0</acctid>`+
				`<merchantpin>%s</merchantpin><service>1</service></inputs></transaction></trans_catalog></interface_driver>`,
				amount/100, amount%100, i, merchanttest.CardApproved, merchanttest.MerchantPIN)
			resp, err := hc.Post(cfg.GatewayURL, "application/xml", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			var ans rawAnswer // decoded, as a hand-written client would
			err = xml.NewDecoder(resp.Body).Decode(&ans)
			_ = resp.Body.Close()
			if err != nil || ans.Status != "Approved" {
				b.Fatal(err, ans.Status)
			}
		}
	})
}
