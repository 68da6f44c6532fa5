package fakekit

import (
	"context"
	"sync"

	"github.com/dispatchcenter/connectors/webhook"
)

// EventSink is a webhook.Sink for tests: it decodes each event with a connector's
// DecodeEvent and keeps it (a decoding error refuses the delivery, as a strict sink
// would). It is safe for concurrent use.
type EventSink[T any] struct {
	decode func([]byte) (T, error)
	mu     sync.Mutex
	got    []T
}

// NewEventSink returns a sink decoding with decode.
func NewEventSink[T any](decode func([]byte) (T, error)) *EventSink[T] {
	return &EventSink[T]{decode: decode}
}

// Put implements webhook.Sink.
func (s *EventSink[T]) Put(_ context.Context, ev webhook.Event) error {
	d, err := s.decode(ev.Body)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, d)
	return nil
}

// All returns the events taken so far, in order.
func (s *EventSink[T]) All() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]T(nil), s.got...)
}
