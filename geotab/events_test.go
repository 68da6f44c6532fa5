package geotab_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/webhook"
)

var relaySecret = []byte("geotab-relay-secret-0123456789")

func TestGeofenceEventsArePushedSignedAndDeduplicated(t *testing.T) {
	sink := fakekit.NewEventSink(geotab.DecodeEvent)
	rc, err := geotab.NewReceiver(geotab.ReceiverConfig{Secrets: [][]byte{relaySecret}, AllowedNetworks: []string{"127.0.0.0/8", "::1"}}, sink)
	require.NoError(t, err)
	var failFirst atomic.Int64
	failFirst.Store(2) // the receiver is down for the first two attempts
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failFirst.Add(-1) >= 0 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		rc.ServeHTTP(w, r)
	}))
	defer hook.Close()

	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(10), geotabtest.WithZones(10))
	require.NoError(t, srv.Subscribe(hook.URL, relaySecret))
	srv.Advance(3 * time.Hour)

	srv.Push(geotab.WebhookEvent{Type: geotab.WebhookEventTypeVehicleLocation, Device: geotab.NewRef("b1"), Latitude: 43.6, Longitude: -79.4})

	ds := srv.Deliveries()
	require.NotEmpty(t, ds)
	assert.Equal(t, 3, ds[0].Attempts, "retried until it got through")
	assert.Equal(t, http.StatusAccepted, ds[0].Status)
	events := sink.All()
	require.Len(t, events, len(ds), "every delivery handed off once")
	kinds := map[geotab.WebhookEventType]int{}
	for _, e := range events {
		kinds[e.Type]++
		assert.NotEmpty(t, e.Device.ID)
	}
	assert.Positive(t, kinds[geotab.WebhookEventTypeGeofenceEntered])
	assert.Positive(t, kinds[geotab.WebhookEventTypeGeofenceExited])
	assert.Equal(t, geotab.WebhookEventTypeVehicleLocation, events[len(events)-1].Type, "pushed on demand")

	// a replay of a captured delivery is acknowledged and not processed again
	body := []byte(`{"id":"x","type":"geofence.entered","occurredAt":"2026-01-05T08:00:00.000Z","device":{"id":"b1"}}`)
	signer, _ := webhook.NewHMACSigner(geotab.WebhookScheme(relaySecret))
	send := func() int {
		r, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		signer.Sign(r.Header, time.Now(), body)
		resp, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	n := len(events)
	assert.Equal(t, 202, send())
	assert.Equal(t, 200, send(), "duplicate")
	assert.Len(t, sink.All(), n+1)
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

func TestReceiverRefusesOutsidersAndForgeries(t *testing.T) {
	rc, err := geotab.NewReceiver(geotab.ReceiverConfig{Secrets: [][]byte{relaySecret}, AllowedNetworks: []string{"10.0.0.0/8"}},
		webhook.SinkFunc(func(context.Context, webhook.Event) error { return nil }))
	require.NoError(t, err)
	body := []byte(`{"id":"x","type":"geofence.entered","occurredAt":"2026-01-05T08:00:00.000Z","device":{"id":"b1"}}`)
	signer, _ := webhook.NewHMACSigner(geotab.WebhookScheme(relaySecret))
	cases := []struct {
		name   string
		remote string
		sign   bool
		want   int
	}{
		{"from the relay's network", "10.1.2.3:4000", true, 202},
		{"from elsewhere", "203.0.113.5:4000", true, 403},
		{"unsigned", "10.1.2.3:4000", false, 401},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodPost, "/hooks/geotab", bytes.NewReader(body))
		r.RemoteAddr = tc.remote
		r.Header.Set("Content-Type", "application/json")
		if tc.sign {
			signer.Sign(r.Header, time.Now(), body)
		}
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		assert.Equal(t, tc.want, w.Code, tc.name)
	}
	_, err = geotab.DecodeEvent([]byte(`{"id":"x","type":"teleported"}`))
	assert.Error(t, err)
	_, err = geotab.NewReceiver(geotab.ReceiverConfig{}, nil)
	assert.Error(t, err, "no secret: refused")
}
