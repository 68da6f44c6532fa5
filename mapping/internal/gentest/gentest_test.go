package gentest

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/defaults"
	"github.com/dispatchcenter/connectors/mapping/internal/gentest/records"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// mapper runs one generated function and Apply on the same random record and target.
type mapper func(t *testing.T, m *mapping.Mapping, r *rand.Rand)

// same checks that generated code and Apply leave the same target and return the
// same errors, from a target that already holds values (failed fields keep them).
func same[S, D any](gen func(*mapping.Mapping, *S, *D) error) mapper {
	return func(t *testing.T, m *mapping.Mapping, r *rand.Rand) {
		var src S
		var start D
		fill(r, reflect.ValueOf(&src).Elem(), 0)
		fill(r, reflect.ValueOf(&start).Elem(), 0)
		got, want := start, start
		gotErr, wantErr := gen(m, &src, &got), m.Apply(&src, &want)
		require.Equal(t, want, got, "target of %+v", src)
		require.Equal(t, fieldErrors(wantErr), fieldErrors(gotErr), "errors of %+v", src)
	}
}

func fieldErrors(err error) []string {
	if err == nil {
		return nil
	}
	var re *mapping.RecordError
	if !errors.As(err, &re) {
		return []string{"not a RecordError: " + err.Error()}
	}
	var out []string
	for _, fe := range re.Errors {
		out = append(out, fe.Error()+" class="+fe.Class.String()+" value="+fe.Value)
	}
	return out
}

var generated = map[string]mapper{
	"dayforce-availability": same(MapDayforceAvailability), "dayforce-employee": same(MapDayforceEmployee),
	"dayforce-event": same(MapDayforceEvent), "dayforce-schedule": same(MapDayforceSchedule),
	"dayforce-skill": same(MapDayforceSkill), "geotab-devicestatus": same(MapGeotabDevicestatus),
	"geotab-geofence": same(MapGeotabGeofence), "geotab-logrecord": same(MapGeotabLogrecord),
	"geotab-webhook": same(MapGeotabWebhook), "maddenco-equipment": same(MapMaddencoEquipment),
	"maddenco-event": same(MapMaddencoEvent), "maddenco-maintenance": same(MapMaddencoMaintenance),
	"merchant-event": same(MapMerchantEvent), "merchant-settlement": same(MapMerchantSettlement),
	"merchant-transaction": same(MapMerchantTransaction), "reach-customer": same(MapReachCustomer),
	"reach-customer-out": same(MapReachCustomerOut), "reach-event": same(MapReachEvent),
	"reach-service-request": same(MapReachServiceRequest), "treadnet-event": same(MapTreadnetEvent),
}

func edge(t *testing.T, spec []byte) *mapping.Mapping {
	t.Helper()
	reg := mapping.NewRegistry()
	reg.RegisterType("src", records.Src{})
	reg.RegisterType("dst", records.Dst{})
	s, err := mapping.ParseSpec(spec)
	require.NoError(t, err)
	m, err := mapping.Compile(s, reg)
	require.NoError(t, err)
	return m
}

// TestGeneratedMapsAsApply maps random records (of text the steps accept and
// refuse, empty values, absent pointers) with each generated function and with
// Apply: targets and errors are the same, record after record.
func TestGeneratedMapsAsApply(t *testing.T) {
	l, err := defaults.Load()
	require.NoError(t, err)
	require.ElementsMatch(t, l.Names(), keys(generated), "every default mapping has its generated function")
	cases := map[string]struct {
		m   *mapping.Mapping
		run mapper
	}{"edge": {edge(t, records.EdgeSpec), same(MapEdge)}}
	for name, run := range generated {
		m, _ := l.Mapping(name)
		cases[name] = struct {
			m   *mapping.Mapping
			run mapper
		}{m, run}
	}
	var failed, applied int64
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(name))))
			for range 400 {
				c.run(t, c.m, r)
			}
			a, f, _ := c.m.Stats()
			assert.Equal(t, int64(800), a, "both ways count the record")
			applied, failed = applied+a, failed+f
		})
	}
	// the random records reach both outcomes
	assert.Positive(t, failed)
	assert.Less(t, failed, applied)
}

