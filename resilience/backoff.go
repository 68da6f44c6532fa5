package resilience

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff computes the wait before a retry. Implementations must be safe for
// concurrent use; [Exponential], [Linear] and [Fixed] are.
type Backoff interface {
	// Delay returns the wait before retry n (1 for the first retry); rnd is a uniform
	// random number in [0, 1) for jitter.
	Delay(n int, rnd float64) time.Duration
}

// Exponential is capped exponential backoff with full jitter: the wait before retry n
// is uniform in [0, min(Cap, Base·2^(n-1))). Full jitter spreads clients that failed
// together, so they do not retry in lockstep.
type Exponential struct {
	Base time.Duration
	// Cap bounds the wait; 0 means no cap beyond overflow.
	Cap time.Duration
}

// Delay implements [Backoff].
func (e Exponential) Delay(n int, rnd float64) time.Duration {
	return scale(e.ceiling(n), rnd)
}

// scale returns d·f for f in [0, 1], clamped to [0, d] so that float rounding near
// the largest durations never overflows into a negative wait.
func scale(d time.Duration, f float64) time.Duration {
	if f <= 0 {
		return 0
	}
	if f >= 1 {
		return d
	}
	x := f * float64(d)
	if x >= float64(d) {
		return d
	}
	return time.Duration(x)
}

func (e Exponential) ceiling(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	limit := e.Cap
	if limit <= 0 {
		limit = time.Duration(1<<63 - 1)
	}
	d := e.Base
	for i := 1; i < n; i++ {
		if d > limit/2 {
			return limit
		}
		d *= 2
	}
	if d > limit {
		return limit
	}
	return d
}

// Linear waits Step·n before retry n (5 s, 10 s, 15 s for a 5 s step), plus up to
// Jitter·wait more at random, capped at Cap when Cap is set.
type Linear struct {
	Step time.Duration
	// Jitter adds up to this fraction of the wait (0.2 = up to 20 % longer, at most
	// 1); never less.
	Jitter float64
	// Cap bounds the wait; 0 means none.
	Cap time.Duration
}

// Delay implements [Backoff].
func (l Linear) Delay(n int, rnd float64) time.Duration {
	if n < 1 {
		n = 1
	}
	d := l.Step * time.Duration(n)
	if n > 0 && d/time.Duration(n) != l.Step {
		d = time.Duration(1<<63 - 1) // overflow
	}
	if j := scale(d, l.Jitter*rnd); d <= time.Duration(1<<63-1)-j {
		d += j
	}
	if l.Cap > 0 && d > l.Cap {
		d = l.Cap
	}
	return d
}

// Fixed waits Wait before every retry, plus up to Jitter·Wait more at random.
type Fixed struct {
	// Wait is the wait before each retry.
	Wait time.Duration
	// Jitter adds up to this fraction of Wait (never less).
	Jitter float64
}

// Delay implements [Backoff].
func (f Fixed) Delay(_ int, rnd float64) time.Duration {
	return f.Wait + scale(f.Wait, f.Jitter*rnd)
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP date, relative
// to now. It returns 0 when the header is absent, malformed or in the past.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
