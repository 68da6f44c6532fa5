package maddenco

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/webhook"
)

// KeyHeader carries the dispatch center's inbound key on Maddenco's deliveries.
const KeyHeader = "X-Maddenco-Key"

// ReceiverConfig configures [NewReceiver]. Both checks are required: Maddenco does not
// sign its deliveries, so the key proves who sent it and the allowlist where from.
type ReceiverConfig struct {
	// Keys are the inbound keys Maddenco sends in X-Maddenco-Key (several during a
	// rotation).
	Keys []string
	// AllowedCIDRs are Maddenco's sending addresses.
	AllowedCIDRs []string
	// TrustedProxyHops is how many proxies in front of the receiver append to
	// X-Forwarded-For (0: the connection's address is the sender's).
	TrustedProxyHops int
	// Options of the underlying webhook.Receiver.
	Options webhook.ReceiverOptions
}

// NewReceiver returns the http.Handler for Maddenco events: the caller's address
// checked against the allowlist (403), the key (401), de-duplication on a hash of the
// body (the key signs nothing, and a re-sent event is byte-identical), hand-off to sink.
func NewReceiver(cfg ReceiverConfig, sink webhook.Sink) (*webhook.Receiver, error) {
	if len(cfg.AllowedCIDRs) == 0 {
		return nil, &connectors.ConfigError{System: "maddenco receiver", Problems: []error{errors.New("a receiver needs Maddenco's addresses (AllowedCIDRs)")}}
	}
	ips, err := webhook.NewIPAllowlist(cfg.TrustedProxyHops, cfg.AllowedCIDRs...)
	if err != nil {
		return nil, fmt.Errorf("maddenco: %w", err)
	}
	key, err := webhook.NewAPIKey(KeyHeader, cfg.Keys...)
	if err != nil {
		return nil, fmt.Errorf("maddenco: %w", err)
	}
	return webhook.NewReceiver(webhook.All(ips, key), sink, cfg.Options)
}

// DecodeEvent decodes a verified event body; an unknown type is an error.
func DecodeEvent(body []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, fmt.Errorf("maddenco: decoding an event: %w", err)
	}
	if !ev.Type.Valid() {
		return Event{}, fmt.Errorf("maddenco: unknown event type %q", ev.Type)
	}
	return ev, nil
}
