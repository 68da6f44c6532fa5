package maddenco_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
)

const inboundKey = "mc-inbound-7f3a9c41d2e8b6"

func TestMaddencoPushesEvents(t *testing.T) {
	got := fakekit.NewEventSink(maddenco.DecodeEvent)
	rc, err := maddenco.NewReceiver(maddenco.ReceiverConfig{Keys: []string{"mc-inbound-retired-0001", inboundKey}, AllowedCIDRs: []string{"127.0.0.0/8", "::1/128"}}, got)
	require.NoError(t, err)
	hook := httptest.NewServer(rc)
	defer hook.Close()

	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(20))
	require.NoError(t, srv.Subscribe(hook.URL, inboundKey))
	require.True(t, srv.SetStatus(maddencotest.EquipmentID(4), maddenco.EquipmentStatusOutOfService))
	due := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	alert := maddenco.Event{ID: "mce_alert_1", Type: maddenco.EventTypeMaintenanceAlert, EquipmentID: maddencotest.EquipmentID(5),
		OccurredAt: due, Message: "hydraulic service due"}
	srv.Push(alert)
	srv.Push(alert) // Maddenco sends it again: acknowledged, not processed twice
	srv.Push(maddenco.Event{Type: maddenco.EventTypeInventoryLowStock, PartNumber: maddencotest.PartNumber(3), QuantityOnHand: 2, ReorderPoint: 10})

	evs := got.All()
	require.Len(t, evs, 3, "delivered before the calls returned, the repeat dropped")
	assert.Equal(t, maddenco.EventTypeEquipmentStatusChanged, evs[0].Type)
	assert.Equal(t, maddenco.EquipmentStatusOutOfService, evs[0].Status)
	assert.NotEmpty(t, evs[0].PreviousStatus)
	assert.Equal(t, maddencotest.EquipmentID(4), evs[0].EquipmentID)
	assert.Equal(t, maddenco.EventTypeMaintenanceAlert, evs[1].Type)
	assert.Equal(t, maddenco.EventTypeInventoryLowStock, evs[2].Type)
	assert.Equal(t, 2, evs[2].QuantityOnHand)
	for _, d := range srv.Deliveries() {
		assert.Equal(t, 1, d.Attempts)
		assert.Less(t, d.Status, 300)
	}
}

func TestMaddencoReceiverRefuses(t *testing.T) {
	cases := []struct {
		name   string
		cidrs  []string
		key    string
		status int
	}{
		{"wrong key", []string{"127.0.0.0/8", "::1/128"}, "guess", http.StatusUnauthorized},
		{"outside the allowlist", []string{"192.0.2.0/24"}, inboundKey, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fakekit.NewEventSink(maddenco.DecodeEvent)
			rc, err := maddenco.NewReceiver(maddenco.ReceiverConfig{Keys: []string{inboundKey}, AllowedCIDRs: tc.cidrs}, got)
			require.NoError(t, err)
			hook := httptest.NewServer(rc)
			defer hook.Close()
			srv := maddencotest.NewServer(t, maddencotest.WithEquipment(5))
			require.NoError(t, srv.Subscribe(hook.URL, tc.key))
			srv.Push(maddenco.Event{Type: maddenco.EventTypeInventoryLowStock, PartNumber: maddencotest.PartNumber(1)})
			assert.Empty(t, got.All())
			ds := srv.Deliveries()
			require.Len(t, ds, 1)
			assert.Equal(t, tc.status, ds[0].Status)
		})
	}
	_, err := maddenco.NewReceiver(maddenco.ReceiverConfig{Keys: []string{inboundKey}}, nil)
	assert.ErrorContains(t, err, "AllowedCIDRs", "an allowlist is required")
	_, err = maddenco.NewReceiver(maddenco.ReceiverConfig{AllowedCIDRs: []string{"127.0.0.1"}}, nil)
	assert.Error(t, err, "no key: refused")
	_, err = maddenco.DecodeEvent([]byte(`{"id":"x","type":"equipment.exploded","occurred_at":"2026-01-01T00:00:00Z"}`))
	assert.ErrorContains(t, err, "unknown event type")
}
