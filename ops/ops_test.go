package ops_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/ops"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = "op-token-0123456789abcdef"

type auditLog struct {
	mu  sync.Mutex
	evs []connectors.AuditEvent
}

func (a *auditLog) Audit(_ context.Context, ev connectors.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.evs = append(a.evs, ev)
}

type letters struct {
	mu       sync.Mutex
	all      []ops.DeadLetter
	replayed []string
}

func (l *letters) DeadLetters(context.Context) ([]ops.DeadLetter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ops.DeadLetter(nil), l.all...), nil
}

func (l *letters) Replay(_ context.Context, id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.replayed = append(l.replayed, id)
	return nil
}

type rig struct {
	console *ops.Console
	audit   *auditLog
	jobs    *ops.Jobs
	letters *letters
	pings   chan string
}

func newRig(t *testing.T) *rig {
	r := &rig{audit: &auditLog{}, letters: &letters{all: []ops.DeadLetter{
		{ID: "7", Subject: "dispatch.merchant.payment", Error: "not a payment", Data: []byte(`{"card_number":"4111111111111111","note":"card 4111 1111 1111 1111","amount":"12.50"}`)},
	}}, pings: make(chan string, 10)}
	hc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.pings <- req.URL.Path }))
	t.Cleanup(hc.Close)
	r.jobs = ops.NewJobs(clock.NewFake(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), hc.Client())
	require.NoError(t, r.jobs.Register(ops.Job{Name: "reach-sync", Module: "reach", Kind: ops.Regular, Schedule: ops.Daily(2 * time.Hour),
		PingURL: hc.URL + "/ping/reach", Run: func(context.Context) (int, error) { return 3, nil }}))
	require.NoError(t, r.jobs.Register(ops.Job{Name: "reach-errors", Module: "reach", Kind: ops.ErrorProcessing, Schedule: ops.Every(time.Hour),
		PingURL: hc.URL + "/ping/reach-errors", Run: func(context.Context) (int, error) { return 0, errors.New("reach is down") }}))
	health := ops.HealthFunc(func() map[string]resilience.Health {
		return map[string]resilience.Health{
			"reach": {Status: resilience.HealthOK, Calls: 12, P95: 340 * time.Millisecond, LastSuccess: time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC),
				Thresholds: resilience.DefaultThresholds()},
			"geotab": {Status: resilience.HealthCritical, Reasons: []string{"error rate 7.0 % over 5 %"}},
		}
	})
	var err error
	r.console, err = ops.New(ops.Config{Auth: ops.BearerToken(map[string]string{token: "ada"}), Health: health, Jobs: r.jobs,
		DeadLetters: r.letters, Auditor: r.audit})
	require.NoError(t, err)
	return r
}

func (r *rig) do(method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.console.ServeHTTP(w, req)
	return w
}

var operator = map[string]string{"Authorization": "Bearer " + token}

// Every route wants an operator: no credentials, a wrong token, or basic auth are
// all 401.
func TestEveryRouteRequiresAnOperator(t *testing.T) {
	r := newRig(t)
	for _, route := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/jobs"}, {"POST", "/jobs/reach-sync/run"}, {"GET", "/dead-letters"},
		{"POST", "/dead-letters/7/replay"}, {"POST", "/dead-letters/replay-all"}, {"GET", "/no-such-page"},
	} {
		for _, hdr := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic YWRhOnB3"}} {
			assert.Equal(t, http.StatusUnauthorized, r.do(route.method, route.path, hdr).Code, "%s %s %v", route.method, route.path, hdr)
		}
	}
	assert.Empty(t, r.letters.replayed)
	assert.Empty(t, r.audit.evs)
}

