package geotab_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/geotab"
)

func TestRefAcceptsBothFormsAndKeepsThem(t *testing.T) {
	cases := []struct{ in, id, out string }{
		{`{"id":"b1"}`, "b1", `{"id":"b1"}`},
		{`"UnknownDriverId"`, "UnknownDriverId", `"UnknownDriverId"`},
		{`{"id":"b2","name":"ignored"}`, "b2", `{"id":"b2"}`},
		{`{"id":"a\u0041"}`, "aA", `{"id":"aA"}`},
		{`{ "id" : "b3" }`, "b3", `{"id":"b3"}`},
		{`null`, "", `{"id":""}`},
	}
	for _, tc := range cases {
		var r geotab.Ref
		require.NoError(t, json.Unmarshal([]byte(tc.in), &r), tc.in)
		assert.Equal(t, tc.id, r.ID)
		b, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Equal(t, tc.out, string(b))
	}
	var r geotab.Ref
	assert.Error(t, json.Unmarshal([]byte(`42`), &r))
	var dsi geotab.DeviceStatusInfo
	require.NoError(t, json.Unmarshal([]byte(`{"device":{"id":"b15"},"driver":"UnknownDriverId"}`), &dsi))
	assert.Equal(t, "b15", dsi.Device.ID)
	assert.Equal(t, "UnknownDriverId", dsi.Driver.ID)
}

func TestTimeIsUTCWithMilliseconds(t *testing.T) {
	tm := geotab.NewTime(time.Date(2026, 1, 28, 1, 45, 56, 584_123_456, time.FixedZone("EST", -5*3600)))
	b, err := json.Marshal(tm)
	require.NoError(t, err)
	assert.Equal(t, `"2026-01-28T06:45:56.584Z"`, string(b))
	for _, in := range []string{`"2026-01-28T06:45:56.584Z"`, `"2026-01-28T06:45:56.584"`, `"2026-01-28T01:45:56.584-05:00"`} {
		var got geotab.Time
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.True(t, got.Equal(time.Date(2026, 1, 28, 6, 45, 56, 584_000_000, time.UTC)), in)
	}
	var got geotab.Time
	assert.Error(t, json.Unmarshal([]byte(`"yesterday"`), &got))
	// zero times are left out of requests
	b, err = json.Marshal(geotab.DeviceSearch{ID: "b1"})
	require.NoError(t, err)
	assert.Equal(t, `{"id":"b1"}`, string(b))
}

func TestTimeSpan(t *testing.T) {
	cases := []struct {
		wire string
		d    time.Duration
		back string
	}{
		{"01:27:41", time.Hour + 27*time.Minute + 41*time.Second, "01:27:41"},
		{"00:00:00.3000000", 300 * time.Millisecond, "00:00:00.3000000"},
		{"1.02:03:04.5", 26*time.Hour + 3*time.Minute + 4500*time.Millisecond, "1.02:03:04.5000000"},
		{"-00:00:05", -5 * time.Second, "-00:00:05"},
		{"12.00:00:00", 288 * time.Hour, "12.00:00:00"},
	}
	for _, tc := range cases {
		s, err := geotab.ParseTimeSpan(tc.wire)
		require.NoError(t, err, tc.wire)
		assert.Equal(t, tc.d, s.Duration(), tc.wire)
		assert.Equal(t, tc.back, s.String())
		var j geotab.TimeSpan
		require.NoError(t, json.Unmarshal([]byte(`"`+tc.wire+`"`), &j))
		assert.Equal(t, s, j)
	}
	for _, bad := range []string{"", "1:2", "00:60:00", "aa:bb:cc", "00:00:00.12345678", "00:00:00."} {
		_, err := geotab.ParseTimeSpan(bad)
		assert.Error(t, err, bad)
	}
}

func TestOfflineAndInterpolate(t *testing.T) {
	now := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	st := []geotab.DeviceStatusInfo{
		{Device: geotab.NewRef("b1"), DateTime: geotab.NewTime(now.Add(-time.Minute)), IsDeviceCommunicating: true},
		{Device: geotab.NewRef("b2"), DateTime: geotab.NewTime(now.Add(-2 * time.Hour)), IsDeviceCommunicating: true},
		{Device: geotab.NewRef("b3"), DateTime: geotab.NewTime(now), IsDeviceCommunicating: false},
	}
	off := geotab.Offline(st, now, 30*time.Minute)
	require.Len(t, off, 2)
	assert.Equal(t, "b2", off[0].Device.ID)
	assert.Equal(t, "b3", off[1].Device.ID)

	a := geotab.LogRecord{ID: "1", Device: geotab.NewRef("b1"), DateTime: geotab.NewTime(now), Latitude: 43.0, Longitude: -79.0, Speed: 40}
	b := geotab.LogRecord{ID: "2", Device: geotab.NewRef("b1"), DateTime: geotab.NewTime(now.Add(30 * time.Second)), Latitude: 43.3, Longitude: -79.6, Speed: 60}
	mid, ok := geotab.Interpolate(b, a, now.Add(10*time.Second)) // order does not matter
	require.True(t, ok)
	assert.InDelta(t, 43.1, mid.Latitude, 1e-9)
	assert.InDelta(t, -79.2, mid.Longitude, 1e-9)
	assert.InDelta(t, 46.6667, mid.Speed, 1e-3)
	assert.Empty(t, mid.ID, "interpolated records have no id")
	_, ok = geotab.Interpolate(a, b, now.Add(time.Minute))
	assert.False(t, ok, "outside the two points")
	b.Device = geotab.NewRef("b2")
	_, ok = geotab.Interpolate(a, b, now.Add(10*time.Second))
	assert.False(t, ok, "different vehicles")
}

// TestRequestBodies checks, without a fake, what goes on the wire: Authenticate
// without credentials, then calls with the session id and never the password.
func TestRequestBodies(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var bodies []map[string]any
	mock.RegisterResponder(http.MethodPost, "https://my.geotab.com/apiv1", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		bodies = append(bodies, m)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Header.Get("User-Agent"), "dispatchcenter-connectors/")
		if m["method"] == "Authenticate" {
			return httpmock.NewStringResponse(200, `{"result":{"credentials":{"database":"acme","userName":"svc","sessionId":"S1"},"path":"ThisServer"},"jsonrpc":"2.0"}`), nil
		}
		return httpmock.NewStringResponse(200, `{"result":[{"id":"b1","name":"Truck 1","activeFrom":"2026-01-01T00:00:00.000Z"}],"jsonrpc":"2.0"}`), nil
	})
	c, err := geotab.New(geotab.Config{Database: "acme", UserName: "svc", Password: "pw"}, geotab.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	ds, err := c.Devices(context.Background(), geotab.DeviceSearch{Name: "Truck%"})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, 2026, ds[0].ActiveFrom.Year())
	require.Len(t, bodies, 2)
	assert.Equal(t, map[string]any{"method": "Authenticate", "params": map[string]any{"database": "acme", "userName": "svc", "password": "pw"}}, bodies[0])
	assert.Equal(t, map[string]any{"method": "Get", "params": map[string]any{
		"typeName":    "Device",
		"search":      map[string]any{"name": "Truck%"},
		"credentials": map[string]any{"database": "acme", "userName": "svc", "sessionId": "S1"},
	}}, bodies[1])
}
