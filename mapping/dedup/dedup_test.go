package dedup_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/mapping/dedup"
)

func TestDeduplication(t *testing.T) {
	idx := dedup.NewCustomerIndex("US")
	idx.Add(canonical.Customer{ID: "C1", Phone: "+15125550142", Email: "ada@example.com"})
	for _, tc := range []struct {
		c    canonical.Customer
		want string
	}{
		{canonical.Customer{ID: "X", Phone: "(512) 555-0142"}, "C1"},
		{canonical.Customer{ID: "X", Email: "ada@EXAMPLE.com"}, "C1"},
		{canonical.Customer{ID: "X", Phone: "512-555-0199", Email: "bob@example.com"}, ""},
		{canonical.Customer{ID: "C1", Phone: "+15125550142"}, ""},
	} {
		id, _ := idx.Find(tc.c)
		assert.Equal(t, tc.want, id, "%+v", tc.c)
	}
	d := dedup.NewDuplicateDetector(24*time.Hour, 0)
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	key := "INV-1|12550|USD"
	assert.False(t, d.Seen(key, t0))
	assert.True(t, d.Seen(key, t0.Add(time.Hour)), "a duplicate transaction within the window")
	assert.False(t, d.Seen(key, t0.Add(25*time.Hour)), "after the window it is new")
	assert.False(t, d.Seen("INV-2|12550|USD", t0.Add(25*time.Hour)))
}

func TestGeocodeCustomer(t *testing.T) {
	ok := dedup.GeocoderFunc(func(_ context.Context, a canonical.Address) (canonical.GeoPoint, error) {
		return canonical.GeoPoint{Latitude: 30.27, Longitude: -97.74}, nil
	})
	c := canonical.Customer{Address: canonical.Address{Line1: "100 CONGRESS AVE", City: "Austin", State: "TX"}}
	require.NoError(t, dedup.GeocodeCustomer(context.Background(), ok, &c))
	assert.InDelta(t, 30.27, c.Location.Latitude, 1e-9)
	down := dedup.GeocoderFunc(func(context.Context, canonical.Address) (canonical.GeoPoint, error) {
		return canonical.GeoPoint{}, errors.New("geocoder down")
	})
	c.Location = canonical.GeoPoint{}
	err := dedup.GeocodeCustomer(context.Background(), down, &c)
	assert.ErrorIs(t, err, mapping.ErrSystem)
}
