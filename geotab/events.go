package geotab

import (
	"encoding/json"
	"fmt"

	"github.com/dispatchcenter/connectors/webhook"
)

// MyGeotab has no webhooks: its data is polled through feeds (SDK data feed guide),
// and geofence entries and exits come from zone rules ([Client.GeofenceFeed]). The
// receiver below serves a relay of the customer's own, which signs what it forwards:
// an optional input, not a MyGeotab feature.

// Relay webhook headers.
const (
	SignatureHeader = "X-Geotab-Signature"
	TimestampHeader = "X-Geotab-Timestamp"
)

// WebhookScheme is how the GeoTab relay signs: HMAC-SHA256 over "timestamp.body", hex,
// prefixed "sha256=". The event id is inside the signed body, so de-duplication keys on
// a hash of the body.
func WebhookScheme(secrets ...[]byte) webhook.HMACOptions {
	return webhook.HMACOptions{Name: "geotab", Header: SignatureHeader, Prefix: "sha256=",
		TimestampHeader: TimestampHeader, Secrets: secrets}
}

// ReceiverConfig configures [NewReceiver].
type ReceiverConfig struct {
	// Secrets of the relay (several during a rotation).
	Secrets [][]byte
	// AllowedNetworks the relay sends from (CIDRs); empty accepts any address.
	AllowedNetworks []string
	// TrustedProxyHops in front of the receiver (see webhook.NewIPAllowlist).
	TrustedProxyHops int
	// Options of the underlying webhook.Receiver.
	Options webhook.ReceiverOptions
}

// NewReceiver returns the http.Handler for a relay's GeoTab events (vehicle location,
// geofence entered and exited, diagnostic faults): IP allowlist, then the relay's
// HMAC, then de-duplication and hand-off to sink. Decode each event's body with
// [DecodeEvent]. The relay is the customer's own (MyGeotab pushes nothing); the
// geofence events of record come from [Client.GeofenceFeed].
func NewReceiver(cfg ReceiverConfig, sink webhook.Sink) (*webhook.Receiver, error) {
	sig, err := webhook.NewHMAC(WebhookScheme(cfg.Secrets...))
	if err != nil {
		return nil, fmt.Errorf("geotab: %w", err)
	}
	var v webhook.Verifier = sig
	if len(cfg.AllowedNetworks) > 0 {
		ips, err := webhook.NewIPAllowlist(cfg.TrustedProxyHops, cfg.AllowedNetworks...)
		if err != nil {
			return nil, fmt.Errorf("geotab: %w", err)
		}
		v = webhook.All(ips, sig)
	}
	return webhook.NewReceiver(v, sink, cfg.Options)
}

// DecodeEvent decodes a verified event body; an unknown event type is an error.
func DecodeEvent(body []byte) (WebhookEvent, error) {
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return WebhookEvent{}, fmt.Errorf("geotab: decoding an event: %w", err)
	}
	if !ev.Type.Valid() {
		return WebhookEvent{}, fmt.Errorf("geotab: unknown event type %q", ev.Type)
	}
	return ev, nil
}
