package reach

import (
	"encoding/json"
	"fmt"

	"github.com/dispatchcenter/connectors/webhook"
)

// ReceiverConfig configures [NewReceiver].
type ReceiverConfig struct {
	// Secrets are Reach's Standard Webhooks secrets ("whsec_…"; several during a
	// rotation).
	Secrets []string
	// Options of the underlying webhook.Receiver.
	Options webhook.ReceiverOptions
}

// NewReceiver returns the http.Handler for Reach events: Standard Webhooks
// verification, de-duplication on the signed event id, hand-off to sink.
func NewReceiver(cfg ReceiverConfig, sink webhook.Sink) (*webhook.Receiver, error) {
	v, err := webhook.NewStandard(webhook.StandardOptions{Secrets: cfg.Secrets})
	if err != nil {
		return nil, fmt.Errorf("reach: %w", err)
	}
	return webhook.NewReceiver(v, sink, cfg.Options)
}

// DecodeEvent decodes a verified event body; an unknown type is an error.
func DecodeEvent(body []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, fmt.Errorf("reach: decoding an event: %w", err)
	}
	if !ev.Type.Valid() {
		return Event{}, fmt.Errorf("reach: unknown event type %q", ev.Type)
	}
	return ev, nil
}
