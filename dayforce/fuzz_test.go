package dayforce_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/resilience"
)

// FuzzAnswers gives the client arbitrary answers (status, content type, Retry-After,
// body) to a read, a paged list (Paging.Next) and a punch, after a real host discovery
// and sign-in with the fake: whatever the envelope holds, the client returns a value
// or an error of a documented class whose text holds neither the password nor the
// badge it sent.
func FuzzAnswers(f *testing.F) {
	srv := dayforcetest.NewServer(f)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	f.Cleanup(tr.CloseIdleConnections)
	ans := &fakekit.Answer{Next: tr, Match: func(r *http.Request) bool {
		return !strings.Contains(r.URL.Path, "ClientMetadata") && !strings.Contains(r.URL.Path, "/connect/token")
	}}
	p := resilience.Standard()
	p.Breaker = resilience.BreakerPolicy{}
	c, err := dayforce.New(srv.Config(), dayforce.WithHTTPClient(&http.Client{Transport: ans}), dayforce.WithPolicy(p),
		dayforce.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		f.Fatal(err)
	}
	const badge = "B10003"
	for _, s := range fakekit.Statuses {
		f.Add(uint8(0), s, "application/json", "", []byte(`{"Data":{"XRefCode":"E1","FirstName":"Pat"},"ProcessResults":[]}`))
		f.Add(uint8(1), s, "application/json", "", []byte(`{"Data":[{"RawPunchXRefCode":"1"}],"Paging":{"Next":"https://127.0.0.1/next?cursor=2"}}`))
		f.Add(uint8(2), s, "application/json", "8", []byte(`{"Data":{},"ProcessResults":[{"Code":"HR_Err","Context":"Badge","Level":"ERROR","Message":"bad"}]}`))
	}
	f.Add(uint8(1), 200, "application/json", "", []byte(`{"Data":[],"Paging":{"Next":"::"}}`))
	f.Add(uint8(1), 200, "application/json", "", []byte(`{"Data":[],"Paging":{"Next":"http://169.254.169.254/latest"}}`))
	f.Add(uint8(2), 200, "", "", []byte{})
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, op uint8, status int, contentType, retryAfter string, body []byte) {
		ans.Set(status, contentType, retryAfter, body)
		ctx := context.Background()
		var err error
		switch op % 3 {
		case 0:
			_, err = c.Employee(ctx, "E1", dayforce.EmployeeOptions{})
		case 1:
			for _, e := range c.RawPunches(ctx, dayforce.PunchFilter{From: day, To: day.Add(24 * time.Hour), EmployeeBadge: badge}) {
				if err = e; err != nil || ans.Served() > 3 {
					break
				}
			}
		case 2:
			_, err = c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: day.Add(8 * time.Hour), Type: dayforce.PunchIn}, dayforce.WriteOptions{})
		}
		fakekit.CheckAnswerError(t, err, fakekit.Echo(status, contentType, retryAfter, body), dayforcetest.Password, badge)
	})
}
