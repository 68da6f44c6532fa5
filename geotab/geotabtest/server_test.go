package geotabtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/geotab"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFleetIsDeterministic(t *testing.T) {
	snapshot := func() string {
		srv := NewServer(t, WithVehicles(5), WithZones(5))
		srv.Advance(time.Hour)
		srv.st.mu.Lock()
		defer srv.st.mu.Unlock()
		b, err := json.Marshal(srv.st.feed("LogRecord").items[len(srv.st.feed("LogRecord").items)-1].rec)
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, snapshot(), snapshot())
}

func TestVersionsAreMonotonicHex(t *testing.T) {
	srv := NewServer(t, WithVehicles(3))
	srv.Advance(20 * time.Minute)
	srv.st.mu.Lock()
	defer srv.st.mu.Unlock()
	prev := ""
	for _, it := range srv.st.feed("LogRecord").items {
		assert.Len(t, it.version, 16)
		assert.Greater(t, it.version, prev)
		prev = it.version
	}
}

func TestLikeWildcards(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"%Truck%", "Big Truck 7", true}, {"Truck%", "Truck 001", true}, {"Truck%", "A Truck", false},
		{"%001", "Truck 001", true}, {"truck 001", "Truck 001", true}, {"Truck", "Truck 001", false},
		{"", "anything", true}, {"T%k%1", "Truck 001", true},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, like(tc.pattern, tc.s), "%q ~ %q", tc.pattern, tc.s)
	}
}

func TestGeofenceGeometry(t *testing.T) {
	sq := square(43.65, -79.38, 0.25)
	assert.True(t, inside(sq, 43.65, -79.38))
	assert.False(t, inside(sq, 43.66, -79.38))
	assert.Equal(t, sq[0], sq[len(sq)-1], "polygons are closed")
	assert.Equal(t, "ExceptionEventStateValidId", stateRef(geotab.StateValid).ID)
}

// rpc posts a raw JSON-RPC request the way a client of another language would, and
// returns the answer's body.
func rpc(t *testing.T, srv *Server, path, contentType, body string) string {
	t.Helper()
	resp, err := http.Post(srv.URL+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// TestOfficialClientsReachTheFake: the paths and encodings Geotab's own clients send
// are all answered, and a Get that matches nothing answers [] (never null).
func TestOfficialClientsReachTheFake(t *testing.T) {
	srv := NewServer(t)
	cfg := srv.Config()
	login := `{"method":"Authenticate","params":{"database":"` + cfg.Database + `","userName":"` + cfg.UserName + `","password":"` + cfg.Password + `"}}`
	var auth struct {
		Result struct {
			Credentials json.RawMessage `json:"credentials"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(rpc(t, srv, "/apiv1", "application/json", login)), &auth); err != nil || len(auth.Result.Credentials) == 0 {
		t.Fatalf("no credentials: %v", err)
	}
	get := `{"method":"Get","params":{"typeName":"Device","resultsLimit":1,"credentials":` + string(auth.Result.Credentials) + `}}`
	none := `{"method":"Get","params":{"typeName":"Zone","search":{"name":"no such zone"},"credentials":` + string(auth.Result.Credentials) + `}}`
	form := func(rpc string) string { return url.Values{"JSON-RPC": {rpc}}.Encode() }
	for _, tc := range []struct {
		name, path, contentType, body string
	}{
		{"POST /apiv1 (mygeotab-python)", "/apiv1", "application/json", get},
		{"POST /apiv1/ (trailing slash)", "/apiv1/", "application/json", get},
		{"POST /apiv1/Get, form-encoded JSON-RPC (mg-api-js)", "/apiv1/Get", "application/x-www-form-urlencoded", form(get)},
		{"POST /apiv1, form-encoded JSON-RPC (mg-api-node)", "/apiv1", "application/x-www-form-urlencoded", form(get)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rpc(t, srv, tc.path, tc.contentType, tc.body); !strings.Contains(got, `"result":[{`) {
				t.Fatalf("want one device, got %s", got)
			}
		})
	}
	if got := rpc(t, srv, "/apiv1/", "application/json", none); !strings.Contains(got, `"result":[]`) {
		t.Fatalf("a Get that matches nothing answers [], got %s", got)
	}
}

// TestRateLimitHeaders: a call under a rule carries X-Rate-Limit-Limit, -Remaining
// and -Reset; the call over it is OverLimitException with Retry-After (SDK Concepts,
// rate limits).
func TestRateLimitHeaders(t *testing.T) {
	srv := NewServer(t, WithVehicles(1), WithZones(0), WithRateLimit("Get Device", 2))
	call := func(body string) (*http.Response, string) {
		resp, err := http.Post(srv.URL+"/apiv1", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return resp, string(b)
	}
	_, login := call(`{"method":"Authenticate","params":{"database":"` + DefaultDatabase + `","userName":"` + DefaultUser + `","password":"` + DefaultPassword + `"}}`)
	var lr struct {
		Result geotab.LoginResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(login), &lr))
	cred, _ := json.Marshal(lr.Result.Credentials)
	get := `{"method":"Get","params":{"typeName":"Device","credentials":` + string(cred) + `}}`
	for remaining := 1; remaining >= 0; remaining-- {
		resp, body := call(get)
		assert.Contains(t, body, `"result"`)
		assert.Equal(t, "1m", resp.Header.Get("X-Rate-Limit-Limit"))
		assert.Equal(t, fmt.Sprint(remaining), resp.Header.Get("X-Rate-Limit-Remaining"))
		_, err := time.Parse("2006-01-02T15:04:05.000Z", resp.Header.Get("X-Rate-Limit-Reset"))
		assert.NoError(t, err, "an ISO 8601 UTC reset time")
	}
	resp, body := call(get)
	assert.Contains(t, body, "OverLimitException")
	assert.Contains(t, body, "API calls quota exceeded. Maximum admitted 2 per 1m.")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	http.DefaultClient.CloseIdleConnections()
}
