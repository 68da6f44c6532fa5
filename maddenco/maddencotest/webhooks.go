package maddencotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/maddenco"
)

// Delivery is one event sent to a subscriber.
type Delivery = fake.Delivery

// Subscribe makes the fake push its events to url with key in X-Maddenco-Key:
// status changes (from [Server.SetStatus]) and whatever [Server.Push] sends.
// Deliveries are made before the call that caused them returns, and tried again up to
// 3 attempts until they get a 2xx.
func (s *Server) Subscribe(url, key string) error {
	if key == "" {
		return errors.New("maddencotest: a subscription needs the key its deliveries carry")
	}
	s.hooks.Subscribe(url, func(h http.Header, _ string, _ []byte) { h.Set(maddenco.KeyHeader, key) })
	return nil
}

// Deliveries returns the deliveries made so far.
func (s *Server) Deliveries() []Delivery { return s.hooks.Deliveries() }

// emit queues an event (called with s.mu held).
func (s *Server) emit(ev maddenco.Event) {
	s.events++
	if ev.ID == "" {
		ev.ID = fmt.Sprintf("mce_%06d", s.events)
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = s.now().UTC()
	}
	body, _ := json.Marshal(ev)
	s.hooks.Emit(ev.ID, string(ev.Type), body)
}

// Push sends an event to the subscribers now, on demand (e.g. a maintenance alert
// or a low-stock notice). An empty ID or OccurredAt is filled in.
func (s *Server) Push(ev maddenco.Event) {
	s.mu.Lock()
	s.emit(ev)
	s.mu.Unlock()
	s.hooks.Deliver()
}
