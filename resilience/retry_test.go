package resilience

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
)

func TestRetryStatusSequences(t *testing.T) {
	ok := step{status: 200, body: "ok"}
	cases := []struct {
		name      string
		policy    Policy
		steps     []step
		wantCalls int
		wantSleep []time.Duration
		wantErr   []error
		wantBody  string
	}{
		{name: "503 503 200 recovers", policy: fixedPolicy(3), steps: []step{{status: 503}, {status: 503}, ok},
			wantCalls: 3, wantSleep: []time.Duration{time.Second, time.Second}, wantBody: "ok"},
		{name: "every retryable status", policy: fixedPolicy(6),
			steps:     []step{{status: 408}, {status: 429}, {status: 500}, {status: 502}, {status: 503}, {status: 504}, ok},
			wantCalls: 7, wantSleep: []time.Duration{time.Second, time.Second, time.Second, time.Second, time.Second, time.Second}, wantBody: "ok"},
		{name: "404 is final", policy: fixedPolicy(3), steps: []step{{status: 404, body: "nf"}}, wantCalls: 1, wantBody: "nf"},
		{name: "400 is final", policy: fixedPolicy(3), steps: []step{{status: 400, body: "bad"}}, wantCalls: 1, wantBody: "bad"},
		{name: "501 is final", policy: fixedPolicy(3), steps: []step{{status: 501, body: "ni"}}, wantCalls: 1, wantBody: "ni"},
		{name: "exhausted", policy: fixedPolicy(2), steps: []step{{status: 503}},
			wantCalls: 3, wantSleep: []time.Duration{time.Second, time.Second}, wantErr: []error{ErrRetriesExhausted, connectors.ErrUnavailable}},
		{name: "no retries", policy: fixedPolicy(0), steps: []step{{status: 502}}, wantCalls: 1,
			wantErr: []error{ErrRetriesExhausted, connectors.ErrUnavailable}},
		{name: "standard preset is linear 5s", policy: withTimeout(noBreaker(Standard()), time.Hour), steps: []step{{status: 503}},
			wantCalls: 4, wantSleep: []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}, wantErr: []error{ErrRetriesExhausted}},
		// each preset's whole retry sequence, breaker and call budget on: the last
		// retry reaches the vendor (a call's failures count once in the breaker, and
		// the call budget covers every attempt and wait)
		{name: "standard preset: 3 failures then success", policy: Standard(), steps: []step{{status: 502}, {status: 502}, {status: 502}, ok},
			wantCalls: 4, wantSleep: []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}, wantBody: "ok"},
		{name: "standard preset: exhausted within its budget", policy: Standard(), steps: []step{{status: 503}},
			wantCalls: 4, wantSleep: []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}, wantErr: []error{ErrRetriesExhausted, connectors.ErrUnavailable}},
		{name: "critical preset: 5 failures then success", policy: Critical(), steps: []step{{status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 503}, ok},
			wantCalls: 6, wantSleep: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second}, wantBody: "ok"},
		{name: "monitoring preset: 2 failures then success", policy: Monitoring(), steps: []step{{status: 504}, {status: 504}, ok},
			wantCalls: 3, wantSleep: []time.Duration{10 * time.Second, 10 * time.Second}, wantBody: "ok"},
		// a call whose deadline (real time) is nearer than its next wait fails at once
		// instead of sleeping for nothing
		{name: "standard preset with an 8s call timeout", policy: withTimeout(noBreaker(Standard()), 8*time.Second), steps: []step{{status: 503}},
			wantCalls: 2, wantSleep: []time.Duration{5 * time.Second}, wantErr: []error{connectors.ErrTimeout, context.DeadlineExceeded}},
		{name: "monitoring preset is fixed 10s", policy: noBreaker(Monitoring()), steps: []step{{status: 503}},
			wantCalls: 3, wantSleep: []time.Duration{10 * time.Second, 10 * time.Second}, wantErr: []error{ErrRetriesExhausted}},
		{name: "critical preset is capped full jitter", policy: withTimeout(noBreaker(Critical()), time.Hour), steps: []step{{status: 503}},
			// rnd = 0.5: half of 2, 4, 8, 16, 30 (capped) seconds
			wantCalls: 6, wantSleep: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second},
			wantErr: []error{ErrRetriesExhausted}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.steps...)
			fc := newFake()
			c := testClient(t, tc.policy, fc)
			resp, err := get(t, c, context.Background(), s.srv.URL+"/x")
			assert.Equal(t, tc.wantCalls, s.calls())
			assert.Equal(t, tc.wantSleep, nilIfEmpty(fc.Sleeps()))
			if tc.wantErr != nil {
				require.Error(t, err)
				assert.Nil(t, resp)
				for _, want := range tc.wantErr {
					assert.ErrorIs(t, err, want)
				}
				var ce *CallError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tc.wantCalls, ce.Attempts)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantBody, readClose(t, resp))
		})
	}
}

