package merchant

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/webhook"
)

// ReceiverConfig configures [NewReceiver]. Both checks are required: the client
// certificate proves the connection comes from the gateway, the signature that the
// body is the gateway's and recent.
type ReceiverConfig struct {
	// Secrets are the gateway's Standard Webhooks signing secrets ("whsec_…"; several
	// during a rotation).
	Secrets []string
	// ClientCert says which of the gateway's certificates are accepted (subjects, DNS
	// names or key pins); the chain is checked against GatewayCAs.
	ClientCert webhook.ClientCertOptions
	// GatewayCAs sign the gateway's client certificates.
	GatewayCAs *x509.CertPool
	// Options of the underlying webhook.Receiver.
	Options webhook.ReceiverOptions
}

// Receiver is the http.Handler for the gateway's events. Serve it with
// [Receiver.TLSConfig], which requires the gateway's client certificate on every
// handshake; the handler checks the request's certificate again.
type Receiver struct {
	*webhook.Receiver
	cert *webhook.ClientCert
	cas  *x509.CertPool
}

// NewReceiver returns the receiver of the gateway's events: the client certificate
// checked, the Standard Webhooks signature verified (de-duplication on the signed
// webhook-id), each event handed to a durable sink before the 2xx.
func NewReceiver(cfg ReceiverConfig, sink webhook.Sink) (*Receiver, error) {
	if cfg.GatewayCAs == nil {
		return nil, &connectors.ConfigError{System: "merchant receiver", Problems: []error{errors.New("a receiver needs the CAs of the gateway's client certificates (GatewayCAs)")}}
	}
	cert, err := webhook.NewClientCert(cfg.ClientCert)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	sig, err := webhook.NewStandard(webhook.StandardOptions{Secrets: cfg.Secrets})
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	r, err := webhook.NewReceiver(webhook.All(cert, sig), sink, cfg.Options)
	if err != nil {
		return nil, fmt.Errorf("merchant: %w", err)
	}
	return &Receiver{Receiver: r, cert: cert, cas: cfg.GatewayCAs}, nil
}

// TLSConfig returns the server's TLS configuration: base (which may be nil; it holds
// the server's own certificate) with a client certificate required, verified against
// the gateway's CAs and the allowed identities on every handshake, resumed ones
// included, and TLS 1.3 at least, as the gateway requires.
func (r *Receiver) TLSConfig(base *tls.Config) *tls.Config {
	cfg := r.cert.TLSConfig(base, r.cas)
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS13)
	return cfg
}

// DecodeEvent decodes a verified event body; an unknown type is an error.
func DecodeEvent(body []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, fmt.Errorf("merchant: decoding an event: %w", err)
	}
	if !ev.Type.Valid() {
		return Event{}, fmt.Errorf("merchant: unknown event type %q", ev.Type)
	}
	return ev, nil
}
