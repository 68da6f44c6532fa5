package maddenco_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/resilience"
)

// FuzzAnswers gives the client arbitrary answers (status, content type, Retry-After,
// body) to a read, a list and a work-order completion: whatever the bytes, the client
// returns a value or an error of a documented class that does not hold the API key.
func FuzzAnswers(f *testing.F) {
	srv := maddencotest.NewServer(f)
	ans := &fakekit.Answer{Match: func(*http.Request) bool { return true }}
	p := resilience.Standard()
	p.Breaker = resilience.BreakerPolicy{}
	c, err := maddenco.New(srv.Config(), maddenco.WithHTTPClient(&http.Client{Transport: ans}), maddenco.WithPolicy(p),
		maddenco.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range fakekit.Statuses {
		f.Add(uint8(0), s, "application/json", "", []byte(`{"id":"EQ00001","site_id":"S1","status":"active","updated_at":"2026-01-02T03:04:05Z"}`))
		f.Add(uint8(1), s, "application/json", "120", []byte(`{"error":{"code":"rate_limited","message":"slow down"}}`))
		f.Add(uint8(2), s, "application/json", "", []byte(`{"items":[{"id":"EQ1"}],"next_cursor":"c2"}`))
	}
	f.Add(uint8(0), 200, "application/json", "", []byte(`{"id":`))
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx := context.Background()
		var err error
		switch op % 3 {
		case 0:
			_, err = c.Equipment(ctx, "EQ00001")
		case 1:
			_, err = c.ReportCompletion(ctx, "SR000124", maddenco.WorkOrderCompletion{Status: maddenco.WorkOrderCompletionStatusCompleted,
				CompletedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), EquipmentIDs: []string{"EQ00001"}})
		case 2:
			for _, e := range c.EquipmentList(ctx, maddenco.EquipmentFilter{}) {
				if err = e; err != nil || ans.Served() > 3 {
					break
				}
			}
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body), maddencotest.APIKey)
	})
}
