package dayforce

import (
	"encoding/json"
	"fmt"

	"github.com/dispatchcenter/connectors/webhook"
)

// The headers of the signature scheme.
const (
	SignatureHeader = "X-Dayforce-Signature"
	TimestampHeader = "X-Dayforce-Timestamp"
)

// WebhookScheme is how deliveries are signed: HMAC-SHA256 over "timestamp.body", hex,
// prefixed "sha256=". The event id is inside the signed body, so de-duplication keys
// on a hash of the body.
func WebhookScheme(secrets ...[]byte) webhook.HMACOptions {
	return webhook.HMACOptions{Name: "dayforce", Header: SignatureHeader, Prefix: "sha256=", TimestampHeader: TimestampHeader, Secrets: secrets}
}

// ReceiverConfig configures [NewReceiver]. Both checks are required, as the integration design asks:
// the bearer token says the sender holds a token of the identity service, the
// signature that the body is the sender's and recent.
type ReceiverConfig struct {
	// Secrets of the signature (several during a rotation).
	Secrets [][]byte
	// Bearer checks the token: Issuer (the identity service), Audience (the
	// dispatch center's webhook API), Keys or JWKSURL. Leave DeliveryID off when the
	// sender reuses an access token for many deliveries.
	Bearer webhook.BearerOptions
	// Options of the underlying webhook.Receiver.
	Options webhook.ReceiverOptions
}

// NewReceiver returns the http.Handler for Dayforce events: the bearer token checked,
// then the signature, repeats dropped, each event handed to a durable sink before
// the 2xx.
func NewReceiver(cfg ReceiverConfig, sink webhook.Sink) (*webhook.Receiver, error) {
	bearer, err := webhook.NewBearer(cfg.Bearer)
	if err != nil {
		return nil, fmt.Errorf("dayforce: %w", err)
	}
	sig, err := webhook.NewHMAC(WebhookScheme(cfg.Secrets...))
	if err != nil {
		return nil, fmt.Errorf("dayforce: %w", err)
	}
	return webhook.NewReceiver(webhook.All(bearer, sig), sink, cfg.Options)
}

// DecodeEvent decodes a verified event body; an unknown event type is an error.
func DecodeEvent(body []byte) (WebhookEvent, error) {
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return WebhookEvent{}, fmt.Errorf("dayforce: decoding an event: %w", err)
	}
	if !ev.EventType.Valid() {
		return WebhookEvent{}, fmt.Errorf("dayforce: unknown event type %q", ev.EventType)
	}
	return ev, nil
}
