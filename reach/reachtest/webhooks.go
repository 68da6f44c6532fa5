package reachtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/webhook"
)

// Delivery is one event sent to a subscriber.
type Delivery = fake.Delivery

// Subscribe makes the fake push its events to url, signed with Standard Webhooks and
// the "whsec_" secret: status changes and completions (from status updates),
// emergency alerts (new emergency requests). Deliveries are made before the call that
// caused them returns, and tried again up to 3 attempts until they get a 2xx.
func (s *Server) Subscribe(url, secret string) error {
	signer, err := webhook.NewStandardSigner(secret, nil)
	if err != nil {
		return err
	}
	s.hooks.Subscribe(url, func(h http.Header, id string, body []byte) { signer.Sign(h, id, time.Now(), body) })
	return nil
}

// Deliveries returns the deliveries made so far.
func (s *Server) Deliveries() []Delivery { return s.hooks.Deliveries() }

// emit queues an event (called with s.mu held).
func (s *Server) emit(typ reach.EventType, sr *reach.ServiceRequest, note string) {
	s.events++
	ev := reach.Event{ID: fmt.Sprintf("evt_%06d", s.events), Type: typ, OccurredAt: s.clk.Now(), ServiceRequestID: sr.ID,
		CustomerID: sr.CustomerID, TechnicianID: sr.TechnicianID, Status: sr.Status, Priority: sr.Priority, Note: note}
	body, _ := json.Marshal(ev)
	s.hooks.Emit(ev.ID, string(ev.Type), body)
}

// Push sends an event to the subscribers now, on demand (any type, e.g. a
// technician's availability change or a logged communication). An empty ID or
// OccurredAt is filled in.
func (s *Server) Push(ev reach.Event) {
	s.mu.Lock()
	s.events++
	if ev.ID == "" {
		ev.ID = fmt.Sprintf("evt_%06d", s.events)
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = s.clk.Now()
	}
	s.mu.Unlock()
	body, _ := json.Marshal(ev)
	s.hooks.Emit(ev.ID, string(ev.Type), body)
	s.hooks.Deliver()
}
