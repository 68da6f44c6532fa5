package dayforce_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/resilience"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newClient(t *testing.T, srv *dayforcetest.Server, cfg *dayforce.Config, opts ...dayforce.Option) *dayforce.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]dayforce.Option{dayforce.WithHTTPClient(&http.Client{Transport: tr}), dayforce.WithClock(clock.NewFake(time.Now()))}, opts...)
	c := srv.Config()
	if cfg != nil {
		c = *cfg
	}
	cl, err := dayforce.New(c, all...)
	require.NoError(t, err)
	return cl
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

var ctx = context.Background()

func TestConfig(t *testing.T) {
	_, err := dayforce.New(dayforce.Config{Environment: "moon"})
	require.Error(t, err)
	for _, f := range []string{"Namespace", "Username", "Password", "moon"} {
		assert.Contains(t, err.Error(), f)
	}
	_, err = dayforce.New(dayforce.Config{Namespace: "n", Username: "u", Password: "p", BaseURL: "http://dayforce.example.com/Api"})
	assert.ErrorContains(t, err, "plain http", "credentials never go out in clear text")
}

// The generic host redirects to the client host, which is not a subdomain of it: Go's
// client would drop the credentials. The SDK follows by hand and keeps them.
func TestDiscoveryFollowsTheRedirectWithCredentials(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)

	// the trap is real: a stock client following the redirect loses Authorization
	req, _ := http.NewRequest(http.MethodGet, srv.GenericURL()+"/Api/"+dayforcetest.Namespace+"/V1/ClientMetadata", nil)
	req.SetBasicAuth(dayforcetest.Username, dayforcetest.Password)
	stock := &http.Client{Transport: &http.Transport{}}
	resp, err := stock.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	stock.CloseIdleConnections()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "Go dropped the credentials on the cross-host redirect")
	before := len(srv.Requests())

	uri, err := c.ServiceURI(ctx)
	require.NoError(t, err)
	assert.Equal(t, srv.Hosts[0].URL+"/Api", uri)
	r, err := c.Employee(ctx, "E0001", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	assert.Equal(t, "E0001", r.Data.XRefCode)
	var metadata, api int
	for _, rq := range srv.Requests()[before:] {
		if strings.HasSuffix(rq.Path, "/ClientMetadata") {
			metadata++
			assert.True(t, rq.Authorized, "%s %s carried credentials", rq.Host, rq.Path)
		} else if rq.Path != "/connect/token" {
			api++
			assert.Equal(t, "host0", rq.Host, "API calls go straight to the client host")
		}
	}
	assert.Equal(t, 2, metadata, "generic host, then the client host it redirected to")
	assert.Equal(t, 1, api)
}

// A Dayforce upgrade moves the tenant: the old host redirects. The client discovers
// the new host and sends the call there; a write never follows the redirect itself.
func TestRelocationRediscoversAndNeverSendsAWriteThroughARedirect(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)
	_, err := c.Employee(ctx, "E0002", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	srv.Relocate()
	badge := srv.Badge("E0002")
	at := srv.Now().Add(time.Hour)
	res, err := c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: at, Type: dayforce.PunchIn}, dayforce.WriteOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Attempts)
	assert.Len(t, srv.Punches(badge), 3, "two seeded, one posted once")
	uri, err := c.ServiceURI(ctx)
	require.NoError(t, err)
	assert.Equal(t, srv.Hosts[1].URL+"/Api", uri)
	var posts []string
	for _, rq := range srv.Requests() {
		if rq.Method == http.MethodPost && rq.Path != "/connect/token" {
			posts = append(posts, rq.Host)
		}
	}
	assert.Equal(t, []string{"host0", "host1"}, posts, "refused by the old host, sent to the rediscovered one")
}