// A mutating request from another site is refused, even with the operator's token.
func TestCrossSitePostIsRefused(t *testing.T) {
	r := newRig(t)
	for _, hdr := range []map[string]string{
		{"Authorization": "Bearer " + token, "Sec-Fetch-Site": "cross-site"},
		{"Authorization": "Bearer " + token, "Origin": "https://evil.example"},
	} {
		assert.Equal(t, http.StatusForbidden, r.do("POST", "/dead-letters/replay-all", hdr).Code, "%v", hdr)
	}
	assert.Empty(t, r.letters.replayed)
	same := map[string]string{"Authorization": "Bearer " + token, "Sec-Fetch-Site": "same-origin"}
	assert.Equal(t, http.StatusSeeOther, r.do("POST", "/dead-letters/replay-all", same).Code)
	assert.Equal(t, []string{"7"}, r.letters.replayed)
}

func TestHealthTab(t *testing.T) {
	r := newRig(t)
	w := r.do("GET", "/", operator)
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	for _, want := range []string{"reach", ">ok<", "340ms", "2026-01-05T01:00:00Z", "geotab", "critical", "error rate 7.0 % over 5 %", "ada",
		"2s / 5s, 1.0 % / 5.0 %, 99.0 % / 95.0 %", `http-equiv="refresh" content="30"`} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "0001-01-01", "a system never called has a blank last success")
}

// Run now runs the job, records the run with its operator, pings its check (start,
// then success or fail) and is audited.
func TestRunNow(t *testing.T) {
	r := newRig(t)
	assert.Equal(t, http.StatusSeeOther, r.do("POST", "/jobs/reach-sync/run", operator).Code)
	assert.Equal(t, "/ping/reach/start", <-r.pings)
	assert.Equal(t, "/ping/reach", <-r.pings)
	assert.Equal(t, http.StatusSeeOther, r.do("POST", "/jobs/reach-errors/run", operator).Code, "a failed run is shown, not an error page")
	assert.Equal(t, "/ping/reach-errors/start", <-r.pings)
	assert.Equal(t, "/ping/reach-errors/fail", <-r.pings)
	assert.Equal(t, http.StatusNotFound, r.do("POST", "/jobs/nope/run", operator).Code)

	body := r.do("GET", "/jobs", operator).Body.String()
	for _, want := range []string{"reach-sync", "daily at 02:00 UTC", "3 record(s) ok (run by ada)", "reach-errors", "every 1h0m0s", "failed: reach is down"} {
		assert.Contains(t, body, want)
	}
	state := r.jobs.State()
	require.Len(t, state, 2)
	assert.Equal(t, "reach-errors", state[0].Name)
	require.Len(t, state[1].Runs, 1)
	assert.Equal(t, 3, state[1].Runs[0].Records)
	require.Len(t, r.audit.evs, 3)
	assert.Equal(t, "ada", r.audit.evs[0].Actor)
	assert.Equal(t, "run job", r.audit.evs[0].Operation)
	assert.Equal(t, map[string]string{"job": "reach-sync"}, r.audit.evs[0].Summary)
}

// Scheduled jobs run on the registry's clock, at their schedule's times; stop ends
// the schedule.
func TestScheduledRuns(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	fc := clock.NewStepped(start)
	ran := make(chan time.Time, 1)
	jobs := ops.NewJobs(fc, nil)
	require.NoError(t, jobs.Register(ops.Job{Name: "poll", Module: "geotab", Schedule: ops.Every(time.Minute),
		Run: func(context.Context) (int, error) { ran <- fc.Now(); return 1, nil }}))
	stop := jobs.Start(context.Background())
	for i := 1; i <= 2; i++ {
		waitUntil(t, "the scheduler to sleep until the next run", func() bool { return fc.Sleepers() == 1 })
		fc.AdvanceToNext()
		assert.Equal(t, start.Add(time.Duration(i)*time.Minute), <-ran, "run %d at its time", i)
	}
	waitUntil(t, "the scheduler to sleep again", func() bool { return fc.Sleepers() == 1 })
	stop()
	st := jobs.State()[0]
	assert.Len(t, st.Runs, 2)
	assert.Equal(t, start.Add(3*time.Minute), st.Next)
}

// waitUntil lets the scheduler's goroutine reach a state it cannot report; it fails
// the test, saying what it waited for, after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

