package geotab

import "time"

// Offline returns the vehicles that have not reported for longer than threshold at
// now, or that MyGeotab says are not communicating: the integration design asks for an alert on
// extended offline periods.
func Offline(statuses []DeviceStatusInfo, now time.Time, threshold time.Duration) []DeviceStatusInfo {
	var out []DeviceStatusInfo
	for _, s := range statuses {
		if !s.IsDeviceCommunicating || s.DateTime.IsZero() || now.Sub(s.DateTime.Time) > threshold {
			out = append(out, s)
		}
	}
	return out
}

// Interpolate estimates where a vehicle was at a time between two of its GPS points,
// linearly in latitude, longitude and speed (good enough between 30-second points).
// It reports false when the points are of different devices or at lies outside them.
// The result has no id, as MyGeotab's own interpolated records.
func Interpolate(a, b LogRecord, at time.Time) (LogRecord, bool) {
	if a.Device.ID != b.Device.ID {
		return LogRecord{}, false
	}
	if b.DateTime.Before(a.DateTime.Time) {
		a, b = b, a
	}
	if at.Before(a.DateTime.Time) || at.After(b.DateTime.Time) {
		return LogRecord{}, false
	}
	span := b.DateTime.Sub(a.DateTime.Time)
	f := 0.0
	if span > 0 {
		f = float64(at.Sub(a.DateTime.Time)) / float64(span)
	}
	lerp := func(x, y float64) float64 { return x + (y-x)*f }
	return LogRecord{
		Device: a.Device, DateTime: NewTime(at),
		Latitude: lerp(a.Latitude, b.Latitude), Longitude: lerp(a.Longitude, b.Longitude), Speed: lerp(a.Speed, b.Speed),
	}, true
}