func TestOperations(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

	techs, err := c.Employees(ctx, dayforce.EmployeeFilter{JobXRefCode: "FIELD_TECH"})
	require.NoError(t, err)
	assert.Len(t, techs.Data, dayforcetest.Technicians(200))

	e, err := c.Employee(ctx, "E0003", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	require.Len(t, e.Data.Skills.Items, 2, "skills are expanded by default")
	assert.NotEmpty(t, e.Data.WorkAssignments.Items[0].Position.Job.XRefCode)
	assert.NotEmpty(t, e.Data.Badges.Items[0].BadgeNumber)

	sch, err := c.EmployeeSchedules(ctx, "E0003", day, day.AddDate(0, 0, 1), dayforce.ScheduleOptions{})
	require.NoError(t, err)
	for _, s := range sch.Data {
		assert.Equal(t, day.YearDay(), s.TimeStart.YearDay(), "end date is exclusive")
	}

	av, err := c.Availability(ctx, "E0003", day, day.AddDate(0, 0, 6))
	require.NoError(t, err)
	require.Len(t, av.Data, 7, "both ends inclusive")
	assert.Equal(t, 24*time.Hour, av.Data[0].EndTime1.Duration(), `"1.00:00:00" is a day`)

	wa, err := c.WorkAssignments(ctx, "E0003", time.Time{})
	require.NoError(t, err)
	assert.Len(t, wa.Data, 1)
	sk, err := c.EmployeeSkills(ctx, "E0003", time.Time{})
	require.NoError(t, err)
	assert.Len(t, sk.Data, 2)
	ce, err := c.EmployeeCertifications(ctx, "E0003", time.Time{})
	require.NoError(t, err)
	assert.Equal(t, "SAFETY", ce.Data[0].LMSCertification.XRefCode)
	ta, err := c.TimeAway(ctx, "E0010", day, day.AddDate(0, 0, 14), "")
	require.NoError(t, err)
	assert.Len(t, ta.Data, 1)

	assert.Len(t, collect(t, dayforce.Items(c.Skills(ctx, dayforce.CatalogFilter{}))), 6)
	assert.Len(t, collect(t, dayforce.Items(c.Certifications(ctx, dayforce.CatalogFilter{}))), 3)
	changes := collect(t, dayforce.Items(c.ScheduleChanges(ctx, "BRANCH_NORTH", day, dayforce.ScheduleChangeOptions{})))
	assert.NotEmpty(t, len(changes))
	for _, ch := range changes {
		if ch.OrgUnitXRefCode != "BRANCH_NORTH" || ch.TimeStart.Before(day) {
			t.Fatalf("change %s outside the filter", ch.EmployeeScheduleXRefCode)
		}
	}

	punches := collect(t, dayforce.Items(c.RawPunches(ctx, dayforce.PunchFilter{From: day.AddDate(0, 0, -7), To: day, State: "ALL"})))
	assert.Len(t, punches, 2*dayforcetest.Technicians(200))
}

func TestSchedulesPageToTheEndFollowingNextVerbatim(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	pages := collect(t, c.Schedules(ctx, dayforce.ScheduleFilter{From: day.AddDate(0, 0, -7), To: day.AddDate(0, 0, 21)}))
	require.Greater(t, len(pages), 2, "Dayforce's default 1 000 per page")
	seen := map[string]bool{}
	for i, p := range pages {
		assert.Equal(t, i < len(pages)-1, p.Next != "", "only the last page has no Next")
		for _, s := range p.Data {
			assert.False(t, seen[s.EmployeeScheduleXRefCode])
			seen[s.EmployeeScheduleXRefCode] = true
		}
	}
	for _, rq := range srv.Requests() {
		if strings.Contains(rq.Query, "cursor=") {
			assert.Contains(t, rq.Query, "%3D", "the percent-encoded cursor was sent as given")
		}
	}
}

func TestNextOnAnotherHostGetsNoCredentials(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	var auth atomic.Value
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Data":[],"ProcessResults":[],"Paging":{"Next":""}}`))
	}))
	defer spy.Close()
	srv.SetNextHost(spy.URL)
	c := newClient(t, srv, nil)
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	pages := collect(t, c.Schedules(ctx, dayforce.ScheduleFilter{From: day, To: day.AddDate(0, 0, 14)}))
	require.Len(t, pages, 2)
	assert.Equal(t, "", auth.Load(), "credentials go only to the configured Dayforce hosts")
}

