package dayforce_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/webhook"
)

var relaySecret = []byte("dayforce-relay-secret-0123456789")

func TestDayforceEventsReachTheReceiver(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithEmployees(10))
	got := fakekit.NewEventSink(dayforce.DecodeEvent)
	rc, err := dayforce.NewReceiver(dayforce.ReceiverConfig{Secrets: [][]byte{relaySecret}, Bearer: srv.ReceiverBearer()}, got)
	require.NoError(t, err)
	hook := httptest.NewServer(rc)
	defer hook.Close()
	require.NoError(t, srv.Subscribe(hook.URL, relaySecret))

	c := newClient(t, srv, nil)
	sk := srv.EmployeeSkills("E0003")[0]
	_, err = c.UpdateEmployeeSkill(context.Background(), "E0003", dayforce.EmployeeSkill{Skill: dayforce.Skill{XRefCode: sk.Skill.XRefCode},
		EffectiveEnd: connectors.Clear[dayforce.DateTime]()}, dayforce.WriteOptions{})
	require.NoError(t, err)
	change := dayforce.WebhookEvent{EventID: "dfe_sched_1", EventType: dayforce.WebhookEventTypeScheduleChanged, EmployeeXRefCode: "E0004",
		OccurredAt: dayforce.DateTime{Time: time.Date(2026, 1, 5, 7, 0, 0, 0, time.UTC), Offset: true}}
	srv.Push(change)
	srv.Push(change) // sent again unchanged: acknowledged, not processed twice
	srv.Push(dayforce.WebhookEvent{EventType: dayforce.WebhookEventTypeTimeOffRequested, EmployeeXRefCode: "E0005", TimeAwayFromWorkID: 77,
		TimeOffStart: dayforce.DateTime{Time: time.Date(2026, 1, 12, 8, 0, 0, 0, time.UTC), Offset: true},
		TimeOffEnd:   dayforce.DateTime{Time: time.Date(2026, 1, 13, 17, 0, 0, 0, time.UTC), Offset: true}})

	evs := got.All()
	require.Len(t, evs, 3, "one access token for every delivery, yet no delivery taken for a repeat")
	assert.Equal(t, dayforce.WebhookEventTypeCertificationUpdated, evs[0].EventType)
	assert.Equal(t, "E0003", evs[0].EmployeeXRefCode)
	assert.Equal(t, sk.Skill.XRefCode, evs[0].SkillXRefCode)
	assert.Equal(t, dayforce.WebhookEventTypeScheduleChanged, evs[1].EventType)
	assert.Equal(t, dayforce.WebhookEventTypeTimeOffRequested, evs[2].EventType)
	assert.EqualValues(t, 77, evs[2].TimeAwayFromWorkID)
	for _, d := range srv.Deliveries() {
		assert.Less(t, d.Status, 300)
	}
}

func TestDayforceReceiverRefuses(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithEmployees(2))
	got := fakekit.NewEventSink(dayforce.DecodeEvent)
	rc, err := dayforce.NewReceiver(dayforce.ReceiverConfig{Secrets: [][]byte{relaySecret}, Bearer: srv.ReceiverBearer()}, got)
	require.NoError(t, err)
	body := []byte(`{"EventId":"x","EventType":"employee.updated","OccurredAt":"2026-01-05T08:00:00Z","EmployeeXRefCode":"E0001"}`)
	_, foreignKey, _ := ed25519.GenerateKey(rand.Reader)
	mint := func(key ed25519.PrivateKey, kid, iss string) string {
		s, err := webhook.NewJWTSigner(kid, key)
		require.NoError(t, err)
		tok, err := s.Sign(webhook.JWTClaims{Issuer: iss, Audience: dayforcetest.WebhookAudience, Expires: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		return tok
	}
	good := func() string {
		// a token the fake's identity service minted, taken from a real delivery
		var tok string
		capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tok = r.Header.Get("Authorization") }))
		defer capture.Close()
		require.NoError(t, srv.Subscribe(capture.URL, relaySecret))
		srv.Push(dayforce.WebhookEvent{EventType: dayforce.WebhookEventTypeEmployeeUpdated, EmployeeXRefCode: "E0001"})
		return tok
	}()
	cases := []struct {
		name   string
		auth   string
		secret []byte
		status int
	}{
		{"genuine", good, relaySecret, http.StatusAccepted},
		{"no token", "", relaySecret, http.StatusUnauthorized},
		{"a token another key signed", "Bearer " + mint(foreignKey, dayforcetest.SigningKeyID, srv.GenericURL()), relaySecret, http.StatusUnauthorized},
		{"a token of another issuer", "Bearer " + mint(foreignKey, "other", "https://evil.example"), relaySecret, http.StatusUnauthorized},
		{"a wrong signature", good, []byte("not-the-relay-secret-0123456789ab"), http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			signer, err := webhook.NewHMACSigner(dayforce.WebhookScheme(tc.secret))
			require.NoError(t, err)
			signer.Sign(r.Header, time.Now(), body)
			w := httptest.NewRecorder()
			rc.ServeHTTP(w, r)
			assert.Equal(t, tc.status, w.Code)
		})
	}
	assert.Len(t, got.All(), 1)
	_, err = dayforce.NewReceiver(dayforce.ReceiverConfig{Secrets: [][]byte{relaySecret}}, got)
	assert.Error(t, err, "no issuer: refused")
	_, err = dayforce.NewReceiver(dayforce.ReceiverConfig{Bearer: srv.ReceiverBearer()}, got)
	assert.Error(t, err, "no secret: refused")
	_, err = dayforce.DecodeEvent([]byte(`{"EventId":"x","EventType":"payroll.ran","OccurredAt":"2026-01-05T08:00:00Z","EmployeeXRefCode":"E1"}`))
	assert.ErrorContains(t, err, "unknown event type")
}
