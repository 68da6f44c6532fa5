package mapping_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/fstest"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
)

func TestLoaderKeepsTheLastGoodMapping(t *testing.T) {
	fsys := fstest.MapFS{
		"mappings/customer.yaml": {Data: []byte(customerYAML)},
		"mappings/README.md":     {Data: []byte("not a mapping")},
	}
	l := mapping.NewLoader(fsys, registry())
	require.NoError(t, l.Load())
	assert.Equal(t, []string{"vendor-customer"}, l.Names())
	m1, ok := l.Mapping("vendor-customer")
	require.True(t, ok)
	assert.Equal(t, 2, m1.Version())

	// an operator's edit with two mistakes: refused, both reported, v2 stays
	fsys["mappings/customer.yaml"] = &fstest.MapFile{Data: []byte(
		"name: vendor-customer\nversion: 3\nsource: vendor.Customer\ntarget: canonical.Customer\nfields:\n" +
			"  - {target: id, source: idd}\n  - {target: name, source: name, pipeline: [titlecase]}\n")}
	err := l.Load()
	var se *mapping.SpecError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Mapping, "mappings/customer.yaml")
	assert.Len(t, se.Problems, 2)
	m, _ := l.Mapping("vendor-customer")
	assert.Same(t, m1, m, "the last good mapping stays in force")

	// fixed: v3 takes effect
	fsys["mappings/customer.yaml"] = &fstest.MapFile{Data: []byte(
		"name: vendor-customer\nversion: 3\nsource: vendor.Customer\ntarget: canonical.Customer\nfields:\n  - {target: id, source: id}\n")}
	require.NoError(t, l.Load())
	m, _ = l.Mapping("vendor-customer")
	assert.Equal(t, 3, m.Version())

	// two files, one name: both refused
	fsys["mappings/copy.json"] = &fstest.MapFile{Data: []byte(`{"name":"vendor-customer","version":4,"source":"vendor.Customer","target":"canonical.Customer","fields":[{"target":"id","source":"id"}]}`)}
	assert.ErrorContains(t, l.Load(), "both define")
}

func TestReprocessAfterAFix(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC))
	store := mapping.NewMemoryStore(500, clk)
	m := compile(t, customerYAML)
	// 250 records, every third with a bad phone: stored with their problems
	records := map[string]vendorCustomer{}
	for i := range 250 {
		var in vendorCustomer
		in.ID, in.Name, in.Phone = fmt.Sprintf("C%04d", i), "Customer", "512-555-0142"
		if i%3 == 0 {
			in.Phone = "555"
		}
		key := "vendor/customer/" + in.ID
		records[key] = in
		if _, err := mapping.Map[canonical.Customer](m, in); err != nil {
			require.NoError(t, store.Put(ctx, mapping.NewFailedRecord(key, nil, err)))
		}
	}
	require.Equal(t, 84, store.Len())
	first, err := store.Scan(ctx, "", 1)
	require.NoError(t, err)
	assert.Equal(t, mapping.ClassData, first[0].Class)
	assert.Equal(t, mapping.CodeInvalidPhone, first[0].Errors[0].Code)
	assert.NotEmpty(t, first[0].Errors[0].Action)

	// the customer fixes half of them at the source; reprocessing deletes as it goes
	// and still visits every record
	fixed := 0
	for k, in := range records {
		if in.Phone == "555" && fixed < 42 {
			in.Phone = "512-555-0199"
			records[k] = in
			fixed++
		}
	}
	clk.Advance(time.Hour)
	res, err := mapping.Reprocess(ctx, store, func(_ context.Context, r mapping.FailedRecord) error {
		_, err := mapping.Map[canonical.Customer](m, records[r.Key])
		return err
	}, mapping.ClassData)
	require.NoError(t, err)
	assert.Equal(t, mapping.ReprocessResult{Tried: 84, Fixed: 42, Failing: 42}, res)
	assert.Equal(t, 42, store.Len())
	left, err := store.Scan(ctx, "", 1)
	require.NoError(t, err)
	assert.Equal(t, 2, left[0].Attempts)
	assert.Equal(t, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), left[0].FirstSeen)

	res, err = mapping.Reprocess(ctx, store, func(context.Context, mapping.FailedRecord) error { return nil }, mapping.ClassSystem)
	require.NoError(t, err)
	assert.Zero(t, res.Tried, "only the classes asked for")

	small := mapping.NewMemoryStore(1, clk)
	require.NoError(t, small.Put(ctx, mapping.FailedRecord{Key: "a"}))
	assert.ErrorIs(t, small.Put(ctx, mapping.FailedRecord{Key: "b"}), mapping.ErrStoreFull, "never dropped silently")
	assert.Equal(t, mapping.ClassSystem, mapping.NewFailedRecord("x", nil, errors.New("geocoder down")).Class)
}

// TestReversibleLookupsRoundTrip: for any one-to-one table, reverse(forward(k)) == k.
func TestReversibleLookupsRoundTrip(t *testing.T) {
	prop := func(seed uint64, n uint8) bool {
		r := rand.New(rand.NewPCG(seed, 1))
		values := map[string]string{}
		used := map[string]bool{}
		for len(values) < int(n%40)+1 {
			k, v := fmt.Sprintf("k%d", r.IntN(1000)), fmt.Sprintf("v%d", r.IntN(1000))
			if _, dup := values[k]; dup || used[v] {
				continue
			}
			values[k], used[v] = v, true
		}
		spec := &mapping.Spec{Name: "rt", Source: "vendor.Customer", Target: "job",
			Lookups: map[string]mapping.LookupSpec{"t": {Values: values, Reversible: true}},
			Fields:  []mapping.FieldSpec{{Target: "priority", Source: "priority", Lookup: "t"}, {Target: "area", Source: "tier", Lookup: "t", Reverse: true}}}
		m, err := mapping.Compile(spec, registry())
		if err != nil {
			return false
		}
		for k, v := range values {
			got, err := mapping.Map[job](m, vendorCustomer{Priority: k, Tier: v})
			if err != nil || got.Priority != v || got.Area != k {
				return false
			}
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 200, Rand: nil}))
}
