package connector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/auth"
	"github.com/dispatchcenter/connectors/resilience"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseBaseURL(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"https://my.geotab.com", true}, {"http://127.0.0.1:8080", true}, {"http://localhost:1", true},
		{"http://[::1]:9", true}, {"http://vendor.example.com", false}, {"ftp://x", false}, {"/relative", false}, {"://", false},
	}
	for _, tc := range cases {
		_, err := ParseBaseURL(tc.in)
		assert.Equal(t, tc.ok, err == nil, tc.in)
	}
}

func TestBuildAssemblesAuthUserAgentAndPolicy(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	p := resilience.Policy{Retry: resilience.RetryPolicy{MaxRetries: 1}}
	o := Apply([]Option{WithHTTPClient(&http.Client{Transport: tr}), WithPolicy(p), nil}, func(o Option) Option { return o })
	c, err := Build(Stack{System: "maddenco", Policy: resilience.Standard(), Auth: auth.APIKey("X-API-Key", "k-1")}, o, base)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/equipment", nil)
	_, err = c.Do(req)
	require.Error(t, err)
	assert.Equal(t, "k-1", got.Get("X-Api-Key"), "credentials for the base URL's host")
	assert.Contains(t, got.Get("User-Agent"), "(maddenco;")
	status, attempts := CallInfo(err)
	assert.Equal(t, 503, status)
	assert.Equal(t, 2, attempts, "the option's policy replaced the default")
	assert.Equal(t, 0, func() int { s, _ := CallInfo(errors.New("x")); return s }())
}

func TestAuditorRecordsOneEventPerOperation(t *testing.T) {
	var evs []connectors.AuditEvent
	a := Auditor{System: "reach", A: connectors.AuditFunc(func(_ context.Context, ev connectors.AuditEvent) { evs = append(evs, ev) })}
	done := a.Start(connectors.WithActor(context.Background(), "ops"), "GET /requests", connectors.ClassPersonal, map[string]string{"count": "3"})
	done(200, 1, errors.New(`GET "https://h/x?token=secret": boom`))
	require.Len(t, evs, 1)
	ev := evs[0]
	assert.Equal(t, "reach", ev.System)
	assert.Equal(t, "ops", ev.Actor)
	assert.Equal(t, connectors.ClassPersonal, ev.Class)
	assert.NotContains(t, ev.Err.Error(), "secret", "audit records hold no secrets")
	Auditor{}.Start(context.Background(), "x", connectors.ClassPublic, nil)(0, 0, nil) // no auditor: no-op
}

func TestFailedCallClassifies(t *testing.T) {
	withResponse := &resilience.CallError{Attempts: 3, Response: &resilience.Response{StatusCode: 503}, Reason: resilience.ErrRetriesExhausted}
	cases := []struct {
		name      string
		err       error
		kind      error
		status    int
		retryable bool
	}{
		{"a response classifies itself: a 5xx may pass later", withResponse, nil, 503, true},
		{"a 4xx does not pass later", &resilience.CallError{Attempts: 2, Response: &resilience.Response{StatusCode: 409}, Reason: resilience.ErrRetriesExhausted}, nil, 409, false},
		// nothing was sent; the breaker closes again, so a later call may pass
		{"circuit open", &resilience.CallError{Attempts: 0, Err: connectors.ErrCircuitOpen}, connectors.ErrCircuitOpen, 0, true},
		{"the deadline passed", &resilience.CallError{Attempts: 1, Reason: connectors.ErrTimeout, Err: context.DeadlineExceeded}, connectors.ErrTimeout, 0, true},
		{"the caller cancelled", &resilience.CallError{Attempts: 1, Err: context.Canceled}, nil, 0, false},
		{"refused credentials", &resilience.CallError{Attempts: 1, Err: connectors.ErrUnauthorized}, connectors.ErrUnauthorized, 0, false},
		{"unknown cause: unreachable", &resilience.CallError{Attempts: 2, Err: errors.New("dial refused")}, connectors.ErrUnavailable, 0, true},
	}
	for _, tc := range cases {
		ae := FailedCall("sys", "op", tc.err)
		assert.Equal(t, tc.kind, ae.Kind, tc.name)
		assert.Equal(t, tc.status, ae.StatusCode, tc.name)
		assert.Equal(t, tc.retryable, ae.Retryable, tc.name)
		assert.ErrorIs(t, ae, tc.err, tc.name)
	}
	assert.ErrorIs(t, FailedCall("sys", "op", withResponse), connectors.ErrUnavailable)
	assert.Equal(t, 3, FailedCall("sys", "op", withResponse).Attempts)
}

func TestPagesStopsAtARepeatedCursor(t *testing.T) {
	calls := 0
	var got []int
	var err error
	for v, e := range Pages(context.Background(), func(_ context.Context, cursor string) ([]int, string, error) {
		calls++
		if cursor == "" {
			return []int{1}, "a", nil
		}
		return nil, "a", nil // an empty page pointing at itself
	}) {
		if e != nil {
			err = e
			break
		}
		got = append(got, v)
	}
	assert.Equal(t, []int{1}, got)
	assert.Equal(t, 2, calls, "the repeat is seen on the first page that repeats it")
	assert.ErrorIs(t, err, connectors.ErrUnavailable)
}
