package maddenco_test

import (
	"context"
	"testing"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/webhook"
)

// FuzzReceiver posts arbitrary keys and bodies to Maddenco's receiver from an allowed
// address: it answers as it documents, only deliveries with an inbound key reach the
// sink, and DecodeEvent takes whatever they hold.
func FuzzReceiver(f *testing.F) {
	target := &fakekit.Receiver{Headers: []string{maddenco.KeyHeader}, ContentType: "application/json",
		Signed: func(v []string, _ []byte) bool { return v[0] == inboundKey }, Decode: func(b []byte) error { _, err := maddenco.DecodeEvent(b); return err }}
	rc, err := maddenco.NewReceiver(maddenco.ReceiverConfig{Keys: []string{inboundKey}, AllowedCIDRs: []string{"127.0.0.0/8"}},
		webhook.SinkFunc(func(_ context.Context, ev webhook.Event) error { return target.Got(ev.Body) }))
	if err != nil {
		f.Fatal(err)
	}
	target.Handler = rc
	for _, body := range []string{`{"id":"ev1","type":"maintenance.alert","equipment_id":"EQ00001","occurred_at":"2026-12-01T08:00:00Z"}`,
		`{"id":"ev2","type":"nope"}`, `[`, ``} {
		f.Add(inboundKey, []byte(body))
		f.Add("mc-inbound-wrong", []byte(body))
	}
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		target.Check(t, []string{key}, body)
	})
}