func TestErrors(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)
	for _, tc := range []struct {
		name string
		call func() error
		is   error
		code string
	}{
		{"unknown employee (object body)", func() error { _, err := c.Employee(ctx, "NOPE", dayforce.EmployeeOptions{}); return err },
			connectors.ErrNotFound, "HR_Employee_InvalidXRefCode"},
		{"unknown employee (bare array body)", func() error { _, err := c.EmployeeSkills(ctx, "NOPE", time.Time{}); return err },
			connectors.ErrNotFound, "HR_Employee_InvalidXRefCode"},
		{"updated range needs both ends", func() error {
			_, err := c.Employees(ctx, dayforce.EmployeeFilter{UpdatedFrom: time.Now()})
			return err
		}, connectors.ErrInvalidRequest, ""},
		{"unknown badge", func() error {
			_, err := c.PostPunch(ctx, dayforce.Punch{Badge: "X", Time: time.Now(), Type: dayforce.PunchIn}, dayforce.WriteOptions{})
			return err
		}, connectors.ErrInvalidRequest, "TIME_RawPunch_InvalidBadge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			if tc.code != "" {
				var ae *connectors.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tc.code, ae.Code)
				assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
			}
		})
	}
}

func TestTokenExpiryMidRunAndBasic(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)
	_, err := c.Employee(ctx, "E0001", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	srv.Advance(2 * time.Hour) // the token expired on the server's clock
	_, err = c.Employee(ctx, "E0002", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	srv.ExpireTokens()
	_, err = c.Employee(ctx, "E0003", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, srv.TokensIssued())

	cfg := srv.Config()
	cfg.Auth = dayforce.AuthBasic
	b := newClient(t, srv, &cfg)
	_, err = b.Employee(ctx, "E0004", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, srv.TokensIssued(), "Basic needs no token")

	cfg.Password = "wrong"
	bad := newClient(t, srv, &cfg)
	_, err = bad.Employee(ctx, "E0004", dayforce.EmployeeOptions{})
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)
	cfg.Auth = dayforce.AuthToken
	bad = newClient(t, srv, &cfg)
	_, err = bad.Employee(ctx, "E0004", dayforce.EmployeeOptions{})
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong")
}

func TestWarningsAndValidateOnly(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithPunchPayload()) // the answer the vendor's document shows
	c := newClient(t, srv, nil)
	badge := srv.Badge("E0005")
	sunday := time.Date(2026, 1, 11, 12, 0, 0, 0, time.FixedZone("EST", -5*3600))

	r, err := c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: sunday, Type: dayforce.PunchIn}, dayforce.WriteOptions{ValidateOnly: true})
	require.NoError(t, err)
	assert.Len(t, srv.Punches(badge), 2, "validate-only saves nothing")
	assert.True(t, hasCode(r.Warnings, "SYS_ValidateOnly"))

	r, err = c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: sunday, Type: dayforce.PunchIn}, dayforce.WriteOptions{})
	require.NoError(t, err)
	assert.True(t, hasCode(r.Warnings, "TIME_RawPunch_OutsideSchedule"), "a warning on a 200 reaches the caller")
	require.Len(t, srv.Punches(badge), 3)
	assert.True(t, srv.Punches(badge)[2].RawPunchTime.Equal(sunday), "sent with its offset")
}

func hasCode(rs []dayforce.ProcessResult, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

func TestPatchTellsAbsentFromNull(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	c := newClient(t, srv, nil)
	sk := srv.EmployeeSkills("E0006")[0]
	end := dayforce.NewDateTime(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC))
	_, err := c.UpdateEmployeeSkill(ctx, "E0006", dayforce.EmployeeSkill{Skill: dayforce.Skill{XRefCode: sk.Skill.XRefCode},
		EffectiveEnd: connectors.Set(end)}, dayforce.WriteOptions{})
	require.NoError(t, err)
	got := srv.EmployeeSkills("E0006")[0]
	assert.True(t, got.EffectiveEnd.MustGet().Equal(end.Time))
	assert.Equal(t, sk.SkillLevel, got.SkillLevel, "an absent property is left alone")

	_, err = c.UpdateEmployeeSkill(ctx, "E0006", dayforce.EmployeeSkill{Skill: dayforce.Skill{XRefCode: sk.Skill.XRefCode},
		EffectiveEnd: connectors.Clear[dayforce.DateTime]()}, dayforce.WriteOptions{})
	require.NoError(t, err)
	assert.True(t, srv.EmployeeSkills("E0006")[0].EffectiveEnd.IsNull(), "null clears")
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Contains(t, last.Body, `"EffectiveEnd":null`)
	assert.NotContains(t, last.Body, "SkillLevel")
}

