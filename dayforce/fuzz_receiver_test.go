package dayforce_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/webhook"
)

// FuzzReceiver posts arbitrary bearer tokens, signatures, timestamps and bodies to
// the Dayforce events receiver: it answers as it documents, and only a delivery with
// the identity service's token and the relay secret's signature reaches the sink,
// where DecodeEvent takes whatever it holds. The seeds are real deliveries of the
// fake, captured on their way.
func FuzzReceiver(f *testing.F) {
	srv := dayforcetest.NewServer(f)
	var mu sync.Mutex
	var captured []http.Header
	var bodies [][]byte
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		captured, bodies = append(captured, r.Header.Clone()), append(bodies, b)
		mu.Unlock()
	}))
	f.Cleanup(capture.Close)
	if err := srv.Subscribe(capture.URL, relaySecret); err != nil {
		f.Fatal(err)
	}
	srv.Push(dayforce.WebhookEvent{EventType: dayforce.WebhookEventTypeScheduleChanged, EmployeeXRefCode: "E0001"})
	mu.Lock()
	if len(captured) == 0 {
		mu.Unlock()
		f.Fatal("the fake delivered nothing to capture")
	}
	token := bearerToken(captured[0].Get("Authorization"))
	for i, h := range captured {
		f.Add(h.Get("Authorization"), h.Get(dayforce.SignatureHeader), h.Get(dayforce.TimestampHeader), bodies[i])
	}
	mu.Unlock()
	f.Add("Bearer x.y.z", "sha256=00", "1", []byte(`{}`))
	f.Add("", "", "", []byte(`[`))

	target := &fakekit.Receiver{Headers: []string{"Authorization", dayforce.SignatureHeader, dayforce.TimestampHeader},
		ContentType: "application/json", Decode: func(b []byte) error { _, err := dayforce.DecodeEvent(b); return err }}
	rc, err := dayforce.NewReceiver(dayforce.ReceiverConfig{Secrets: [][]byte{relaySecret}, Bearer: srv.ReceiverBearer()},
		webhook.SinkFunc(func(_ context.Context, ev webhook.Event) error { return target.Got(ev.Body) }))
	if err != nil {
		f.Fatal(err)
	}
	target.Handler = rc
	signer, err := webhook.NewHMACSigner(dayforce.WebhookScheme(relaySecret))
	if err != nil {
		f.Fatal(err)
	}
	target.Signed = func(v []string, body []byte) bool { // the fake's token, and the relay secret's MAC of "timestamp.body"
		ts, err := strconv.ParseInt(v[2], 10, 64)
		if err != nil || bearerToken(v[0]) != token {
			return false
		}
		h := http.Header{}
		signer.Sign(h, time.Unix(ts, 0), body)
		return h.Get(dayforce.TimestampHeader) == v[2] &&
			strings.TrimPrefix(h.Get(dayforce.SignatureHeader), "sha256=") == strings.TrimPrefix(strings.ToLower(v[1]), "sha256=")
	}
	target.Check(f, []string{captured[0].Get("Authorization"), captured[0].Get(dayforce.SignatureHeader), captured[0].Get(dayforce.TimestampHeader)}, bodies[0])
	if target.Delivered() != 1 {
		f.Fatal("the fake's own delivery did not reach the sink: the seeds would test refusals only")
	}
	f.Fuzz(func(t *testing.T, authorization, sig, ts string, body []byte) {
		target.Check(t, []string{authorization, sig, ts}, body)
	})
}

// bearerToken is the token of an Authorization header ("Bearer <token>", the scheme
// in any case, RFC 6750 §2.1), or "".
func bearerToken(h string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}
