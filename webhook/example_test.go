package webhook_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dispatchcenter/connectors/webhook"
)

// Receive Standard Webhooks deliveries: verify, de-duplicate, hand off, acknowledge.
func ExampleNewReceiver() {
	secret := webhook.EncodeSecret([]byte("a-secret-of-at-least-24-bytes!!"))
	verifier, err := webhook.NewStandard(webhook.StandardOptions{Secrets: []string{secret}})
	if err != nil {
		fmt.Println(err)
		return
	}
	events := make(webhook.ChanSink, 100) // use a durable sink in production
	rc, _ := webhook.NewReceiver(verifier, events, webhook.ReceiverOptions{})

	// what a sender does (the bundled fakes sign the same way)
	signer, _ := webhook.NewStandardSigner(secret, nil)
	body := []byte(`{"type":"equipment.status","equipment":"EQ-7"}`)
	for i := 0; i < 2; i++ { // the second delivery is a retry of the first
		r := httptest.NewRequest(http.MethodPost, "/hooks/maddenco", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		signer.Sign(r.Header, "evt_42", time.Now(), body)
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	ev := <-events
	fmt.Println(ev.Key, len(events))
	// Output:
	// 202
	// 200
	// evt_42 0
}

// Verify one Standard Webhooks request by hand (the published test vector).
func ExampleStandard_Verify() {
	v, _ := webhook.NewStandard(webhook.StandardOptions{Secrets: []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		Tolerance: 100 * 365 * 24 * time.Hour}) // the vector is from 2021
	body := []byte(`{"test": 2432232314}`)
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	r.Header.Set("webhook-timestamp", "1614265330")
	r.Header.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	got, err := v.Verify(r, body)
	fmt.Println(got.ID, err)
	_, err = v.Verify(r, []byte(`{"test":2432232314}`)) // re-serialised JSON
	fmt.Println(err)
	// Output:
	// msg_p5jXN8AQM9LWM0D4loKWxJek <nil>
	// standard-webhooks: webhook: signature does not match
}
