package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/resilience"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStaticAuthenticatorsAndHostRestriction(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var mu sync.Mutex
	seen := map[string]http.Header{}
	record := func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		seen[req.URL.Host] = req.Header.Clone()
		mu.Unlock()
		return httpmock.NewStringResponse(200, "ok"), nil
	}
	mock.RegisterResponder("GET", "=~.*", record)
	cases := []struct {
		name   string
		auth   Authenticator
		header string
		want   string
	}{
		{"api key", APIKey("X-API-Key", "k-123"), "X-Api-Key", "k-123"},
		{"basic", Basic("svc", "pw"), "Authorization", "Basic c3ZjOnB3"},
		{"bearer", Bearer("t0k"), "Authorization", "Bearer t0k"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := Middleware("sdk/1.0", tc.auth, "api.vendor.example")(mock)
			c := &http.Client{Transport: rt}
			for _, u := range []string{"https://api.vendor.example/x", "https://elsewhere.example/x"} {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("User-Agent", "app/2")
				resp, err := c.Do(req)
				require.NoError(t, err)
				_ = resp.Body.Close()
				assert.Empty(t, req.Header.Get(tc.header), "the caller's request is not modified")
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.want, seen["api.vendor.example"].Get(tc.header))
			assert.Empty(t, seen["elsewhere.example"].Get(tc.header), "no credentials for another host")
			assert.Equal(t, "app/2 sdk/1.0", seen["elsewhere.example"].Get("User-Agent"))
		})
	}
}

// tokenServer issues tokens t1, t2, … that expire at once, or fails with status.
func tokenServer(t *testing.T, status *atomic.Int64) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		assert.Equal(t, "client_credentials", r.PostForm.Get("grant_type"))
		if s := status.Load(); s != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(s))
			_, _ = io.WriteString(w, `{"error":"invalid_client","error_description":"secret s3cr3t is wrong"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// expires_in 1: within oauth2's expiry margin, so every use fetches anew
		fmt.Fprintf(w, `{"access_token":"t%d","token_type":"Bearer","expires_in":1}`, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestClientCredentialsRefreshedOnEveryAttempt(t *testing.T) {
	var status atomic.Int64
	ts, fetches := tokenServer(t, &status)
	var mu sync.Mutex
	var tokens []string
	calls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		tokens = append(tokens, r.Header.Get("Authorization"))
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer api.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	a := ClientCredentials(clientcredentials.Config{ClientID: "id", ClientSecret: "s3cr3t", TokenURL: ts.URL}, hc)
	host := strings.TrimPrefix(api.URL, "http://")
	p := resilience.Policy{Retry: resilience.RetryPolicy{MaxRetries: 2}}
	c, err := resilience.New(p, resilience.WithTransport(tr), resilience.WithAttemptMiddleware(Middleware("ua", a, host)))
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
	resp, err := c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, []string{"Bearer t1", "Bearer t2"}, tokens, "the retry carried a fresh token")
	assert.Equal(t, int64(2), fetches.Load())

	t.Run("refused credentials are final and unauthorized", func(t *testing.T) {
		status.Store(401)
		before := calls
		req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
		_, err := c.Do(req)
		require.Error(t, err)
		assert.ErrorIs(t, err, connectors.ErrUnauthorized)
		var ae *Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "invalid_client", ae.Code)
		assert.NotContains(t, err.Error(), "s3cr3t")
		assert.Equal(t, before, calls, "the API was never called")
		var ce *resilience.CallError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 1, ce.Attempts)
	})
	t.Run("a failing token endpoint is retried", func(t *testing.T) {
		status.Store(503)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, api.URL, nil)
		_, err := c.Do(req)
		var ce *resilience.CallError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 3, ce.Attempts)
		assert.ErrorIs(t, err, resilience.ErrRetriesExhausted)
	})
}

func TestHostSuffixes(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var got atomic.Value
	mock.RegisterResponder("GET", "=~.*", func(req *http.Request) (*http.Response, error) {
		got.Store(req.Header.Get("Authorization"))
		return httpmock.NewStringResponse(200, "ok"), nil
	})
	c := &http.Client{Transport: Middleware("", Bearer("t"), ".dayforcehcm.com", "127.0.0.1:9")(mock)}
	for _, tc := range []struct {
		url  string
		auth bool
	}{
		{"https://www.dayforcehcm.com/api", true},
		{"https://us241-services.dayforcehcm.com:443/Api", true},
		{"http://127.0.0.1:9/x", true},
		{"https://dayforcehcm.com.evil.example/x", false},
		{"https://evildayforcehcm.com/x", false},
		{"http://127.0.0.1:10/x", false},
	} {
		resp, err := c.Get(tc.url)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, tc.auth, got.Load() == "Bearer t", tc.url)
	}
}

func TestFormToken(t *testing.T) {
	var n atomic.Int64
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		assert.Equal(t, "password", r.PostForm.Get("grant_type"))
		assert.Equal(t, "acme", r.PostForm.Get("companyId"))
		w.Header().Set("Content-Type", "application/json")
		if refuse.Load() {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"password hunter2 is wrong"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"f%d","expires_in":3600}`, n.Add(1))
	}))
	defer srv.Close()
	a := FormToken(srv.URL, map[string][]string{"grant_type": {"password"}, "companyId": {"acme"}, "password": {"hunter2"}}, srv.Client())
	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, "https://x.example/", nil)
		require.NoError(t, a.Apply(req))
		assert.Equal(t, "Bearer f1", req.Header.Get("Authorization"), "cached until it expires")
	}
	a.Invalidate()
	refuse.Store(true)
	req, _ := http.NewRequest(http.MethodGet, "https://x.example/", nil)
	err := a.Apply(req)
	require.Error(t, err)
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "hunter2")
	var ae *Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_grant", ae.Code)
	assert.False(t, ae.Retryable())
}
