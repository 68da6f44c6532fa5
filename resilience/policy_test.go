package resilience

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPresetsMatchTheSeeds(t *testing.T) {
	breaker := BreakerPolicy{FailureThreshold: 5, Window: 5 * time.Minute, OpenFor: 60 * time.Second, SuccessThreshold: 3}
	cases := []struct {
		name    string
		p       Policy
		retries int
		backoff Backoff
		budget  time.Duration // every attempt's 30 s and the longest waits
	}{
		{"critical", Critical(), 5, Exponential{Base: 2 * time.Second, Cap: 30 * time.Second}, 6*30*time.Second + (2+4+8+16+30)*time.Second},
		{"standard", Standard(), 3, Linear{Step: 5 * time.Second}, 4*30*time.Second + (5+10+15)*time.Second},
		{"monitoring", Monitoring(), 2, Fixed{Wait: 10 * time.Second}, 3*30*time.Second + (10+10)*time.Second},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.retries, tc.p.Retry.MaxRetries, tc.name)
		assert.Equal(t, tc.backoff, tc.p.Retry.Backoff, tc.name)
		assert.Equal(t, breaker, tc.p.Breaker, tc.name)
		assert.Equal(t, 30*time.Second, tc.p.AttemptTimeout, tc.name, "the seeds' 30 s is a request timeout")
		assert.Equal(t, tc.budget, tc.p.Timeout, tc.name)
		assert.Equal(t, DefaultThresholds(), tc.p.Thresholds, tc.name)
		assert.NoError(t, tc.p.Validate(), tc.name)
	}
}

func TestBackoffDelays(t *testing.T) {
	exp := Exponential{Base: 2 * time.Second, Cap: 30 * time.Second}
	cases := []struct {
		name string
		b    Backoff
		n    int
		rnd  float64
		want time.Duration
	}{
		{"exp full jitter low", exp, 1, 0, 0},
		{"exp n=1 max", exp, 1, 0.999999, 1999998 * time.Microsecond},
		{"exp n=3 half", exp, 3, 0.5, 4 * time.Second},
		{"exp capped", exp, 10, 0.5, 15 * time.Second},
		{"exp no overflow", exp, 200, 1, 30 * time.Second},
		{"exp uncapped huge n", Exponential{Base: time.Second}, 100, 1, time.Duration(1<<63 - 1)},
		{"linear", Linear{Step: 5 * time.Second}, 3, 0.9, 15 * time.Second},
		{"linear jitter only adds", Linear{Step: 5 * time.Second, Jitter: 0.2}, 2, 0.5, 11 * time.Second},
		{"linear cap", Linear{Step: 5 * time.Second, Cap: 7 * time.Second}, 3, 0, 7 * time.Second},
		{"fixed", Fixed{Wait: 10 * time.Second}, 7, 0.9, 10 * time.Second},
		{"fixed jitter", Fixed{Wait: 10 * time.Second, Jitter: 0.1}, 1, 0.5, 10500 * time.Millisecond},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.b.Delay(tc.n, tc.rnd), tc.name)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"120", 2 * time.Minute}, {" 3 ", 3 * time.Second}, {"-5", 0}, {"0", 0},
		{"Mon, 23 Nov 2026 12:00:30 GMT", 30 * time.Second},
		{"Monday, 23-Nov-26 12:01:00 GMT", time.Minute}, // RFC 850
		{"Mon Nov 23 12:00:10 2026", 10 * time.Second},  // asctime
		{"Mon, 23 Nov 2026 11:00:00 GMT", 0},            // in the past
		{"tomorrow", 0},
		{"99999999999999", 365 * 24 * time.Hour},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, ParseRetryAfter(http.Header{"Retry-After": {tc.in}}, now), tc.in)
	}
}

func TestPolicyValidationReportsEverything(t *testing.T) {
	p := Policy{
		Retry:          RetryPolicy{MaxRetries: -1},
		Timeout:        time.Second,
		AttemptTimeout: 2 * time.Second,
		Breaker:        BreakerPolicy{FailureThreshold: 5},
		Limit:          LimitPolicy{Requests: 10},
		Bulkhead:       BulkheadPolicy{MaxConcurrent: -1},
	}
	err := p.Validate()
	require.Error(t, err)
	for _, want := range []string{"MaxRetries", "AttemptTimeout", "breaker", "limit", "bulkhead"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = New(p)
	assert.Error(t, err)
}
