package fakekit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestQueueMatchesInOrderAndCountsDown(t *testing.T) {
	var q Queue
	q.Add(Fault{Match: "Get", Times: 2, Status: 503})
	q.Add(Fault{Status: 500})
	assert.Equal(t, 500, q.Take("Add", "Add Zone").Status, "only the catch-all matches Add")
	assert.Nil(t, q.Take("nothing"), "the catch-all was used up")
	q.Add(Fault{Status: 502})
	assert.Equal(t, 503, q.Take("Get").Status)
	assert.Equal(t, 503, q.Take("Set", "Get").Status, "an alternative name matches")
	assert.Equal(t, 502, q.Take("Get").Status)
	assert.Nil(t, q.Take("Get"))
}

func TestApply(t *testing.T) {
	cases := []struct {
		f        Fault
		wantErr  bool
		status   int
		consumed bool
	}{
		{Fault{Status: 429, RetryAfter: 3, Body: "slow"}, false, 429, true},
		{Fault{Reset: true}, true, 0, true},
		{Fault{Malformed: true}, false, 200, true},
		{Fault{Truncate: true}, true, 200, true},
		{Fault{}, false, 204, false},
	}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !Apply(w, r, &tc.f) {
				w.WriteHeader(204)
			}
		}))
		resp, err := http.Get(srv.URL)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			if tc.f.RetryAfter > 0 {
				assert.Equal(t, "3", resp.Header.Get("Retry-After"))
			}
		}
		assert.Equal(t, tc.wantErr, err != nil, "%+v: %v", tc.f, err)
		srv.Close()
	}
	var rec Recorder[string]
	rec.Add("a")
	require.Equal(t, []string{"a"}, rec.All())
}

func TestTokensExpireOnTheFakeClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	toks := &Tokens{Prefix: "fk-", TTL: time.Minute}
	a, b := toks.Issue(now), toks.Issue(now)
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "fk-"))
	tests := []struct {
		name string
		tok  string
		at   time.Time
		want bool
	}{
		{"fresh", a, now, true},
		{"just before expiry", a, now.Add(time.Minute - time.Nanosecond), true},
		{"at expiry", a, now.Add(time.Minute), false},
		{"never issued", "fk-000", now, false},
		{"empty", "", now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, toks.Valid(tc.tok, tc.at))
		})
	}
	require.Equal(t, 2, toks.Issued())
	toks.ExpireAll()
	require.False(t, toks.Valid(b, now))
	require.Equal(t, 2, toks.Issued())
}

func TestServeRunsTheHandlerBeforeOrAfterTheFault(t *testing.T) {
	cases := []struct {
		name    string
		f       *Fault
		handled bool
		status  int
		wantErr bool
	}{
		{"no fault", nil, true, 201, false},
		{"status before", &Fault{Status: 503}, false, 503, false},
		{"status after", &Fault{Status: 502, After: true}, true, 502, false},
		{"reset after", &Fault{Reset: true, After: true}, true, 0, true},
		{"delay only", &Fault{Delay: time.Millisecond}, true, 201, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var handled atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				Serve(w, r, tc.f, func(w http.ResponseWriter) {
					handled.Store(true)
					w.WriteHeader(201)
				})
			}))
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			if err == nil {
				_ = resp.Body.Close()
				assert.Equal(t, tc.status, resp.StatusCode)
			}
			assert.Equal(t, tc.wantErr, err != nil)
			assert.Equal(t, tc.handled, handled.Load())
		})
	}
}

func TestContractRoutesAndValidates(t *testing.T) {
	spec := []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: putThing
      parameters: [{name: id, in: path, required: true, schema: {type: string, pattern: "^T[0-9]+$"}}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [n], properties: {n: {type: integer}}}
      responses: {"200": {description: ok}}
`)
	c, err := LoadContract(spec, nil)
	require.NoError(t, err)
	cases := []struct {
		path, body string
		ok         bool
	}{
		{"/things/T1", `{"n":1}`, true},
		{"/things/T1", `{"n":"x"}`, false},
		{"/things/T1", `{}`, false},
		{"/things/X1", `{"n":1}`, false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(tc.body))
		r.Header.Set("Content-Type", "application/json")
		route, params, err := c.Match(r)
		require.NoError(t, err)
		require.Equal(t, "putThing", route.Operation.OperationID)
		body := ReadBody(r)
		err = Validate(r, route, params, body)
		assert.Equal(t, tc.ok, err == nil, "%s %s: %v", tc.path, tc.body, err)
		rest, _ := io.ReadAll(r.Body)
		assert.Equal(t, tc.body, string(rest), "the body is restored for the handler")
	}
	_, _, err = c.Match(httptest.NewRequest(http.MethodGet, "/nothing", nil))
	assert.Error(t, err)
	_, err = LoadContract([]byte("openapi: 3.0.3\ninfo: {}\npaths: {}\n"), nil)
	assert.Error(t, err, "an invalid contract is refused")
}

func TestStart(t *testing.T) {
	type fake struct {
		name string
		life Life
	}
	tests := []struct {
		name    string
		fatal   bool
		wantErr string
	}{
		{name: "started; Stop runs the cleanups once"},
		{name: "a Fatalf is an error, and what started is stopped", fatal: true, wantErr: "no port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cleaned []string
			f, err := Start(func(tb testing.TB) *fake {
				tb.Helper()
				tb.Cleanup(func() { cleaned = append(cleaned, "first") })
				tb.Cleanup(func() { cleaned = append(cleaned, "second") })
				if tt.fatal {
					tb.Fatalf("no %s", "port")
				}
				return &fake{name: "fake"}
			}, func(f *fake) *Life { return &f.life })
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				require.Nil(t, f)
				require.Equal(t, []string{"second", "first"}, cleaned)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "fake", f.name)
			require.Empty(t, cleaned)
			require.True(t, f.life.Stop())
			require.Equal(t, []string{"second", "first"}, cleaned)
			require.False(t, f.life.Stop(), "once")
			require.False(t, (&Life{}).Stop(), "a fake made by NewServer has nothing to stop")
		})
	}
}