func nilIfEmpty(d []time.Duration) []time.Duration {
	if len(d) == 0 {
		return nil
	}
	return d
}

func noBreaker(p Policy) Policy { p.Breaker = BreakerPolicy{}; return p }

func withTimeout(p Policy, d time.Duration) Policy {
	p.Timeout, p.AttemptTimeout = d, min(d, p.AttemptTimeout)
	return p
}

func TestRetryAfterIsAFloorInBothForms(t *testing.T) {
	now := time.Now()
	date := now.Add(20 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name   string
		header string
		min    time.Duration
		max    time.Duration
	}{
		{"seconds above backoff", "7", 7 * time.Second, 7 * time.Second},
		{"seconds below backoff keep the backoff", "0", time.Second, time.Second},
		// the HTTP date has one-second resolution, so the wait is 19–20 s
		{"http date", date, 19 * time.Second, 20 * time.Second},
		{"garbage is ignored", "soon", time.Second, time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, step{status: 429, header: http.Header{"Retry-After": {tc.header}}}, step{status: 200})
			fc := newFake()
			c := testClient(t, fixedPolicy(1), fc)
			resp, err := get(t, c, context.Background(), s.srv.URL)
			require.NoError(t, err)
			readClose(t, resp)
			require.Len(t, fc.Sleeps(), 1)
			assert.GreaterOrEqual(t, fc.Sleeps()[0], tc.min)
			assert.LessOrEqual(t, fc.Sleeps()[0], tc.max)
		})
	}
}

func TestRetryAfterBeyondCapFailsFast(t *testing.T) {
	s := newScript(t, step{status: 429, header: http.Header{"Retry-After": {"1743"}}, body: `{"error":"slow down"}`})
	fc := newFake()
	c := testClient(t, fixedPolicy(3), fc)
	_, err := get(t, c, context.Background(), s.srv.URL)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrRetryAfterTooLong)
	assert.ErrorIs(t, err, connectors.ErrRateLimited)
	assert.Empty(t, fc.Sleeps(), "must not sleep on a hopeless hint")
	assert.Equal(t, 1, s.calls())
	var ce *CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1743*time.Second, ce.RetryAfter)
	assert.Equal(t, `{"error":"slow down"}`, string(ce.Response.Body))
}

func TestRetryAfterBeyondTheDeadlineFailsAtOnce(t *testing.T) {
	s := newScript(t, step{status: 503, header: http.Header{"Retry-After": {"20"}}})
	fc := newFake()
	p := fixedPolicy(3)
	p.Timeout = 10 * time.Second
	c := testClient(t, p, fc)
	_, err := get(t, c, context.Background(), s.srv.URL)
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, fc.Sleeps())
	var ce *CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 20*time.Second, ce.RetryAfter, "the server's hint is exposed")
}

