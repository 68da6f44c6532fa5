package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/resilience"
)

// The presets carry the seeds' settings; start from one and override what differs.
func ExampleStandard() {
	p := resilience.Standard()
	fmt.Println(p.Retry.MaxRetries, p.Retry.Backoff, p.AttemptTimeout, p.Timeout)
	fmt.Println(p.Breaker.FailureThreshold, p.Breaker.Window, p.Breaker.OpenFor, p.Breaker.SuccessThreshold)

	c := resilience.Critical()
	fmt.Println(c.Retry.MaxRetries, c.Retry.Backoff, c.Timeout)
	m := resilience.Monitoring()
	fmt.Println(m.Retry.MaxRetries, m.Retry.Backoff, m.Timeout)
	// Output:
	// 3 {5s 0 0s} 30s 2m30s
	// 5 5m0s 1m0s 3
	// 5 {2s 30s} 4m0s
	// 2 {10s 0} 1m50s
}

// A custom pipeline: retries, a per-host breaker, a vendor's hourly quota, a bulkhead
// and a cache whose stale entries keep a dashboard up while the vendor is down.
func ExampleNew() {
	var calls atomic.Int64
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"equipment":[]}`)
	}))
	defer vendor.Close()

	p := resilience.Standard()
	p.Retry.Backoff = resilience.Fixed{Wait: 10 * time.Millisecond}
	p.Limit = resilience.LimitPolicy{Requests: 1000, Per: time.Hour, Burst: 10}
	p.Bulkhead = resilience.BulkheadPolicy{MaxConcurrent: 16, MaxWait: time.Second}
	p.Cache = resilience.CachePolicy{MaxEntries: 1024, TTL: 5 * time.Minute}
	client, err := resilience.New(p, resilience.WithName("maddenco"))
	if err != nil {
		fmt.Println(err)
		return
	}
	req, _ := http.NewRequest(http.MethodGet, vendor.URL+"/equipment", nil)
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body), "after", calls.Load(), "attempts")

	resp, _ = client.Do(req) // served from the cache
	_ = resp.Body.Close()
	fmt.Println("from cache:", resilience.FromCache(resp), "stale:", resilience.IsStale(resp))
	// Output:
	// 200 {"equipment":[]} after 2 attempts
	// from cache: true stale: false
}

// Failures are *CallError values that keep the last response and match the shared
// sentinels.
func ExampleCallError() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600") // an hour: beyond the 30 s cap
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":"quota"}`)
	}))
	defer vendor.Close()
	client, _ := resilience.New(resilience.Standard())
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, vendor.URL+"/x?api_key=secret", nil)
	_, err := client.Do(req)

	var ce *resilience.CallError
	if errors.As(err, &ce) {
		fmt.Println(ce.Attempts, ce.Response.StatusCode, string(ce.Response.Body))
	}
	fmt.Println(errors.Is(err, connectors.ErrRateLimited), errors.Is(err, resilience.ErrRetryAfterTooLong))
	fmt.Println(strings.Replace(err.Error(), vendor.URL, "http://vendor", 1))
	// Output:
	// 1 429 {"error":"quota"}
	// true true
	// GET http://vendor/x?api_key=REDACTED: server asked to retry after 1h0m0s, beyond the allowed wait: last status 429
}
