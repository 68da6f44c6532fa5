package reach_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/resilience"
)

// FuzzAnswers gives the client arbitrary answers (status, content type, Retry-After,
// body) to a read, a page of a list and a create, after a real sign-in with the fake:
// whatever the bytes, the client returns a value or an error of a documented class
// whose text holds neither the client secret nor the request's personal fields.
func FuzzAnswers(f *testing.F) {
	srv := reachtest.NewServer(f)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	f.Cleanup(tr.CloseIdleConnections)
	ans := &fakekit.Answer{Next: tr, Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }}
	p := resilience.Critical()
	p.Breaker = resilience.BreakerPolicy{} // every answer is heard, not a breaker's refusal
	c, err := reach.New(srv.Config(), reach.WithHTTPClient(&http.Client{Transport: ans}), reach.WithPolicy(p),
		reach.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range fakekit.Statuses {
		f.Add(uint8(0), s, "application/json", "", []byte(`{"id":"SR000001","customer_id":"C00001","status":"new","priority":"high","version":1}`))
		f.Add(uint8(1), s, "application/problem+json", "3", []byte(`{"type":"about:blank","title":"Conflict","status":409,"detail":"version","code":"version_mismatch"}`))
		f.Add(uint8(2), s, "application/json", "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{"items":[{"id":"SR1"}],"next_cursor":"x"}`))
	}
	f.Add(uint8(0), 200, "application/json", "", []byte(`{"id":`))
	f.Add(uint8(1), 201, "text/html", "", []byte(`<html>`))
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx := context.Background()
		var err error
		switch op % 3 {
		case 0:
			_, err = c.ServiceRequest(ctx, "SR000001")
		case 1:
			_, err = c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "No heat at 12 Elm Street",
				Priority: reach.PriorityHigh})
		case 2:
			for _, e := range c.ServiceRequests(ctx, reach.ServiceRequestFilter{}) {
				if err = e; err != nil {
					break
				}
				if ans.Served() > 3 {
					break // a page that always points on is followed, page by page
				}
			}
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body), reachtest.ClientSecret, "12 Elm Street")
	})
}
