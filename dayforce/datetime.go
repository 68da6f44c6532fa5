package dayforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/internal/dotnet"
)

// DateTime is a Dayforce date. Dayforce sends most dates without an offset (a wall
// time in the organisation's zone, "2026-01-05T08:00:00") and a few with one
// (RawPunchTime). DateTime reads both: one without an offset is kept as a wall time in
// UTC and Offset reports false. It is written without an offset, as Dayforce's filter
// and context parameters expect; convert to the organisation's wall time (or to UTC
// for the *UTC filters) before sending.
type DateTime struct {
	time.Time
	// Offset reports whether the value read carried a UTC offset.
	Offset bool
}

// NewDateTime returns t's wall clock as a DateTime.
func NewDateTime(t time.Time) DateTime { return DateTime{Time: t} }

// MarshalText writes the wall time without an offset (query parameters).
func (d DateTime) MarshalText() ([]byte, error) {
	return d.AppendFormat(nil, dotnet.LocalLayout), nil
}

// UnmarshalText reads a date with or without an offset.
func (d *DateTime) UnmarshalText(b []byte) error {
	t, off, err := dotnet.ParseTime(string(b), time.UTC)
	if err != nil {
		return fmt.Errorf("dayforce: %w", err)
	}
	*d = DateTime{Time: t, Offset: off}
	return nil
}

// MarshalJSON writes the wall time without an offset; a value read with an offset is
// written back with it.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	layout := dotnet.LocalLayout
	if d.Offset {
		layout = time.RFC3339
	}
	b := make([]byte, 0, 32)
	b = append(b, '"')
	b = d.AppendFormat(b, layout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a date string (or null).
func (d *DateTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = DateTime{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("dayforce: a date must be a string, got %.30s", b)
	}
	return d.UnmarshalText(b[1 : len(b)-1])
}

// TimeSpan is a .NET TimeSpan ("1.00:00:00" is 24 hours), as Dayforce sends
// availability times.
type TimeSpan time.Duration

// Duration returns the span as a time.Duration.
func (s TimeSpan) Duration() time.Duration { return time.Duration(s) }

// String formats the span as .NET does.
func (s TimeSpan) String() string { return dotnet.FormatTimeSpan(time.Duration(s)) }

// MarshalJSON writes the .NET form.
func (s TimeSpan) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the .NET form (or null).
func (s *TimeSpan) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = 0
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.New("dayforce: a TimeSpan must be a string")
	}
	d, err := dotnet.ParseTimeSpan(v)
	if err != nil {
		return fmt.Errorf("dayforce: %w", err)
	}
	*s = TimeSpan(d)
	return nil
}
