package dotnet

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatTimeSpan formats d as .NET does: "[-][d.]hh:mm:ss[.fffffff]", days only when
// non-zero, seven fraction digits (100 ns ticks) only when non-zero.
func FormatTimeSpan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	sec := d / time.Second
	d -= sec * time.Second
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, sec)
	if d > 0 {
		fmt.Fprintf(&b, ".%07d", d/100)
	}
	return b.String()
}

// ParseTimeSpan parses a .NET TimeSpan string ("00:30:00", "1.00:00:00",
// "-00:00:01.5"). time.ParseDuration cannot read this form.
func ParseTimeSpan(v string) (time.Duration, error) {
	bad := func() (time.Duration, error) { return 0, fmt.Errorf("bad TimeSpan %q", v) }
	s := v
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || d < 0 {
			return bad()
		}
		days, s = d, s[i+1:]
	}
	var frac time.Duration
	if i := strings.IndexByte(s, '.'); i >= 0 {
		f := s[i+1:]
		if f == "" || len(f) > 7 {
			return bad()
		}
		n, err := strconv.ParseInt(f+strings.Repeat("0", 7-len(f)), 10, 64)
		if err != nil || n < 0 {
			return bad()
		}
		frac, s = time.Duration(n)*100, s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return bad()
	}
	var hms [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return bad()
		}
		hms[i] = n
	}
	if hms[1] > 59 || hms[2] > 59 {
		return bad()
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hms[0])*time.Hour +
		time.Duration(hms[1])*time.Minute + time.Duration(hms[2])*time.Second + frac
	if neg {
		d = -d
	}
	return d, nil
}

// LocalLayout is the date form .NET services send and expect without an offset.
const LocalLayout = "2006-01-02T15:04:05"

// ParseTime reads an ISO 8601 date with or without an offset (and with up to nine
// fraction digits). A date without an offset is read in loc; hasOffset tells which.
func ParseTime(s string, loc *time.Location) (t time.Time, hasOffset bool, err error) {
	if t, err = time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true, nil
	}
	t, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("bad date %q", s)
	}
	return t, false, nil
}
