package reach_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/webhook"
)

const reachSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestReachPushesSignedEvents(t *testing.T) {
	var mu sync.Mutex
	var got []reach.Event
	rc, err := reach.NewReceiver(reach.ReceiverConfig{Secrets: []string{reachSecret}},
		webhook.SinkFunc(func(_ context.Context, ev webhook.Event) error {
			e, err := reach.DecodeEvent(ev.Body)
			if err != nil {
				return err
			}
			assert.Equal(t, e.ID, ev.Key, "de-duplication keys on the signed event id")
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
			return nil
		}))
	require.NoError(t, err)
	hook := httptest.NewServer(rc)
	defer hook.Close()

	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(0))
	require.NoError(t, srv.Subscribe(hook.URL, reachSecret))
	c := newClient(t, srv)
	ctx := context.Background()
	sr, err := c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "Gas smell", Priority: reach.PriorityEmergency})
	require.NoError(t, err)
	_, err = c.SetStatus(ctx, sr.ID, reach.StatusUpdate{Status: reach.ServiceRequestStatusCompleted, Note: "made safe"})
	require.NoError(t, err)

	srv.Push(reach.Event{Type: reach.EventTypeTechnicianAvailabilityChanged, TechnicianID: "T0003"})
	srv.Push(reach.Event{Type: reach.EventTypeCommunicationLogged, CustomerID: "C00001", Note: "called back"})

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 5, "delivered before the calls returned")
	assert.Equal(t, reach.EventTypeTechnicianAvailabilityChanged, got[3].Type)
	assert.Equal(t, "T0003", got[3].TechnicianID)
	assert.Equal(t, reach.EventTypeCommunicationLogged, got[4].Type)
	assert.Equal(t, reach.EventTypeEmergencyAlert, got[0].Type)
	assert.Equal(t, reach.EventTypeServiceRequestStatusChanged, got[1].Type)
	assert.Equal(t, reach.EventTypeServiceRequestCompleted, got[2].Type)
	assert.Equal(t, sr.ID, got[2].ServiceRequestID)
	for _, d := range srv.Deliveries() {
		assert.Equal(t, http.StatusAccepted, d.Status)
		assert.Equal(t, 1, d.Attempts)
	}
	_, err = reach.NewReceiver(reach.ReceiverConfig{}, nil)
	assert.Error(t, err, "no secret: refused")
}
