package reach_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/resilience"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newClient(t *testing.T, srv *reachtest.Server, opts ...reach.Option) *reach.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]reach.Option{reach.WithHTTPClient(&http.Client{Transport: tr}), reach.WithClock(clock.NewFake(time.Now()))}, opts...)
	c, err := reach.New(srv.Config(), all...)
	require.NoError(t, err)
	return c
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

func TestConfig(t *testing.T) {
	_, err := reach.New(reach.Config{})
	require.Error(t, err)
	for _, f := range []string{"BaseURL", "ClientID", "ClientSecret"} {
		assert.Contains(t, err.Error(), f)
	}
}

func TestListsPageToTheEnd(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(237), reachtest.WithTechnicians(12), reachtest.WithCustomers(30))
	c := newClient(t, srv)
	ctx := context.Background()
	srs := collect(t, c.ServiceRequests(ctx, reach.ServiceRequestFilter{ListOptions: reach.ListOptions{PageSize: 50}}))
	assert.Len(t, srs, 237)
	ids := map[string]bool{}
	for i, sr := range srs {
		assert.False(t, ids[sr.ID], "no duplicates across pages")
		ids[sr.ID] = true
		if i > 0 {
			assert.False(t, sr.UpdatedAt.Before(srs[i-1].UpdatedAt), "oldest change first")
		}
	}
	completed := collect(t, c.ServiceRequests(ctx, reach.ServiceRequestFilter{Status: reach.ServiceRequestStatusCompleted}))
	for _, sr := range completed {
		assert.Equal(t, reach.ServiceRequestStatusCompleted, sr.Status)
	}
	techs := collect(t, c.Technicians(ctx, "", reach.ListOptions{PageSize: 5}))
	assert.Len(t, techs, 12)
	hvac := collect(t, c.Technicians(ctx, "hvac", reach.ListOptions{}))
	assert.NotEmpty(t, hvac)
	for _, tc := range hvac {
		assert.Contains(t, tc.Skills, "hvac")
	}
	custs := collect(t, c.Customers(ctx, reach.ListOptions{PageSize: 7}))
	assert.Len(t, custs, 30)
	comms := collect(t, c.Communications(ctx, custs[0].ID))
	assert.Len(t, comms, 1)
	assert.Equal(t, 1, srv.TokensIssued(), "one token for every call")
}

func TestServiceRequestLifecycle(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(0))
	c := newClient(t, srv)
	ctx := context.Background()
	sr, err := c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "No heat", Priority: reach.PriorityEmergency,
		ExternalID: "DC-1"})
	require.NoError(t, err)
	assert.Equal(t, reach.ServiceRequestStatusNew, sr.Status)
	assert.Equal(t, int64(1), sr.Version)

	got, err := c.ServiceRequest(ctx, sr.ID)
	require.NoError(t, err)
	assert.Equal(t, "No heat", got.Description)

	srv.Advance(time.Minute)
	upd, err := c.UpdateServiceRequest(ctx, sr.ID, got.Version, reach.ServiceRequestPatch{TechnicianID: connectors.Set("T0001"),
		Category: connectors.Set("hvac")})
	require.NoError(t, err)
	assert.Equal(t, "T0001", upd.TechnicianID)
	// a merge patch with null clears the field; an absent field stays
	upd, err = c.UpdateServiceRequest(ctx, sr.ID, upd.Version, reach.ServiceRequestPatch{Category: connectors.Clear[string]()})
	require.NoError(t, err)
	assert.Empty(t, upd.Category)
	assert.Equal(t, "T0001", upd.TechnicianID)

	// someone else's change makes our version stale
	_, err = c.UpdateServiceRequest(ctx, sr.ID, got.Version, reach.ServiceRequestPatch{Description: "stale"})
	assert.ErrorIs(t, err, connectors.ErrConflict)
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 412, ae.StatusCode)
	assert.Equal(t, "version_conflict", ae.Code)

	done, err := c.SetStatus(ctx, sr.ID, reach.StatusUpdate{Status: reach.ServiceRequestStatusCompleted, Note: "fixed"})
	require.NoError(t, err)
	assert.Equal(t, reach.ServiceRequestStatusCompleted, done.Status)
	assert.False(t, done.CompletedAt.IsZero())
}

func TestErrors(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(3))
	c := newClient(t, srv, reach.WithPolicy(resilience.Critical()))
	ctx := context.Background()
	_, err := c.ServiceRequest(ctx, "SR999999")
	assert.ErrorIs(t, err, connectors.ErrNotFound)
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "not_found", ae.Code)
	assert.NotEmpty(t, ae.RequestID)

	_, err = c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "nobody", Description: "x", Priority: reach.PriorityLow})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "422 unknown customer")

	_, err = c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "x", Priority: "whenever"})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "the fake validates against the contract")
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "validation_failed", ae.Code)

	srv.Fail(reachtest.Fault{Match: "getServiceRequest", Status: 503, Times: 2})
	_, err = c.ServiceRequest(ctx, "SR000001")
	require.NoError(t, err, "GET is retried")

	srv.Fail(reachtest.Fault{Match: "getServiceRequest", Status: 503, Times: 20})
	_, err = c.ServiceRequest(ctx, "SR000001")
	assert.ErrorIs(t, err, connectors.ErrUnavailable)
	// the seeds' breaker counts failed calls: the call above and this one make 2 of
	// its 5, so every one of Critical's 6 attempts reaches Reach
	assert.NotErrorIs(t, err, connectors.ErrCircuitOpen)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 6, ae.Attempts)
}

