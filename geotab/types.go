package geotab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dispatchcenter/connectors/internal/dotnet"
)

// Ref is a reference to another entity. On the wire it is {"id":"b1"}, or, for system
// entities that have no properties, the id as a bare string ("UnknownDriverId",
// "ExceptionEventStateValidId"). Ref accepts both and writes back the form it read;
// a Ref made with [NewRef] is written as an object.
type Ref struct {
	ID   string
	bare bool
}

// NewRef returns a reference to the entity with the given id.
func NewRef(id string) Ref { return Ref{ID: id} }

// IsZero reports whether r refers to nothing.
func (r Ref) IsZero() bool { return r.ID == "" }

// String returns the id.
func (r Ref) String() string { return r.ID }

// MarshalJSON writes {"id":…} (or the bare id, when that is how it was read).
func (r Ref) MarshalJSON() ([]byte, error) {
	if r.bare {
		return json.Marshal(r.ID)
	}
	b := make([]byte, 0, len(r.ID)+10)
	b = append(b, `{"id":`...)
	b = strconv.AppendQuote(b, r.ID)
	return append(b, '}'), nil
}

// UnmarshalJSON reads {"id":…}, a bare string, or null.
func (r *Ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*r = Ref{}
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Ref{ID: s, bare: true}
		return nil
	case b[0] == '{':
		// fast path for the usual {"id":"b1"}: no nested decoder, one allocation
		const pre, suf = `{"id":"`, `"}`
		if len(b) >= len(pre)+len(suf) && string(b[:len(pre)]) == pre && string(b[len(b)-len(suf):]) == suf {
			inner := b[len(pre) : len(b)-len(suf)]
			if bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 {
				*r = Ref{ID: string(inner)}
				return nil
			}
		}
		var o struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*r = Ref{ID: o.ID}
		return nil
	}
	return fmt.Errorf("geotab: a reference must be a string or an object, got %.20s", b)
}

// wireTime is MyGeotab's date format: UTC with milliseconds.
const wireTime = "2006-01-02T15:04:05.000Z"

// Time is a MyGeotab date: ISO 8601 in UTC with millisecond precision. It embeds
// time.Time, so every time method works on it.
type Time struct{ time.Time }

// NewTime returns t as a [Time].
func NewTime(t time.Time) Time { return Time{t} }

// MarshalJSON writes the time in UTC with milliseconds, as MyGeotab expects (more
// digits than .NET's seven are refused by its parser).
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(wireTime)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, wireTime)
	return append(b, '"'), nil
}

// UnmarshalJSON reads an ISO 8601 time; one without a zone is taken as UTC.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("geotab: a date must be a string, got %.30s", b)
	}
	s := string(b[1 : len(b)-1])
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
		if err != nil {
			return fmt.Errorf("geotab: bad date %q: %w", s, err)
		}
	}
	t.Time = v.UTC()
	return nil
}

// TimeSpan is a .NET TimeSpan: "[-][d.]hh:mm:ss[.fffffff]" on the wire
// ("1.02:03:04.5000000" is a day, two hours, three minutes and 4.5 seconds).
type TimeSpan time.Duration

// Duration returns the span as a time.Duration.
func (s TimeSpan) Duration() time.Duration { return time.Duration(s) }

// String formats the span as .NET does: days only when non-zero, seven fraction
// digits only when non-zero.
func (s TimeSpan) String() string { return dotnet.FormatTimeSpan(time.Duration(s)) }

// ParseTimeSpan parses a .NET TimeSpan string.
func ParseTimeSpan(v string) (TimeSpan, error) {
	d, err := dotnet.ParseTimeSpan(v)
	if err != nil {
		return 0, fmt.Errorf("geotab: %w", err)
	}
	return TimeSpan(d), nil
}

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
		return errors.New("geotab: a TimeSpan must be a string")
	}
	ts, err := ParseTimeSpan(v)
	if err != nil {
		return err
	}
	*s = ts
	return nil
}
