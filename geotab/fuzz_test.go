package geotab_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/resilience"
)

// notAuthenticate selects the JSON-RPC calls other than Authenticate (sign-in goes to
// the fake), leaving the request body readable.
func notAuthenticate(r *http.Request) bool {
	if r.Body == nil {
		return true
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return !bytes.Contains(b, []byte(`"method":"Authenticate"`))
}

// FuzzAnswers gives the client arbitrary JSON-RPC answers (status, content type,
// Retry-After, body: results, feed pages, error envelopes) to a Get, a feed page and an
// Add, after a real sign-in with the fake: whatever the bytes, the client returns a
// value or an error of a documented class whose text holds no password or session id.
func FuzzAnswers(f *testing.F) {
	srv := geotabtest.NewServer(f)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	f.Cleanup(tr.CloseIdleConnections)
	var stop context.CancelFunc = func() {}
	ans := &fakekit.Answer{Next: tr, Match: notAuthenticate, OnServe: func(n int) {
		if n >= 3 {
			stop() // a feed is followed forever: three pages are enough
		}
	}}
	p := resilience.Standard()
	p.Breaker = resilience.BreakerPolicy{}
	c, err := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL), geotab.WithHTTPClient(&http.Client{Transport: ans}),
		geotab.WithPolicy(p), geotab.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []int{200, 500, 503} {
		f.Add(uint8(0), s, "application/json", "", []byte(`{"result":[{"id":"b1","name":"Truck 1","serialNumber":"G9"}],"jsonrpc":"2.0"}`))
		f.Add(uint8(1), s, "application/json", "", []byte(`{"result":{"data":[{"id":"a1","dateTime":"2026-12-01T08:00:00.000Z","latitude":43.6,"longitude":-79.3,"speed":40,"device":{"id":"b1"}}],"toVersion":"0000000000000002"},"jsonrpc":"2.0"}`))
		f.Add(uint8(2), s, "application/json", "", []byte(`{"result":"b2A","jsonrpc":"2.0"}`))
	}
	for _, e := range []string{
		`{"error":{"message":"Incorrect login credentials","code":-32000,"data":{"type":"InvalidUserException"},"name":"JSONRPCError","errors":[{"name":"InvalidUserException","message":"Incorrect login credentials"}]},"jsonrpc":"2.0"}`,
		`{"error":{"message":"Over limit","code":-32000,"name":"JSONRPCError","errors":[{"name":"OverLimitException","message":"API calls quota exceeded. Maximum admitted 10 per 1m."}]},"jsonrpc":"2.0"}`,
		`{"error":{"message":"The method 'Nope' could not be found.","code":-32601,"name":"JSONRPCError","errors":[{"name":"MissingMethodException"}]},"jsonrpc":"2.0"}`,
		`{"error":{"message":"x","code":-32000,"name":"JSONRPCError","errors":[{"name":"DbUnavailableException"}]}}`,
		`{"result":null}`, `{}`, `[]`, `{"result":`,
	} {
		f.Add(uint8(0), 200, "application/json", "", []byte(e))
		f.Add(uint8(2), 200, "application/json", "", []byte(e))
	}
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stop = cancel
		var err error
		switch op % 3 {
		case 0:
			_, err = c.Devices(ctx, geotab.DeviceSearch{})
		case 1:
			for _, e := range c.LogRecordFeed(ctx, geotab.FeedOptions{}) {
				if err = e; err != nil {
					break
				}
			}
		case 2:
			_, err = c.AddZone(ctx, geotab.Zone{Name: "Job SR000001", Points: []geotab.Coordinate{{X: -79.38, Y: 43.65}, {X: -79.37, Y: 43.65},
				{X: -79.37, Y: 43.66}, {X: -79.38, Y: 43.65}}})
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body), geotabtest.DefaultPassword)
	})
}
