package dayforcetest

import (
	"crypto"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/webhook"
)

// The identity service's side of event deliveries.
const (
	// JWKSPath serves the identity service's signing keys on the generic host.
	JWKSPath = "/.well-known/openid-configuration/jwks"
	// WebhookAudience is the audience of the tokens deliveries carry.
	WebhookAudience = "dispatch-webhooks"
	// SigningKeyID names the identity service's signing key.
	SigningKeyID = "dayforcetest-1"
)

// Delivery is one event sent to a subscriber.
type Delivery = fake.Delivery

// ReceiverBearer returns the bearer options that accept the fake's deliveries: its
// identity service as issuer, [WebhookAudience], and its JWKS URL.
func (s *Server) ReceiverBearer() webhook.BearerOptions {
	return webhook.BearerOptions{Issuer: s.GenericURL(), Audience: WebhookAudience, JWKSURL: s.GenericURL() + JWKSPath,
		HTTPClient: s.Client()}
}

func (s *Server) jwks(w http.ResponseWriter) {
	b, err := webhook.JWKS(map[string]crypto.PublicKey{SigningKeyID: s.idKey.Public()})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// Subscribe makes the fake post its events to url as the integration watching
// Dayforce does: an access token of the identity service (EdDSA, one token reused for
// every delivery, valid an hour) and an HMAC signature with secret
// (dayforce.WebhookScheme). Events: certification.updated when a skill is patched,
// and whatever [Server.Push] sends. Deliveries are made before the call that caused
// them returns, and tried again up to 3 attempts until they get a 2xx.
func (s *Server) Subscribe(url string, secret []byte) error {
	signer, err := webhook.NewHMACSigner(dayforce.WebhookScheme(secret))
	if err != nil {
		return err
	}
	jwt, err := webhook.NewJWTSigner(SigningKeyID, s.idKey)
	if err != nil {
		return err
	}
	now := time.Now()
	tok, err := jwt.Sign(webhook.JWTClaims{Issuer: s.GenericURL(), Audience: WebhookAudience, Subject: "dispatch-relay",
		ID: fmt.Sprintf("at-%d", now.UnixNano()), IssuedAt: now, Expires: now.Add(time.Hour)})
	if err != nil {
		return err
	}
	s.hooks.Subscribe(url, func(h http.Header, _ string, body []byte) {
		h.Set("Authorization", "Bearer "+tok)
		signer.Sign(h, time.Now(), body) // the send time, as a relay stamps it
	})
	return nil
}

// Deliveries returns the deliveries made so far.
func (s *Server) Deliveries() []Delivery { return s.hooks.Deliveries() }

// emit queues an event (called with s.mu held).
func (s *Server) emit(ev dayforce.WebhookEvent) {
	s.events++
	if ev.EventID == "" {
		ev.EventID = fmt.Sprintf("dfe_%06d", s.events)
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = dayforce.DateTime{Time: s.clk.Now().UTC(), Offset: true}
	}
	body, _ := json.Marshal(ev)
	s.hooks.Emit(ev.EventID, string(ev.EventType), body)
}

// Push sends an event to the subscribers now (a schedule change, a time-off
// request, …). An empty EventId or OccurredAt is filled in.
func (s *Server) Push(ev dayforce.WebhookEvent) {
	s.mu.Lock()
	s.emit(ev)
	s.mu.Unlock()
	s.hooks.Deliver()
}