func TestBackoffThatWouldCrossTheDeadlineFailsAtOnce(t *testing.T) {
	s := newScript(t, step{status: 503})
	fc := newFake()
	p := Policy{Retry: RetryPolicy{MaxRetries: 5, Backoff: Fixed{Wait: 30 * time.Second}, MaxRetryAfter: time.Minute}, Timeout: 25 * time.Second}
	c := testClient(t, p, fc)
	_, err := get(t, c, context.Background(), s.srv.URL)
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	// the call's deadline is a context deadline, 25 s of real time away: a 30 s wait
	// would end past it, so the call stops after its first attempt, without waiting
	assert.Empty(t, fc.Sleeps(), "never sleeps past the deadline")
	assert.Equal(t, 1, s.calls())
	var ce *CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 503, ce.Response.StatusCode, "the last response is kept")
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	s := newScript(t, step{status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	// a real clock and a one-hour wait: the hook cancels the call while it waits
	p := Policy{Retry: RetryPolicy{MaxRetries: 3, Backoff: Fixed{Wait: time.Hour}, MaxRetryAfter: time.Hour}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c, err := New(p, WithTransport(tr), WithHooks(Hooks{OnRetry: func(RetryInfo) { cancel() }}))
	require.NoError(t, err)
	_, err = get(t, c, ctx, s.srv.URL)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, connectors.ErrTimeout)
	assert.Equal(t, 1, s.calls())
}

func TestPOSTRetriedOnlyWhenSafe(t *testing.T) {
	cases := []struct {
		name      string
		header    http.Header
		ctx       func(context.Context) context.Context
		wantCalls int
	}{
		{"without key: not retried", nil, nil, 1},
		{"with Idempotency-Key: retried", http.Header{"Idempotency-Key": {"k-1"}}, nil, 3},
		{"marked idempotent: retried", nil, Idempotent, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, step{status: 503}, step{status: 503}, step{status: 201, body: "created"})
			c := testClient(t, fixedPolicy(3), newFake())
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx(ctx)
			}
			resp, err := post(t, c, ctx, s.srv.URL, `{"amount":1200}`, tc.header)
			assert.Equal(t, tc.wantCalls, s.calls())
			if tc.wantCalls == 1 {
				// a 503 the policy would retry, not retried: a failure, in Do's one shape
				require.Error(t, err)
				assert.Nil(t, resp)
				var ce *CallError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, 503, ce.Response.StatusCode)
				assert.Equal(t, 1, ce.Attempts)
				assert.ErrorIs(t, err, connectors.ErrUnavailable)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "created", readClose(t, resp))
			for _, b := range s.recordedBodies() {
				assert.Equal(t, `{"amount":1200}`, b, "every attempt replays the whole body")
			}
		})
	}
}

// failFirst fails the first n attempts with err, then passes through.
type failFirst struct {
	n    atomic.Int64
	err  error
	next http.RoundTripper
}

func (f *failFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(-1) >= 0 {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, f.err
	}
	return f.next.RoundTrip(r)
}

func TestPOSTThatWasNeverSentIsRetried(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	ambiguous := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	cases := []struct {
		name      string
		err       error
		wantCalls int
		wantOK    bool
	}{
		{"dial refused: retried", refused, 1, true},
		{"dns failure: retried", &net.DNSError{Err: "no such host", Name: "vendor.invalid"}, 1, true},
		{"reset after write: not retried", ambiguous, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, step{status: 201, body: "created"})
			ff := &failFirst{err: tc.err, next: http.DefaultTransport.(*http.Transport).Clone()}
			ff.n.Store(1)
			c := testClient(t, fixedPolicy(2), newFake(), WithAttemptMiddleware(func(http.RoundTripper) http.RoundTripper { return ff }))
			resp, err := post(t, c, context.Background(), s.srv.URL, "body", nil)
			assert.Equal(t, tc.wantCalls, s.calls())
			if !tc.wantOK {
				require.Error(t, err)
				var ce *CallError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, 1, ce.Attempts)
				assert.Nil(t, ce.Reason, "not retryable, not exhausted")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "created", readClose(t, resp))
			assert.Equal(t, []string{"body"}, s.recordedBodies())
		})
	}
}

