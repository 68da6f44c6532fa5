package dotnet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeSpan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"00:00:00", 0, "00:00:00"},
		{"00:30:00", 30 * time.Minute, "00:30:00"},
		{"1.00:00:00", 24 * time.Hour, "1.00:00:00"},
		{"1.02:03:04.5", 26*time.Hour + 3*time.Minute + 4500*time.Millisecond, "1.02:03:04.5000000"},
		{"-00:00:01", -time.Second, "-00:00:01"},
		{"25:00:00", 25 * time.Hour, "1.01:00:00"},
	} {
		got, err := ParseTimeSpan(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.out, FormatTimeSpan(got), tc.in)
	}
	for _, bad := range []string{"", "1h", "00:60:00", "00:00", "1.2.3", "00:00:00.12345678", "x.00:00:00", "00:00:-1"} {
		_, err := ParseTimeSpan(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	got, off, err := ParseTime("2026-01-05T08:00:00", ny)
	require.NoError(t, err)
	assert.False(t, off)
	assert.Equal(t, 8, got.Hour())
	assert.Equal(t, ny, got.Location())

	got, off, err = ParseTime("2026-01-05T08:00:00-05:00", time.UTC)
	require.NoError(t, err)
	assert.True(t, off)
	assert.Equal(t, 13, got.UTC().Hour())

	_, _, err = ParseTime("05/01/2026", time.UTC)
	assert.Error(t, err)
}
