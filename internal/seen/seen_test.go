package seen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWindow(t *testing.T) {
	w := New[string](time.Minute, 3)
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, false},
		{"a", 30 * time.Second, true},
		{"a", 61 * time.Second, false}, // the window passed
		{"b", 62 * time.Second, false},
		{"c", 63 * time.Second, false},
		{"d", 64 * time.Second, false}, // at most 3 kept: "a" goes
		{"a", 65 * time.Second, false},
		{"d", 66 * time.Second, true},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, w.Seen(tc.key, t0.Add(tc.at)), "%s at %s", tc.key, tc.at)
	}
}
