package geotabtest

import (
	"encoding/json"
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