// Raw punches have no idempotency key. Whatever fails, and whether Dayforce stored the
// punch before the answer was lost, a punch is stored exactly once.
func TestNoDuplicatePunchUnderInjectedFailures(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	// no breaker: 500 injected failures in a row would open it, which is right but
	// not what this test is about
	c := newClient(t, srv, nil, dayforce.WithPolicy(resilience.Policy{Timeout: 30 * time.Second,
		Retry: resilience.RetryPolicy{MaxRetries: 3, Backoff: resilience.Fixed{Wait: time.Second}}}))
	badge := srv.Badge("E0007")
	faults := []dayforcetest.Fault{
		{Match: "postEmployeeRawPunch", After: true, Reset: true},           // stored, connection dropped
		{Match: "postEmployeeRawPunch", After: true, Status: 500},           // stored, then a 500
		{Match: "postEmployeeRawPunch", After: true, Status: 502},           // stored, then a gateway error
		{Match: "postEmployeeRawPunch", Status: 503},                        // refused before storing
		{Match: "postEmployeeRawPunch", Reset: true},                        // dropped before storing
		{Match: "postEmployeeRawPunch", After: true, Reset: true, Times: 1}, // again
	}
	start := time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC)
	const n = 500
	reconciled, lostAfterStoring := 0, 0
	for i := range n {
		f := faults[i%len(faults)]
		if f.After {
			lostAfterStoring++
		}
		srv.Fail(f)
		r, err := c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: start.Add(time.Duration(i) * time.Minute * 3), Type: dayforce.PunchJobTransfer,
			DocketXRefCode: "WO-1"}, dayforce.WriteOptions{})
		require.NoError(t, err, "punch %d", i)
		if r.Reconciled {
			reconciled++
		}
	}
	got := srv.Punches(badge)
	assert.Len(t, got, n+2, "every punch stored once (plus the two seeded)")
	seen := map[int64]bool{}
	for _, p := range got[2:] {
		assert.False(t, seen[p.RawPunchTime.Unix()], "duplicate at %s", p.RawPunchTime)
		seen[p.RawPunchTime.Unix()] = true
	}
	assert.Equal(t, lostAfterStoring, reconciled, "answers lost after storing were reconciled, not re-posted")
}

func TestThrottledCallsFailAsRateLimited(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithRateLimit(2))
	c := newClient(t, srv, nil)
	_, err := c.Employee(ctx, "E0001", dayforce.EmployeeOptions{}) // metadata on the client host counts too
	require.NoError(t, err)
	_, err = c.Employee(ctx, "E0002", dayforce.EmployeeOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrRateLimited)
	srv.Advance(time.Minute)
	_, err = c.Employee(ctx, "E0002", dayforce.EmployeeOptions{})
	require.NoError(t, err)
}

func TestNothingPersonalIsLogged(t *testing.T) {
	srv := dayforcetest.NewServer(t)
	var buf bytes.Buffer
	c := newClient(t, srv, nil, dayforce.WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	srv.Fail(dayforcetest.Fault{Match: "getEmployee", Status: 500, Times: 1})
	e, err := c.Employee(ctx, "E0008", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	_, _ = c.PostPunch(ctx, dayforce.Punch{Badge: e.Data.BadgeNumber, Time: time.Now(), Type: dayforce.PunchIn}, dayforce.WriteOptions{ValidateOnly: true})
	out := buf.String()
	require.NotEmpty(t, out)
	for _, secret := range []string{dayforcetest.Password, e.Data.FirstName + " " + e.Data.LastName, e.Data.BadgeNumber, "df-"} {
		assert.NotContains(t, out, secret)
	}
}

func TestOverTLSAndCompletingAWorkOrder(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithTLS())
	hc := srv.Client()
	t.Cleanup(hc.CloseIdleConnections)
	c, err := dayforce.New(srv.Config(), dayforce.WithHTTPClient(hc), dayforce.WithClock(clock.NewFake(time.Now())))
	require.NoError(t, err)
	uri, err := c.ServiceURI(ctx)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(uri, "https://"))
	badge := srv.Badge("E0009")
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	_, err = c.StartWorkOrder(ctx, dayforce.WorkOrderPunch{Badge: badge, Time: at, WorkOrder: "SR1"}, dayforce.WriteOptions{})
	require.NoError(t, err)
	r, err := c.CompleteWorkOrder(ctx, dayforce.WorkOrderPunch{Badge: badge, Time: at.Add(90 * time.Minute), WorkOrder: "SR1", EndShift: true}, dayforce.WriteOptions{})
	require.NoError(t, err)
	assert.Empty(t, r.Punch.PunchType, "200 with no body: the stored punch is known only by reading it back")
	got := srv.Punches(badge)
	require.Len(t, got, 4)
	assert.Equal(t, dayforce.PunchOut, got[3].PunchType)
	assert.Equal(t, "SR1", got[2].ExtraData.DocketXRefCode)
	assert.Equal(t, dayforce.PunchJobTransfer, got[2].PunchType)
	_, err = c.StartWorkOrder(ctx, dayforce.WorkOrderPunch{Badge: badge, Time: at}, dayforce.WriteOptions{})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest)
}

