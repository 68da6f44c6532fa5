package geotabtest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/webhook"
)

// Delivery is one event sent to a subscriber.
type Delivery = fake.Delivery

// Subscribe makes the fake act as a customer's relay (MyGeotab itself has no
// webhooks): it pushes events — every zone entered and exited, diagnostic faults — to
// url, signed as geotab.WebhookScheme with secret, as they happen during
// [Server.Advance]. A delivery that gets no 2xx is tried again, up to 3 attempts. The
// relay's format is this SDK's, not Geotab's.
func (s *Server) Subscribe(url string, secret []byte) error {
	signer, err := webhook.NewHMACSigner(geotab.WebhookScheme(secret))
	if err != nil {
		return err
	}
	s.st.hooks.Subscribe(url, func(h http.Header, _ string, body []byte) {
		signer.Sign(h, time.Now(), body) // the send time, as a relay stamps it
	})
	return nil
}

// Deliveries returns the deliveries made so far.
func (s *Server) Deliveries() []Delivery { return s.st.hooks.Deliveries() }

// emit queues an event for the subscribers (called with the state lock held).
func (st *state) emit(ev geotab.WebhookEvent) {
	body, _ := json.Marshal(ev)
	st.hooks.Emit(ev.ID, string(ev.Type), body)
}

// Push sends an event to the subscribers now, on demand (e.g. a vehicle.location
// event). An empty ID or OccurredAt is filled in.
func (s *Server) Push(ev geotab.WebhookEvent) {
	s.st.mu.Lock()
	if ev.ID == "" {
		ev.ID = s.st.newID("wh-push-")
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = geotab.NewTime(s.st.now)
	}
	s.st.emit(ev)
	s.st.mu.Unlock()
	s.st.hooks.Deliver()
}
