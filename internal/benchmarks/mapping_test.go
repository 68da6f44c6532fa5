package benchmarks

import (
	"strings"
	"testing"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/itchyny/gojq"
	"github.com/nyaruka/phonenumbers"

	"github.com/dispatchcenter/connectors/internal/benchmarks/records"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/normalize"
)

func benchRecord() records.SrcRecord {
	r := records.SrcRecord{ID: "C-0042", Name: "  Ada   Lovelace ", Email: " Ada@Example.com", Priority: "P1", Category: " HVAC ",
		Amount: 12550, Active: true, Created: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
	r.Address.City, r.Address.State, r.Address.Zip = "Austin", "texas", "787011234"
	return r
}

func benchMap(r records.SrcRecord) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "email": r.Email, "priority": r.Priority, "category": r.Category,
		"amount": r.Amount, "active": r.Active, "created": r.Created,
		"address": map[string]any{"city": r.Address.City, "state": r.Address.State, "zip": r.Address.Zip}}
}

func compileBench(b *testing.B, spec string, src any) *mapping.Mapping {
	reg := mapping.NewRegistry()
	reg.RegisterType("src", src)
	reg.RegisterType("dst", records.DstRecord{})
	s, err := mapping.ParseSpec([]byte(spec))
	if err != nil {
		b.Fatal(err)
	}
	m, err := mapping.Compile(s, reg)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// handPlain and handClean are the same mappings written by hand.
func handPlain(r *records.SrcRecord, d *records.DstRecord) error {
	if r.ID == "" {
		return errMissing
	}
	*d = records.DstRecord{ID: r.ID, Name: r.Name, Email: r.Email, Priority: r.Priority, Category: r.Category, AmountCent: r.Amount,
		Active: r.Active, CreatedAt: r.Created, City: r.Address.City, State: r.Address.State, PostalCode: r.Address.Zip}
	return nil
}

var priorities = map[string]string{"P1": "emergency", "P2": "high", "P3": "normal", "P4": "low"}

func handClean(r *records.SrcRecord, d *records.DstRecord) error {
	id := strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c
		}
		return -1
	}, r.ID)
	if id == "" {
		return errMissing
	}
	p, ok := priorities[r.Priority]
	if !ok {
		return errMissing
	}
	if r.Amount < 0 || r.Amount > 100000000 {
		return errMissing
	}
	state, ok := normalize.USState(r.Address.State)
	if !ok {
		return errMissing
	}
	zip, ok := normalize.USZIP(r.Address.Zip)
	if !ok {
		return errMissing
	}
	*d = records.DstRecord{ID: id, Name: strings.Join(strings.Fields(r.Name), " "), Email: strings.ToLower(strings.TrimSpace(r.Email)),
		Priority: p, Category: strings.ToLower(strings.TrimSpace(r.Category)), AmountCent: r.Amount, Active: r.Active,
		CreatedAt: r.Created, City: strings.Join(strings.Fields(r.Address.City), " "), State: state, PostalCode: zip}
	return nil
}

// sink keeps the benchmarks' targets alive.
var sink *records.DstRecord

type benchErr string

func (e benchErr) Error() string { return string(e) }

const errMissing = benchErr("invalid")

// BenchmarkMapping: a 10-field record (3 nested) mapped by a compiled mapping, by
// the same mapping written by hand, by mapstructure (map → struct, its use) and by
// gojq (map → map, a compiled query). "plain" renames and copies; "clean" adds the
// cleansers dispatch runs (id, collapse, trim/lower, a lookup, a range, us_state,
// zip), which mapstructure and gojq do not have. Goals: clean at most 1 µs and 2×
// hand-written; faster than mapstructure and gojq.
func BenchmarkMapping(b *testing.B) {
	rec := benchRecord()
	in := benchMap(rec)
	plain := compileBench(b, records.PlainSpec, records.SrcRecord{})
	plainMap := compileBench(b, records.PlainSpec, map[string]any{})
	clean := compileBench(b, records.CleanSpec, records.SrcRecord{})
	// into maps into a target that outlives the loop, so no store is optimized away
	into := func(f func(d *records.DstRecord) error) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			d := new(records.DstRecord)
			defer func() { sink = d }()
			for b.Loop() {
				if err := f(d); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("plain/hand-written", into(func(d *records.DstRecord) error { return handPlain(&rec, d) }))
	b.Run("plain/connectors-mapping", into(func(d *records.DstRecord) error { return plain.Apply(&rec, d) }))
	b.Run("plain/connectors-mapping-from-map", into(func(d *records.DstRecord) error { return plainMap.Apply(in, d) }))
	b.Run("plain/mapstructure", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d records.DstRecord
			dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{Result: &d, DecodeHook: mapstructure.StringToTimeHookFunc(time.RFC3339)})
			if err != nil {
				b.Fatal(err)
			}
			if err := dec.Decode(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	q, err := gojq.Parse(`{id: .id, name: .name, email: .email, priority: .priority, category: .category, amount_minor: .amount,
		active: .active, created_at: .created, city: .address.city, state: .address.state, postal_code: .address.zip}`)
	if err != nil {
		b.Fatal(err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		b.Fatal(err)
	}
	jin := benchMap(rec)
	jin["created"] = rec.Created.Format(time.RFC3339) // gojq takes JSON values only
	jin["amount"] = float64(rec.Amount)
	b.Run("plain/gojq", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, ok := code.Run(jin).Next()
			if !ok {
				b.Fatal("no result")
			}
			if err, isErr := v.(error); isErr {
				b.Fatal(err)
			}
		}
	})
	b.Run("clean/hand-written", into(func(d *records.DstRecord) error { return handClean(&rec, d) }))
	b.Run("clean/connectors-mapping", into(func(d *records.DstRecord) error { return clean.Apply(&rec, d) }))
}

// BenchmarkPhone: phone normalization alone (parse, validity check, E.164), as the
// phone step does it.
func BenchmarkPhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n, err := phonenumbers.Parse("(281) 332-2575", "US")
		if err != nil || !phonenumbers.IsValidNumber(n) {
			b.Fatal("invalid")
		}
		_ = phonenumbers.Format(n, phonenumbers.E164)
	}
}
