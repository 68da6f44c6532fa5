package geotab_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/webhook"
)

// FuzzReceiver posts arbitrary signature and timestamp headers and bodies to the
// GeoTab events receiver: it answers as it documents, and only deliveries its secret
// signed reach the sink, where DecodeEvent takes whatever they hold.
func FuzzReceiver(f *testing.F) {
	secret := []byte("geotab-relay-secret-0123456789ab")
	target := &fakekit.Receiver{Headers: []string{geotab.SignatureHeader, geotab.TimestampHeader}, ContentType: "application/json",
		Decode: func(b []byte) error { _, err := geotab.DecodeEvent(b); return err }}
	rc, err := geotab.NewReceiver(geotab.ReceiverConfig{Secrets: [][]byte{secret}},
		webhook.SinkFunc(func(_ context.Context, ev webhook.Event) error { return target.Got(ev.Body) }))
	if err != nil {
		f.Fatal(err)
	}
	signer, err := webhook.NewHMACSigner(geotab.WebhookScheme(secret))
	if err != nil {
		f.Fatal(err)
	}
	target.Handler = rc
	target.Signed = func(v []string, body []byte) bool { // the MAC of "timestamp.body", in any hex case, prefixed or not
		ts, err := strconv.ParseInt(v[1], 10, 64)
		if err != nil {
			return false
		}
		h := http.Header{}
		signer.Sign(h, time.Unix(ts, 0), body)
		return h.Get(geotab.TimestampHeader) == v[1] &&
			strings.TrimPrefix(h.Get(geotab.SignatureHeader), "sha256=") == strings.TrimPrefix(strings.ToLower(v[0]), "sha256=")
	}
	for _, body := range []string{`{"id":"e1","type":"geofence.entered","deviceId":"b1","zoneId":"z1","dateTime":"2026-12-01T08:00:00Z"}`,
		`{"id":"e2","type":"nope"}`, `{"id":`, ``} {
		h := http.Header{}
		signer.Sign(h, time.Now(), []byte(body))
		v := []string{h.Get(geotab.SignatureHeader), h.Get(geotab.TimestampHeader)}
		f.Add(v[0], v[1], []byte(body))
	}
	f.Add("sha256=00", "1", []byte(`{}`))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		target.Check(t, []string{sig, ts}, body)
	})
}