// TestGeneratedFallsBackOnAnEditedMapping: given a mapping edited since it was
// generated (another version, another pipeline), the generated function maps as
// that mapping does, through Apply.
func TestGeneratedFallsBackOnAnEditedMapping(t *testing.T) {
	edited := []byte(string(records.EdgeSpec) + "  - {target: label, source: id, pipeline: [lower]}\n")
	edited = []byte(replaceOnce(string(edited), "  - {target: label, source: name, when: {source: flag, equals: \"true\"}, pipeline: [trim]}\n", ""))
	edited = []byte(replaceOnce(string(edited), "{target: place.state, source: addr.state}", "{target: place.state, source: addr.state, pipeline: [us_state]}"))
	m := edge(t, edited)
	require.NotEqual(t, edge(t, records.EdgeSpec).Digest(), m.Digest())
	src := records.Src{ID: "C-42", Name: "Ada", Addr: struct {
		City  string `json:"city"`
		State string `json:"state"`
		Zip   string `json:"zip"`
	}{State: "texas"}}
	var got, want records.Dst
	require.NoError(t, MapEdge(m, &src, &got))
	require.NoError(t, m.Apply(&src, &want))
	assert.Equal(t, want, got)
	assert.Equal(t, "c-42", got.Label)
	assert.Equal(t, "TX", got.Place.State)

	// a nil source is Apply's error too
	assert.EqualError(t, MapEdge(m, nil, &got), m.Apply((*records.Src)(nil), &got).Error())
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("not found: " + old)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// texts are what random text fields hold: values each step accepts, refuses or
// changes, and empty ones.
var texts = []string{"", "", " ", "  Ada   Lovelace ", "C-0042!", "P1", "P2", "P9", "US", "CA", "texas", "TX", "787011234", "78701",
	"bad zip", "(512) 555-0100 x12", "+1 512 555 0100", "not a phone", "Ada@Example.com", "x <a@b.c>", "a@", "true", "false",
	"2026-01-05T08:00:00Z", "01:30:00", "1.02:03:04", "42", "12.50", "USD", "usd", "XXX", "emergency", "high", "Active", "open",
	"restored", "outage", "payment.captured", "P1-Emergency", "Scheduled", "120 main st", "Suite 4", "01/05/2026 08:00"}

// fill sets v to random values of its type.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	if !v.CanSet() || depth > 5 {
		return
	}
	t := v.Type()
	if t == reflect.TypeFor[time.Time]() {
		if r.IntN(5) > 0 {
			v.Set(reflect.ValueOf(time.Date(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0,
				[]*time.Location{time.UTC, time.FixedZone("CST", -6*3600)}[r.IntN(2)])))
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(texts[r.IntN(len(texts))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(r.IntN(1000)) * int64(time.Minute))
			return
		}
		n := []int64{0, 1, 3, 42, -5, 12550, 1 << 40}[r.IntN(7)]
		if v.OverflowInt(n) {
			n = 7
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(r.IntN(100)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -97.74, 30.27, 125.5, 1e9}[r.IntN(6)])
	case reflect.Pointer:
		if r.IntN(3) > 0 {
			p := reflect.New(t.Elem())
			fill(r, p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.Slice:
		n := r.IntN(3)
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			fill(r, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if t.Key().Kind() == reflect.String && r.IntN(2) == 0 {
			mv := reflect.MakeMap(t)
			for _, k := range []string{"key", texts[r.IntN(len(texts))]} {
				e := reflect.New(t.Elem()).Elem()
				fill(r, e, depth+1)
				mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
			}
			v.Set(mv)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	}
}
