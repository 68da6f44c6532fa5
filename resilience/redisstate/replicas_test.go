package redisstate_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/resilience/redisstate"
	"github.com/dispatchcenter/connectors/webhook"
)

const replicas = 4

func transport(t *testing.T) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// Four replicas share Maddenco's 1000 requests/hour through Redis: driven as hard as
// they can for more than a simulated hour, the fake never sees more than the budget
// in any hour and never answers 429.
func TestReplicasShareMaddencosHourlyBudget(t *testing.T) {
	_, rdb := mini(t)
	clk := clock.NewStepped(time.Now())
	srv := maddencotest.NewServer(t, maddencotest.WithClock(clk))
	var clients []*maddenco.Client
	for range replicas {
		l, err := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "maddenco:" + maddencotest.APIKey[:6], Requests: 980,
			Per: time.Hour, Burst: 25, Replicas: replicas, Clock: clk})
		require.NoError(t, err)
		c, err := maddenco.New(srv.Config(), maddenco.WithLimiter(l), maddenco.WithClock(clk), maddenco.WithHTTPClient(transport(t)))
		require.NoError(t, err)
		clients = append(clients, c)
	}
	start := clk.Now()
	const perReplica, each = 5, 60 // 1 200 distinct reads: more than an hour's budget
	var wg sync.WaitGroup
	var failed, active atomic.Int32
	active.Store(replicas * perReplica)
	for r, c := range clients {
		for g := range perReplica {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer active.Add(-1)
				for i := range each {
					ctx := resilience.CallTimeout(context.Background(), 3*time.Hour)
					id := maddencotest.EquipmentID(1 + (r*perReplica+g)*each + i)
					if _, err := c.Equipment(ctx, id); err != nil && failed.Add(1) == 1 {
						t.Log(err)
					}
				}
			}()
		}
	}
	clk.Drive(func() int { return int(active.Load()) }) // when every caller waits, to the next wake-up
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Zero(t, srv.Throttled(), "no 429")
	assert.LessOrEqual(t, srv.MaxInAnyHour(), 1000)
	assert.Len(t, srv.Requests(), replicas*perReplica*each)
	assert.Greater(t, clk.Now().Sub(start), time.Hour, "it took more than an hour: the budget held them back")
}

// The same webhook delivered to four replicas' receivers at once is processed once.
func TestReplicasProcessAWebhookOnce(t *testing.T) {
	_, rdb := mini(t)
	store := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{})
	var processed atomic.Int32
	sink := webhook.SinkFunc(func(context.Context, webhook.Event) error { processed.Add(1); return nil })
	var receivers []*webhook.Receiver
	for range replicas {
		rc, err := maddenco.NewReceiver(maddenco.ReceiverConfig{Keys: []string{"mc-inbound-key-0123456789"}, AllowedCIDRs: []string{"192.0.2.0/24"},
			Options: webhook.ReceiverOptions{Store: store}}, sink)
		require.NoError(t, err)
		receivers = append(receivers, rc)
	}
	body := []byte(`{"id":"mce_1","type":"inventory.low_stock","occurred_at":"2026-01-05T08:00:00Z","part_number":"P-0001"}`)
	var wg sync.WaitGroup
	codes := make([]int, replicas)
	for i, rc := range receivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := httptest.NewRequest(http.MethodPost, "/hooks/maddenco", bytes.NewReader(body))
			r.RemoteAddr = "192.0.2.10:5000"
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(maddenco.KeyHeader, "mc-inbound-key-0123456789")
			w := httptest.NewRecorder()
			rc.ServeHTTP(w, r)
			codes[i] = w.Code
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), processed.Load(), "processed once")
	for _, c := range codes {
		assert.Less(t, c, 300, "every delivery acknowledged")
	}
}

// Four replicas taking the same payment with the same idempotency key at once make
// one payment, and the gateway sees one sale.
func TestReplicasAuthorizeOnce(t *testing.T) {
	_, rdb := mini(t)
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	store := redisstate.NewIdempotencyStore(rdb, redisstate.IdempotencyConfig{Poll: time.Millisecond})
	var clients []*merchant.Client
	for range replicas {
		c, err := merchant.New(srv.Config(), merchant.WithIdempotencyStore(store), merchant.WithClock(clock.NewFake(time.Now())))
		require.NoError(t, err)
		t.Cleanup(c.Close)
		clients = append(clients, c)
	}
	ctx := context.Background()
	tok, err := clients[0].Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2040})
	require.NoError(t, err)
	ids := make([]string, replicas)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 18950, Currency: "USD"}, OrderNumber: "INV-7731"},
				merchant.WithIdempotencyKey("job-7731-payment"))
			assert.NoError(t, err)
			ids[i] = tx.ID
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.Payments(), "one payment")
	for _, id := range ids {
		assert.Equal(t, ids[0], id, "every replica got the same transaction")
	}
	reached := 0
	for _, r := range srv.Requests() {
		if r.Path == "/cgi-bin/ProcessXML.cgi" && strings.Contains(r.Body, "<service>8</service>") {
			reached++
		}
	}
	assert.Equal(t, 1, reached, "the others read the outcome from Redis; the gateway saw one call")
}

// Four geotab clients sharing one session through Redis authenticate once.
func TestReplicasShareOneGeotabSession(t *testing.T) {
	_, rdb := mini(t)
	srv := geotabtest.NewServer(t)
	store := redisstate.NewSessionStore(rdb, redisstate.SessionConfig{Poll: time.Millisecond})
	var wg sync.WaitGroup
	for i := range replicas {
		c, err := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL), geotab.WithSessionStore(store), geotab.WithHTTPClient(transport(t)),
			geotab.WithClock(clock.NewFake(time.Now())))
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Devices(context.Background(), geotab.DeviceSearch{})
			assert.NoError(t, err, fmt.Sprint("replica ", i))
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.AuthCount(), "one login for all replicas")
}
