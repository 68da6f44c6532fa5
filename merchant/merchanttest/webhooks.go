package merchanttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/webhook"
)

// Delivery is one event sent to a subscriber.
type Delivery = fake.Delivery

// Subscribe makes the fake push its events to url (https, a server whose certificate
// the fake's CA signed: see [Server.IssueServerCertificate]) over mutual TLS with the
// certificate named [GatewayCertName], signed with [WebhookSecret] as Standard
// Webhooks sign. Events: payment completed (a capture), payment failed (a decline),
// refund processed, chargeback received ([Server.RaiseChargeback]) and fraud alert.
// Deliveries are made before the call that caused them returns, and tried again up to
// 3 attempts until they get a 2xx.
func (s *Server) Subscribe(url string) error {
	signer, err := webhook.NewStandardSigner(WebhookSecret, nil)
	if err != nil {
		return err
	}
	s.hooks.Subscribe(url, func(h http.Header, id string, body []byte) { signer.Sign(h, id, time.Now(), body) })
	return nil
}

// Deliveries returns the deliveries made so far.
func (s *Server) Deliveries() []Delivery { return s.hooks.Deliveries() }

// emit queues an event (called with s.mu held).
func (s *Server) emit(ev merchant.Event) {
	s.st.events++
	ev.ID = fmt.Sprintf("evt_%06d", s.st.events)
	ev.OccurredAt = s.now().UTC()
	body, _ := json.Marshal(ev)
	s.hooks.Emit(ev.ID, string(ev.Type), body)
}
