package dayforce

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDateTime(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		offset  bool
	}{
		{`"2026-01-05T08:00:00"`, `"2026-01-05T08:00:00"`, false},
		{`"2026-01-05T08:00:00.123"`, `"2026-01-05T08:00:00"`, false},
		{`"2026-01-05T08:00:00-05:00"`, `"2026-01-05T08:00:00-05:00"`, true},
		{`"2026-01-05T13:00:00Z"`, `"2026-01-05T13:00:00Z"`, true},
	} {
		var d DateTime
		require.NoError(t, json.Unmarshal([]byte(tc.in), &d), tc.in)
		assert.Equal(t, tc.offset, d.Offset, tc.in)
		b, err := json.Marshal(d)
		require.NoError(t, err)
		assert.Equal(t, tc.out, string(b), tc.in)
	}
	var d DateTime
	assert.Error(t, json.Unmarshal([]byte(`"05/01/2026"`), &d))
	assert.Error(t, json.Unmarshal([]byte(`20260105`), &d))
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.True(t, d.IsZero())
	q, err := NewDateTime(time.Date(2026, 1, 5, 8, 0, 0, 0, time.FixedZone("X", 3600))).MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2026-01-05T08:00:00", string(q), "filters carry the wall time, no offset")
}

func TestTimeSpan(t *testing.T) {
	var s TimeSpan
	require.NoError(t, json.Unmarshal([]byte(`"1.00:00:00"`), &s))
	assert.Equal(t, 24*time.Hour, s.Duration())
	b, _ := json.Marshal(TimeSpan(90 * time.Minute))
	assert.Equal(t, `"01:30:00"`, string(b))
	assert.Error(t, json.Unmarshal([]byte(`"1h"`), &s))
}