func TestConnectionResetIsRetriedForGET(t *testing.T) {
	s := newScript(t, step{reset: true}, step{status: 200, body: "ok"})
	c := testClient(t, fixedPolicy(2), newFake())
	resp, err := get(t, c, context.Background(), s.srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "ok", readClose(t, resp))
	assert.GreaterOrEqual(t, s.calls(), 2)
}

func TestLastResponseKeptAfterExhaustion(t *testing.T) {
	long := strings.Repeat("x", 10<<10)
	s := newScript(t, step{status: 502, header: http.Header{"X-Request-Id": {"r-1"}}, body: "first"},
		step{status: 503, header: http.Header{"X-Request-Id": {"r-2"}}, body: long})
	c := testClient(t, fixedPolicy(1), newFake())
	_, err := get(t, c, context.Background(), s.srv.URL)
	var ce *CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 2, ce.Attempts)
	assert.Equal(t, 503, ce.Response.StatusCode)
	assert.Equal(t, "r-2", ce.Response.Header.Get("X-Request-Id"))
	assert.Len(t, ce.Response.Body, BodySnippetLimit)
	assert.True(t, ce.Response.Truncated)
	assert.Contains(t, err.Error(), "giving up after 2 attempts")
	assert.Contains(t, err.Error(), "last status 503")
}

func TestNoQueryValueInLogsOrErrors(t *testing.T) {
	var logs logBuffer
	s := newScript(t, step{status: 503}, step{reset: true})
	c := testClient(t, fixedPolicy(2), newFake(), WithLogger(logs.logger()))
	_, err := get(t, c, context.Background(), s.srv.URL+"/v1/items?api_key=sk_live_abc123&sig=deadbeef")
	require.Error(t, err)
	for _, secret := range []string{"sk_live_abc123", "deadbeef"} {
		assert.NotContains(t, err.Error(), secret)
		assert.NotContains(t, logs.String(), secret)
	}
	assert.Contains(t, logs.String(), "retrying")
	assert.Contains(t, err.Error(), "api_key=REDACTED")
	// refused connection: the *url.Error from net/http carries the URL too
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, lerr)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, err = get(t, c, context.Background(), "http://"+addr+"/x?token=t0k3n")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "t0k3n")
	assert.NotContains(t, logs.String(), "t0k3n")
}

// countingTransport counts CloseIdleConnections calls.
type countingTransport struct {
	http.RoundTripper
	closes atomic.Int64
}

func (c *countingTransport) CloseIdleConnections() { c.closes.Add(1) }

func TestFailedCallDoesNotFlushThePool(t *testing.T) {
	s := newScript(t, step{status: 503})
	ct := &countingTransport{RoundTripper: http.DefaultTransport.(*http.Transport).Clone()}
	defer ct.RoundTripper.(*http.Transport).CloseIdleConnections()
	c := testClient(t, fixedPolicy(2), newFake(), WithTransport(ct))
	_, err := get(t, c, context.Background(), s.srv.URL)
	require.Error(t, err)
	assert.Zero(t, ct.closes.Load())
}

func TestBodyWithoutGetBodyIsBufferedAndReplayed(t *testing.T) {
	s := newScript(t, step{status: 503}, step{status: 200})
	c := testClient(t, fixedPolicy(1), newFake())
	req, err := http.NewRequest(http.MethodPut, s.srv.URL, io.NopCloser(strings.NewReader("stream")))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	readClose(t, resp)
	assert.Equal(t, []string{"stream", "stream"}, s.recordedBodies())
}

type retryableErr struct{ retry bool }

func (e retryableErr) Error() string   { return "token endpoint said no" }
func (e retryableErr) Retryable() bool { return e.retry }

