package merchant_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/webhook"
)

// FuzzReceiver posts arbitrary Standard Webhooks headers and bodies to the gateway's
// events receiver, on the mutual-TLS connection state of a real delivery of the fake
// (captured over TLS with the gateway's client certificate): it answers as it
// documents, only deliveries the gateway's secret signed reach the sink, and
// DecodeEvent takes whatever they hold.
func FuzzReceiver(f *testing.F) {
	srv := merchanttest.NewServer(f, merchanttest.WithHistory(0))
	target := &fakekit.Receiver{Headers: []string{"webhook-id", "webhook-timestamp", "webhook-signature"}, ContentType: "application/json",
		Decode: func(b []byte) error { _, err := merchant.DecodeEvent(b); return err }}
	rc, err := merchant.NewReceiver(merchant.ReceiverConfig{Secrets: []string{merchanttest.WebhookSecret},
		ClientCert: webhook.ClientCertOptions{Subjects: []string{merchanttest.GatewayCertName}}, GatewayCAs: srv.CAPool()},
		webhook.SinkFunc(func(_ context.Context, ev webhook.Event) error { return target.Got(ev.Body) }))
	if err != nil {
		f.Fatal(err)
	}
	var mu sync.Mutex
	var captured []*http.Request
	var bodies [][]byte
	hook := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		captured, bodies = append(captured, r), append(bodies, b)
		mu.Unlock()
	}))
	cert, err := srv.IssueServerCertificate()
	if err != nil {
		f.Fatal(err)
	}
	hook.TLS = rc.TLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}})
	hook.Config.ErrorLog = log.New(io.Discard, "", 0)
	hook.StartTLS()
	f.Cleanup(hook.Close)
	if err := srv.Subscribe(hook.URL); err != nil {
		f.Fatal(err)
	}
	c := newClient(f, srv)
	tok, err := c.Tokenize(context.Background(), merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVV: "123"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.Sale(context.Background(), merchant.Payment{Token: tok.Token, Amount: usd(2500), OrderNumber: "FUZZ-1"}); err != nil {
		f.Fatal(err)
	}
	mu.Lock()
	if len(captured) == 0 {
		mu.Unlock()
		f.Fatal("the fake delivered nothing to capture")
	}
	target.TLS = captured[0].TLS
	for i, r := range captured {
		f.Add(r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), bodies[i])
	}
	mu.Unlock()
	f.Add("msg", "1614265330", "v1,AAAA", []byte(`{}`))
	target.Handler = rc
	if target.Signed, err = fakekit.StandardSigned(merchanttest.WebhookSecret); err != nil {
		f.Fatal(err)
	}
	target.Check(f, []string{captured[0].Header.Get("webhook-id"), captured[0].Header.Get("webhook-timestamp"), captured[0].Header.Get("webhook-signature")}, bodies[0])
	if target.Delivered() != 1 {
		f.Fatal("the fake's own delivery did not reach the sink: the seeds would test refusals only")
	}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		target.Check(t, []string{id, ts, sig}, body)
	})
}
