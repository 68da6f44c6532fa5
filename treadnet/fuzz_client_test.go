package treadnet_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

// FuzzAnswers gives the REST client arbitrary answers (status, content type,
// Retry-After, body) to the network status, an outage and a page of outages: whatever
// the bytes, the client returns a value or an error of a documented class.
func FuzzAnswers(f *testing.F) {
	srv := treadnettest.NewServer(f, treadnettest.WithHistory(0))
	ans := &fakekit.Answer{Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }}
	p := resilience.Monitoring()
	p.Breaker = resilience.BreakerPolicy{}
	c, err := treadnet.New(srv.Config(), treadnet.WithHTTPClient(&http.Client{Transport: ans}),
		treadnet.WithPolicy(p), treadnet.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(c.Close)
	for _, s := range fakekit.Statuses {
		f.Add(uint8(0), s, "application/json", "", []byte(`{"status":"degraded","sites":60,"sites_down":1,"as_of":"2026-12-01T08:00:00Z"}`))
		f.Add(uint8(1), s, "application/problem+json", "5", []byte(`{"type":"about:blank","title":"Not Found","status":404,"code":"not_found"}`))
		f.Add(uint8(2), s, "application/json", "", []byte(`{"items":[{"id":"OUT-1","site_id":"TN-001"}],"next_cursor":"2"}`))
	}
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx := context.Background()
		var err error
		switch op % 3 {
		case 0:
			_, err = c.NetworkStatus(ctx)
		case 1:
			_, err = c.Outage(ctx, "OUT-1")
		case 2:
			for _, e := range c.Outages(ctx, treadnet.OutageFilter{}) {
				if err = e; err != nil || ans.Served() > 3 {
					break
				}
			}
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body))
	})
}