func TestRetryableInterfaceIsHonoured(t *testing.T) {
	for _, retry := range []bool{true, false} {
		s := newScript(t, step{status: 200})
		ff := &failFirst{err: retryableErr{retry}, next: http.DefaultTransport.(*http.Transport).Clone()}
		ff.n.Store(1)
		c := testClient(t, fixedPolicy(2), newFake(), WithAttemptMiddleware(func(http.RoundTripper) http.RoundTripper { return ff }))
		resp, err := get(t, c, context.Background(), s.srv.URL)
		if retry {
			require.NoError(t, err)
			readClose(t, resp)
		} else {
			require.Error(t, err)
			assert.Zero(t, s.calls())
		}
	}
}

func TestPerCallOverrides(t *testing.T) {
	s := newScript(t, step{status: 503})
	c := testClient(t, fixedPolicy(3), newFake())
	_, err := get(t, c, NoRetry(context.Background()), s.srv.URL)
	require.Error(t, err)
	assert.Equal(t, 1, s.calls())
	_, err = get(t, c, LimitRetries(context.Background(), 1), s.srv.URL)
	require.Error(t, err)
	assert.Equal(t, 3, s.calls())
}

func TestHTTPClientAdapter(t *testing.T) {
	s := newScript(t, step{status: 503}, step{status: 200, body: "ok"})
	c := testClient(t, fixedPolicy(1), newFake())
	resp, err := c.HTTPClient().Get(s.srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "ok", readClose(t, resp))
}

func TestPermanentTransportErrors(t *testing.T) {
	remote := func(alert string) error {
		return &url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "remote error", Err: errors.New("tls: " + alert)}}
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"the server refused our certificate's CA", remote("unknown certificate authority"), true},
		{"the server wants a certificate we did not present", remote("certificate required"), true},
		{"the server refused our certificate", remote("bad certificate"), true},
		{"an old TLS version", remote("protocol version not supported"), true},
		{"the server failed internally", remote("internal error"), false},
		{"the server's certificate is unknown here", &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}, true},
		{"a redirect loop", errors.New(`Get "https://x": stopped after 10 redirects`), true},
		{"a reset connection", &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Permanent(tc.err), tc.name)
	}
}

// Do answers the same failure in one shape, whichever path led to it (issue #20, 3):
// a status the policy retries is a *CallError with that answer in Response, whether
// the retries ran out, there were none, or the request is not idempotent; any other
// answer is the response.
func TestDoAnswersEveryFailureInOneShape(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		retries int
		status  int
		calls   int
		asError bool
	}{
		{"GET 502, retries run out", http.MethodGet, 2, 502, 3, true},
		{"GET 502, no retries", http.MethodGet, 0, 502, 1, true},
		{"POST 502 without a key: not retried", http.MethodPost, 2, 502, 1, true},
		{"POST 429 without a key: not retried", http.MethodPost, 2, 429, 1, true},
		{"GET 404: an answer", http.MethodGet, 2, 404, 1, false},
		{"POST 409: an answer", http.MethodPost, 2, 409, 1, false},
		{"GET 501: an answer", http.MethodGet, 2, 501, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, step{status: tc.status, body: "why"})
			c := testClient(t, fixedPolicy(tc.retries), newFake())
			var resp *http.Response
			var err error
			if tc.method == http.MethodGet {
				resp, err = get(t, c, context.Background(), s.srv.URL)
			} else {
				resp, err = post(t, c, context.Background(), s.srv.URL, "{}", nil)
			}
			assert.Equal(t, tc.calls, s.calls())
			if !tc.asError {
				require.NoError(t, err)
				assert.Equal(t, tc.status, resp.StatusCode)
				assert.Equal(t, "why", readClose(t, resp))
				return
			}
			require.Error(t, err)
			assert.Nil(t, resp)
			var ce *CallError
			require.ErrorAs(t, err, &ce)
			require.NotNil(t, ce.Response)
			assert.Equal(t, tc.status, ce.Response.StatusCode)
			assert.Equal(t, "why", string(ce.Response.Body))
			assert.Equal(t, tc.calls, ce.Attempts)
			assert.ErrorIs(t, err, connectors.SentinelForStatus(tc.status))
		})
	}
}
