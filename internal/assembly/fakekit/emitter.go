package fakekit

import (
	"bytes"
	"github.com/dispatchcenter/connectors/fake"
	"net/http"
	"sync"
	"time"
)

// Delivery is the public fake.Delivery.
type Delivery = fake.Delivery

// MaxAttempts is how often an emitter tries one delivery.
const MaxAttempts = 3

// Emitter pushes a fake's events to subscribed URLs, signed as the vendor signs, and
// tries each delivery again until it gets a 2xx (at most MaxAttempts). Events are
// queued while the fake's state is locked and sent by Deliver once it is not, so a
// receiver may call the fake back.
type Emitter struct {
	mu      sync.Mutex
	subs    []subscriber
	pending []pending
	done    []Delivery
	client  *http.Client
}

type subscriber struct {
	url  string
	sign func(h http.Header, id string, body []byte)
}

type pending struct {
	id, typ string
	body    []byte
}

// UseClient sends deliveries with c (e.g. one presenting a client certificate)
// instead of a plain client with a 5 s timeout.
func (e *Emitter) UseClient(c *http.Client) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.client = c
}

// Subscribe adds a subscriber; sign sets the signature headers of each attempt.
func (e *Emitter) Subscribe(url string, sign func(h http.Header, id string, body []byte)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client == nil {
		e.client = &http.Client{Timeout: 5 * time.Second}
	}
	e.subs = append(e.subs, subscriber{url: url, sign: sign})
}

// Emit queues an event (cheap, safe under the fake's lock; a no-op without
// subscribers).
func (e *Emitter) Emit(id, typ string, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.subs) > 0 {
		e.pending = append(e.pending, pending{id: id, typ: typ, body: body})
	}
}

// Deliver sends the queued events to every subscriber, in order.
func (e *Emitter) Deliver() {
	e.mu.Lock()
	events, subs, client := e.pending, append([]subscriber(nil), e.subs...), e.client
	e.pending = nil
	e.mu.Unlock()
	for _, ev := range events {
		for _, sub := range subs {
			d := Delivery{URL: sub.url, EventID: ev.id, Type: ev.typ}
			for d.Attempts < MaxAttempts {
				d.Attempts++
				req, err := http.NewRequest(http.MethodPost, sub.url, bytes.NewReader(ev.body))
				if err != nil {
					break
				}
				req.Header.Set("Content-Type", "application/json")
				sub.sign(req.Header, ev.id, ev.body)
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
			e.mu.Lock()
			e.done = append(e.done, d)
			e.mu.Unlock()
		}
	}
}

// Deliveries returns the deliveries made so far.
func (e *Emitter) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.done...)
}