// TestPostPunchHonoursRetryAfter: a punch refused with 429 and a Retry-After is
// posted again no sooner than asked (the backoff alone would wait less), and one
// asked to wait past the policy's MaxRetryAfter is not posted again.
func TestPostPunchHonoursRetryAfter(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter int
		wantErr    bool
		wantWait   time.Duration
	}{
		{"8 s is waited, not the 5 s backoff", 8, false, 8 * time.Second},
		{"past MaxRetryAfter fails fast", 120, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := dayforcetest.NewServer(t)
			clk := clock.NewFake(time.Now())
			c := newClient(t, srv, nil, dayforce.WithClock(clk))
			badge := srv.Badge("E0007")
			before := len(srv.Punches(badge))
			srv.Fail(dayforcetest.Fault{Match: "postEmployeeRawPunch", Status: http.StatusTooManyRequests, RetryAfter: tc.retryAfter})
			r, err := c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Type: dayforce.PunchIn},
				dayforce.WriteOptions{})
			if tc.wantErr {
				require.ErrorIs(t, err, connectors.ErrRateLimited)
				var ae *connectors.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, time.Duration(tc.retryAfter)*time.Second, ae.RetryAfter, "the vendor's wait is on the error")
				assert.Len(t, srv.Punches(badge), before, "not posted again")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 2, r.Attempts)
			assert.Contains(t, clk.Sleeps(), tc.wantWait)
			for _, d := range clk.Sleeps() {
				assert.GreaterOrEqual(t, d, tc.wantWait, "no wait shorter than Retry-After")
			}
			assert.Len(t, srv.Punches(badge), before+1, "stored once")
		})
	}
}

// TestPunchAnswers: Dayforce's POST answers 200 with no body (public integrations)
// or with the stored punch and its warnings (the vendor's document): both are a
// success, and the punch is posted once.
func TestPunchAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []dayforcetest.Option
		payload bool
	}{{"no body", nil, false}, {"payload", []dayforcetest.Option{dayforcetest.WithPunchPayload()}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := dayforcetest.NewServer(t, tc.opts...)
			c := newClient(t, srv, nil)
			badge := srv.Badge("E0004")
			at := time.Date(2026, 1, 5, 9, 15, 0, 0, time.FixedZone("EST", -5*3600))
			r, err := c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: at, Type: dayforce.PunchJobTransfer}, dayforce.WriteOptions{})
			require.NoError(t, err)
			assert.Equal(t, 1, r.Attempts)
			assert.False(t, r.Reconciled)
			if tc.payload {
				assert.Equal(t, dayforce.PunchJobTransfer, r.Punch.PunchType)
				assert.Equal(t, "Processed", r.Punch.PunchState, "the vendor's samples' casing")
			} else {
				assert.Empty(t, r.Punch.PunchType)
			}
			got := srv.Punches(badge)
			require.Len(t, got, 3, "two seeded, one posted")
			assert.Equal(t, dayforce.PunchJobTransfer, got[2].PunchType)
		})
	}
}
