package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/webhook"
)

// ingest builds the inbound path of the service for one system: Standard Webhooks
// verification, de-duplication, hand-off by publishing to JetStream.
func ingest(b *testing.B, bus *Bus) http.Handler {
	rc, err := reach.NewReceiver(reach.ReceiverConfig{Secrets: []string{reachSecret}}, webhook.SinkFunc(func(ctx context.Context, ev webhook.Event) error {
		return bus.Publish(ctx, "dispatch.reach.event", "reach-"+ev.Key, ev.Body)
	}))
	if err != nil {
		b.Fatal(err)
	}
	return rc
}

// signed pre-signs n distinct deliveries (signing is the sender's cost, not measured).
func signed(b *testing.B, n int) []*http.Request {
	s, err := webhook.NewStandardSigner(reachSecret, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]*http.Request, n)
	now := time.Now()
	for i := range out {
		body := []byte(fmt.Sprintf(`{"id":"evt_%d","type":"servicerequest.status_changed","occurred_at":"2026-01-05T08:00:00Z","service_request_id":"SR%06d","status":"dispatched"}`, i, i))
		r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		s.Sign(r.Header, fmt.Sprintf("evt_%d", i), now, body)
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out[i] = r
	}
	return out
}

// BenchmarkWebhookIngest: throughput of the inbound path (verify, de-duplicate,
// publish to JetStream and wait for its ack) against a bare net/http handler that only
// answers 200, over loopback with 32 concurrent senders; and the latency at a fixed
// 2 000 requests per second. Run: go test -run '^$' -bench WebhookIngest ./dispatch/app
func BenchmarkWebhookIngest(b *testing.B) {
	targets := []struct {
		name string
		make func(b *testing.B) (http.Handler, func())
	}{
		{"bare-200", func(*testing.B) (http.Handler, func()) {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }), func() {}
		}},
		{"ingest-embedded-jetstream", func(b *testing.B) (http.Handler, func()) {
			bus, err := OpenBus(context.Background(), "", "")
			if err != nil {
				b.Fatal(err)
			}
			return ingest(b, bus), bus.Close
		}},
	}
	if url := os.Getenv("NATS_URL"); url != "" {
		targets = append(targets, struct {
			name string
			make func(b *testing.B) (http.Handler, func())
		}{"ingest-external-nats", func(b *testing.B) (http.Handler, func()) {
			bus, err := OpenBus(context.Background(), url, "")
			if err != nil {
				b.Fatal(err)
			}
			return ingest(b, bus), bus.Close
		}})
	}
	for _, tg := range targets {
		b.Run(tg.name+"/throughput", func(b *testing.B) {
			h, stop := tg.make(b)
			defer stop()
			srv := httptest.NewServer(h)
			defer srv.Close()
			reqs := signed(b, b.N)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			defer client.CloseIdleConnections()
			b.ResetTimer()
			start := time.Now()
			send(b, client, srv.URL, reqs, 32)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
		b.Run(tg.name+"/at-2000rps", func(b *testing.B) {
			h, stop := tg.make(b)
			defer stop()
			srv := httptest.NewServer(h)
			defer srv.Close()
			const rate, seconds = 2000, 2
			reqs := signed(b, rate*seconds)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			defer client.CloseIdleConnections()
			b.ResetTimer()
			lat := paced(b, client, srv.URL, reqs, rate)
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

func do(client *http.Client, url string, r *http.Request) error {
	body, _ := r.GetBody()
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header = r.Header
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// send sends every request with n workers, as fast as they go.
func send(b *testing.B, client *http.Client, url string, reqs []*http.Request, n int) {
	var wg sync.WaitGroup
	next := make(chan *http.Request)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				if err := do(client, url, r); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for _, r := range reqs {
		next <- r
	}
	close(next)
	wg.Wait()
}

// paced starts one request every 1/rate seconds (an open loop: a slow answer does
// not slow the sender) and returns the latencies.
func paced(b *testing.B, client *http.Client, url string, reqs []*http.Request, rate int) []time.Duration {
	lat := make([]time.Duration, len(reqs))
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i, r := range reqs {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			if err := do(client, url, r); err != nil {
				b.Error(err)
			}
			lat[i] = time.Since(t)
		}()
	}
	wg.Wait()
	return lat
}
