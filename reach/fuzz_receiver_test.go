package reach_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/webhook"
)

// FuzzReceiver posts arbitrary Standard Webhooks headers and bodies to Reach's
// receiver: it answers as it documents, and only deliveries its secret signed reach
// the sink, where DecodeEvent takes whatever they hold.
func FuzzReceiver(f *testing.F) {
	target := &fakekit.Receiver{Headers: []string{"webhook-id", "webhook-timestamp", "webhook-signature"}, ContentType: "application/json",
		Decode: func(b []byte) error { _, err := reach.DecodeEvent(b); return err }}
	rc, err := reach.NewReceiver(reach.ReceiverConfig{Secrets: []string{reachSecret}},
		webhook.SinkFunc(func(_ context.Context, ev webhook.Event) error { return target.Got(ev.Body) }))
	if err != nil {
		f.Fatal(err)
	}
	target.Handler = rc
	signer, err := webhook.NewStandardSigner(reachSecret, nil)
	if err != nil {
		f.Fatal(err)
	}
	if target.Signed, err = fakekit.StandardSigned(reachSecret); err != nil {
		f.Fatal(err)
	}
	for i, body := range []string{`{"id":"evt_1","type":"servicerequest.created","service_request_id":"SR000001"}`, `{"id":"evt_2","type":"nope"}`, `{`, ``} {
		h := http.Header{}
		signer.Sign(h, "msg_"+string(rune('a'+i)), time.Now(), []byte(body))
		v := []string{h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")}
		f.Add(v[0], v[1], v[2], []byte(body))
	}
	f.Add("msg", "1614265330", "v1,AAAA", []byte(`{}`))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		target.Check(t, []string{id, ts, sig}, body)
	})
}