// A dead letter is shown with its card numbers and secret fields masked.
func TestDeadLettersAreRedacted(t *testing.T) {
	r := newRig(t)
	body := r.do("GET", "/dead-letters", operator).Body.String()
	assert.Contains(t, body, "dispatch.merchant.payment")
	assert.Contains(t, body, "not a payment")
	assert.NotContains(t, body, "4111111111111111")
	assert.NotContains(t, body, "4111 1111 1111 1111")
	assert.Equal(t, http.StatusSeeOther, r.do("POST", "/dead-letters/7/replay", operator).Code)
	assert.Equal(t, []string{"7"}, r.letters.replayed)
}

// Basic auth is refused without TLS, accepted over it.
func TestBasicAuthOnlyOverTLS(t *testing.T) {
	c, err := ops.New(ops.Config{Auth: ops.BasicAuth(map[string]string{"ada": "correct horse battery"})})
	require.NoError(t, err)
	req := httptest.NewRequest("GET", "/", nil)
	req.SetBasicAuth("ada", "correct horse battery")
	w := httptest.NewRecorder()
	c.ServeHTTP(w, req)
	assert.Equal(t, http.StatusUnauthorized, w.Code, "not over TLS")
	req.TLS = &tls.ConnectionState{}
	w = httptest.NewRecorder()
	c.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code)
	b, _ := io.ReadAll(w.Body)
	assert.True(t, strings.Contains(string(b), "ada"))
}

// Operators with OpenID Connect ID tokens, checked by the webhook package's JWT
// verifier against the provider's JWKS: the operator is the token's subject; a
// token for another client, an expired one or one naming no one is refused. AnyOf
// keeps a static token working beside them.
func TestIDTokenOperators(t *testing.T) {
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	signer, err := webhook.NewJWTSigner("idp-1", key)
	require.NoError(t, err)
	set, err := webhook.JWKS(map[string]crypto.PublicKey{"idp-1": &key.PublicKey})
	require.NoError(t, err)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) }))
	defer jwks.Close()
	v, err := webhook.NewBearer(webhook.BearerOptions{Issuer: "https://idp.example", Audience: "dispatch-console",
		JWKSURL: jwks.URL, HTTPClient: jwks.Client(), Clock: clock.NewFake(now)})
	require.NoError(t, err)
	c, err := ops.New(ops.Config{Auth: ops.AnyOf(ops.IDToken(v), ops.BearerToken(map[string]string{token: "nightly-script"}))})
	require.NoError(t, err)
	mint := func(c webhook.JWTClaims) string {
		tok, err := signer.Sign(c)
		require.NoError(t, err)
		return tok
	}
	good := webhook.JWTClaims{Issuer: "https://idp.example", Subject: "grace@dispatch.example", Audience: "dispatch-console", Expires: now.Add(time.Hour)}
	with := func(f func(*webhook.JWTClaims)) string { c := good; f(&c); return mint(c) }
	for _, tc := range []struct {
		name, bearer, operator string
	}{
		{"an ID token", mint(good), "grace@dispatch.example"},
		{"the static token", token, "nightly-script"},
		{"an ID token for another client", with(func(c *webhook.JWTClaims) { c.Audience = "payroll" }), ""},
		{"another issuer", with(func(c *webhook.JWTClaims) { c.Issuer = "https://evil.example" }), ""},
		{"an expired ID token", with(func(c *webhook.JWTClaims) { c.Expires = now.Add(-time.Hour) }), ""},
		{"an ID token naming no one", with(func(c *webhook.JWTClaims) { c.Subject = "" }), ""},
		{"garbage", "not.a.token", ""},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+tc.bearer)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, req)
		if tc.operator == "" {
			assert.Equal(t, http.StatusUnauthorized, w.Code, tc.name)
			continue
		}
		require.Equal(t, http.StatusOK, w.Code, tc.name)
		assert.Contains(t, w.Body.String(), "<span>"+tc.operator+"</span>", tc.name)
	}
}
