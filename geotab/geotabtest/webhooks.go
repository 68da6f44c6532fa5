package geotabtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/webhook"
)

// Delivery is one event sent to a subscriber.
type Delivery struct {
	URL      string
	EventID  string
	Type     geotab.WebhookEventType
	Attempts int
	// Status of the last attempt (0 when it failed to connect).
	Status int
}

type subscriber struct {
	url    string
	signer *webhook.HMACSigner
}

type hooks struct {
	mu      sync.Mutex
	subs    []subscriber
	pending []geotab.WebhookEvent
	done    []Delivery
	client  *http.Client
}

// Subscribe makes the fake push events — geofence entered and exited, diagnostic
// faults — to url, signed as the GeoTab relay signs (geotab.WebhookScheme with
// secret), as they happen during [Server.Advance]. A delivery that gets no 2xx is
// tried again, up to 3 attempts.
func (s *Server) Subscribe(url string, secret []byte) error {
	signer, err := webhook.NewHMACSigner(geotab.WebhookScheme(secret))
	if err != nil {
		return err
	}
	h := &s.st.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client == nil {
		h.client = &http.Client{Timeout: 5 * time.Second}
	}
	h.subs = append(h.subs, subscriber{url: url, signer: signer})
	return nil
}

// Deliveries returns the deliveries made so far.
func (s *Server) Deliveries() []Delivery {
	h := &s.st.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Delivery(nil), h.done...)
}

// emit queues an event for the subscribers (called with the state lock held).
func (st *state) emit(ev geotab.WebhookEvent) {
	h := &st.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) > 0 {
		h.pending = append(h.pending, ev)
	}
}

// deliver sends the queued events, outside the state lock.
func (st *state) deliver() {
	h := &st.hooks
	h.mu.Lock()
	events, subs, client := h.pending, append([]subscriber(nil), h.subs...), h.client
	h.pending = nil
	h.mu.Unlock()
	for _, ev := range events {
		body, _ := json.Marshal(ev)
		for _, sub := range subs {
			d := Delivery{URL: sub.url, EventID: ev.ID, Type: ev.Type}
			for d.Attempts < 3 {
				d.Attempts++
				req, err := http.NewRequest(http.MethodPost, sub.url, bytes.NewReader(body))
				if err != nil {
					break
				}
				req.Header.Set("Content-Type", "application/json")
				sub.signer.Sign(req.Header, time.Now(), body) // the send time, as a relay stamps it
				resp, err := client.Do(req)
				d.Status = 0
				if err == nil {
					d.Status = resp.StatusCode
					_ = resp.Body.Close()
					if resp.StatusCode < 300 {
						break
					}
				}
			}
			h.mu.Lock()
			h.done = append(h.done, d)
			h.mu.Unlock()
		}
	}
}
