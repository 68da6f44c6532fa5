package dedup

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/internal/seen"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/mapping/normalize"
)

// CustomerKeys returns the keys two records of the same customer share: "phone:"
// and the E.164 number (region for numbers without a country code), and "email:"
// and the address lower-cased. A record with neither has no key.
func CustomerKeys(phone, mail, region string) []string {
	var keys []string
	if phone != "" {
		if n, ok := normalize.Phone(phone, region); ok {
			keys = append(keys, "phone:"+n)
		}
	}
	if e, err := normalize.Email(mail); err == nil {
		keys = append(keys, "email:"+strings.ToLower(e))
	}
	return keys
}

// CustomerIndex finds the customer a new record duplicates, by normalized phone or
// email (the integration design's customer de-duplication). It is safe for concurrent use.
type CustomerIndex struct {
	region string
	mu     sync.RWMutex
	ids    map[string]string
}

// NewCustomerIndex returns an empty index; region reads numbers without a country
// code (e.g. "US").
func NewCustomerIndex(region string) *CustomerIndex {
	return &CustomerIndex{region: region, ids: map[string]string{}}
}

// Add indexes a customer under its keys; a key already taken keeps its first owner.
func (x *CustomerIndex) Add(c canonical.Customer) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, k := range CustomerKeys(c.Phone, c.Email, x.region) {
		if _, taken := x.ids[k]; !taken {
			x.ids[k] = c.ID
		}
	}
}

// Find returns the id of a customer the record duplicates, if any (phone first).
func (x *CustomerIndex) Find(c canonical.Customer) (string, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, k := range CustomerKeys(c.Phone, c.Email, x.region) {
		if id, ok := x.ids[k]; ok && id != c.ID {
			return id, true
		}
	}
	return "", false
}

// DuplicateDetector reports records seen again within a window, by a key the caller
// builds (for payments: order number, amount and currency — the integration design's duplicate
// transaction detection). It keeps at most max keys (default 100 000); the oldest go
// first. It is safe for concurrent use.
type DuplicateDetector struct{ w *seen.Window[string] }

// NewDuplicateDetector returns a detector with the window (e.g. 24 h) and bound.
func NewDuplicateDetector(window time.Duration, max int) *DuplicateDetector {
	if max <= 0 {
		max = 100000
	}
	return &DuplicateDetector{w: seen.New[string](window, max)}
}

// Seen reports whether key was seen within the window before at, and records it.
func (d *DuplicateDetector) Seen(key string, at time.Time) bool { return d.w.Seen(key, at) }

// Geocoder finds the coordinates of an address (the geotab client's GetCoordinates
// can serve, wrapped in a [GeocoderFunc]).
type Geocoder interface {
	Geocode(ctx context.Context, a canonical.Address) (canonical.GeoPoint, error)
}

// GeocoderFunc adapts a function to [Geocoder].
type GeocoderFunc func(ctx context.Context, a canonical.Address) (canonical.GeoPoint, error)

// Geocode calls f.
func (f GeocoderFunc) Geocode(ctx context.Context, a canonical.Address) (canonical.GeoPoint, error) {
	return f(ctx, a)
}

// GeocodeCustomer fills a customer's Location from its address when it has none. A
// geocoder failure is a system problem (retry later), as a [*RecordError].
func GeocodeCustomer(ctx context.Context, g Geocoder, c *canonical.Customer) error {
	if c.Location != (canonical.GeoPoint{}) || c.Address.Line1 == "" {
		return nil
	}
	p, err := g.Geocode(ctx, c.Address)
	if err != nil {
		return &mapping.RecordError{Mapping: "geocode", Errors: []*mapping.FieldError{{Source: "address", Target: "location", Rule: "geocode",
			Code: mapping.CodeUnavailable, Class: mapping.ClassSystem, Err: err}}}
	}
	c.Location = p
	return nil
}
