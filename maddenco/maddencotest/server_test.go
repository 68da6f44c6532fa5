package maddencotest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, srv *maddencotest.Server, path, key string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestTheFakeEnforcesTheContract(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC))
	srv := maddencotest.NewServer(t, maddencotest.WithEquipment(10), maddencotest.WithRateLimit(3),
		maddencotest.WithClock(clk))
	cases := []struct {
		path, key string
		status    int
	}{
		{"/api/equipment/EQ00001", "", 401},
		{"/api/equipment/EQ00001", "wrong", 401},
		{"/api/equipment/EQ00001", maddencotest.APIKey, 200},
		{"/api/equipment?limit=9000", maddencotest.APIKey, 400},
		{"/api/nothing", maddencotest.APIKey, 404},
		{"/api/equipment/EQ00002", maddencotest.APIKey, 429}, // the 4th accepted key request this hour
	}
	for _, tc := range cases {
		resp := get(t, srv, tc.path, tc.key)
		assert.Equal(t, tc.status, resp.StatusCode, tc.path)
		if tc.status == 429 {
			assert.Equal(t, "3600", resp.Header.Get("Retry-After"), "the oldest request leaves the window in an hour")
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		}
	}
	assert.Equal(t, 1, srv.Throttled())
	clk.Advance(time.Hour)
	assert.Equal(t, 200, get(t, srv, "/api/equipment/EQ00002", maddencotest.APIKey).StatusCode, "the window slid")
	for _, r := range srv.Requests() {
		assert.False(t, strings.Contains(r.Body+r.Query, maddencotest.APIKey))
	}

	blocked := maddencotest.NewServer(t, maddencotest.WithEquipment(1), maddencotest.WithAllowlist("192.0.2.0/24"))
	assert.Equal(t, 403, get(t, blocked, "/api/equipment/EQ00001", maddencotest.APIKey).StatusCode)
	assert.Equal(t, 1, blocked.Forbidden())
}