// A call whose retries ran out on a failing answer keeps what the vendor said in it:
// the problem's code, title and request id (resilience.Client.Do gives up with the
// answer in its CallError).
func TestExhaustedRetriesKeepTheVendorsProblem(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(3))
	c := newClient(t, srv, reach.WithPolicy(resilience.Standard()))
	srv.Fail(reachtest.Fault{Match: "getServiceRequest", Status: 503, Times: 10,
		Body: `{"status":503,"title":"Down for maintenance","code":"maintenance","request_id":"req-42"}`})
	_, err := c.ServiceRequest(context.Background(), "SR000001")
	require.ErrorIs(t, err, connectors.ErrUnavailable)
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 4, ae.Attempts)
	assert.Equal(t, "maintenance", ae.Code)
	assert.Equal(t, "Down for maintenance", ae.Message)
	assert.Equal(t, "req-42", ae.RequestID)
	assert.True(t, ae.Retryable)
	assert.ErrorIs(t, err, resilience.ErrRetriesExhausted, "the resilience layer's reason stays in the chain")
}

func TestTokenExpiryMidRun(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(5))
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.ServiceRequest(ctx, "SR000001")
	require.NoError(t, err)
	srv.ExpireTokens() // the server drops the token before the client expected
	_, err = c.ServiceRequest(ctx, "SR000002")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokensIssued(), "a refused token is replaced once")

	bad := srv.Config()
	bad.ClientSecret = "wrong"
	c2, err := reach.New(bad, reach.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}))
	require.NoError(t, err)
	_, err = c2.ServiceRequest(ctx, "SR000001")
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)
}

// TestCreateIsNeverDuplicated: the fake stores the request, then the answer is lost;
// the retry carries the same Idempotency-Key and gets the first answer.
func TestCreateIsNeverDuplicated(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithServiceRequests(0))
	c := newClient(t, srv)
	ctx := context.Background()
	const n = 50
	for i := 0; i < n; i++ {
		srv.Fail(reachtest.Fault{Match: "createServiceRequest", After: true, Reset: true})
		sr, err := c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "job", Priority: reach.PriorityNormal})
		require.NoError(t, err)
		require.NotEmpty(t, sr.ID)
	}
	assert.Equal(t, n, srv.CountServiceRequests(), "one stored request per call, however many attempts")
	keys := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && r.Path == "/api/servicerequests" {
			keys[r.IdempotencyKey]++
		}
	}
	assert.Len(t, keys, n)
	for _, k := range keys {
		assert.Equal(t, 2, k, "each key sent twice: the lost answer and the replay")
	}
}

func TestCustomerDataIsMinimized(t *testing.T) {
	srv := reachtest.NewServer(t)
	var mu sync.Mutex
	var audit []connectors.AuditEvent
	c := newClient(t, srv, reach.WithAuditor(connectors.AuditFunc(func(_ context.Context, ev connectors.AuditEvent) {
		mu.Lock()
		audit = append(audit, ev)
		mu.Unlock()
	})))
	cust, err := c.CreateCustomer(context.Background(), map[string]any{
		"name": "Ada Lovelace", "phone": "+14165550100", "email": "ada@example.com",
		"date_of_birth": "1815-12-10", "credit_limit": 5000, "notes": "VIP",
		"service_address": map[string]any{"line1": "1 King St W", "city": "Toronto", "country": "CA"},
	})
	require.NoError(t, err)
	assert.Equal(t, "Ada Lovelace", cust.Name)
	reqs := srv.Requests()
	body := reqs[len(reqs)-1].Body
	for _, leaked := range []string{"1815", "credit_limit", "VIP", "date_of_birth"} {
		assert.NotContains(t, body, leaked, "only allowlisted fields leave")
	}
	require.NotEmpty(t, audit)
	ev := audit[len(audit)-1]
	assert.Equal(t, "3", ev.Summary["dropped_fields"])
	assert.Equal(t, "credit_limit,date_of_birth,notes", ev.Summary["dropped"])
	assert.Equal(t, connectors.ClassPersonal, ev.Class)
	assert.Equal(t, 201, ev.StatusCode)

	got, err := c.Customer(context.Background(), cust.ID)
	require.NoError(t, err)
	upd, err := c.UpdateCustomer(context.Background(), got.ID, got.Version, reach.CustomerPatch{Phone: connectors.Clear[string]()})
	require.NoError(t, err)
	assert.Empty(t, upd.Phone)
	assert.Equal(t, "ada@example.com", upd.Email)
}

func TestAvailability(t *testing.T) {
	srv := reachtest.NewServer(t)
	c := newClient(t, srv)
	day := srv.Now().Truncate(24 * time.Hour)
	ws, err := c.Availability(context.Background(), "T0001", day, day.Add(24*time.Hour))
	require.NoError(t, err)
	require.Len(t, ws, 3)
	assert.Equal(t, "available", string(ws[0].State))
}

func TestServesOverTLS(t *testing.T) {
	srv := reachtest.NewServer(t, reachtest.WithTLS(), reachtest.WithServiceRequests(2))
	c, err := reach.New(srv.Config(), reach.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	sr, err := c.ServiceRequest(context.Background(), "SR000001")
	require.NoError(t, err)
	assert.Equal(t, "SR000001", sr.ID)
	assert.Equal(t, 1, srv.TokensIssued(), "the token came over TLS too")
}
