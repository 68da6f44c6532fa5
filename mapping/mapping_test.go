package mapping_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
)

// vendorCustomer is shaped like a vendor's customer record.
type vendorCustomer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	Tier    string `json:"tier"`
	Address struct {
		Street string `json:"street"`
		City   string `json:"city"`
		State  string `json:"state"`
		Zip    string `json:"zip"`
	} `json:"address"`
	Contacts  []vendorContact `json:"contacts"`
	Updated   string          `json:"updated"`
	Notes     string          `json:"notes"`
	Priority  string          `json:"priority"`
	CreatedAt time.Time       `json:"created_at"`
	Balance   *float64        `json:"balance"`
}

type vendorContact struct {
	Phone string `json:"phone"`
}

type job struct {
	Priority string    `json:"priority"`
	DueAt    time.Time `json:"due_at"`
	Area     string    `json:"area"`
	Balance  int64     `json:"balance"`
}

func registry() *mapping.Registry {
	reg := mapping.NewRegistry()
	reg.RegisterType("vendor.Customer", vendorCustomer{})
	reg.RegisterType("canonical.Customer", canonical.Customer{})
	reg.RegisterType("job", job{})
	reg.RegisterType("json", map[string]any{})
	return reg
}

const customerYAML = `
name: vendor-customer
version: 2
source: vendor.Customer
target: canonical.Customer
fields:
  - {target: id, source: id, required: true, pipeline: [id]}
  - {target: source.system, default: vendor}
  - {target: source.id, source: id}
  - {target: name, source: name, required: true, pipeline: [collapse]}
  - {target: phone, source: phone, pipeline: [phone(US)]}
  - {target: phone_ext, source: phone, pipeline: [phone_ext(US)]}
  - {target: email, source: email, pipeline: [email]}
  - {target: address.line1, source: address.street, pipeline: [us_street]}
  - {target: address.city, source: address.city, pipeline: [collapse]}
  - {target: address.state, source: address.state, pipeline: [us_state]}
  - {target: address.postal_code, source: address.zip, pipeline: [zip]}
  - {target: address.country, default: US}
  - {target: updated_at, source: updated, pipeline: ["date(America/Chicago|01/02/2006 15:04)"]}
`

func compile(t *testing.T, yaml string) *mapping.Mapping {
	t.Helper()
	spec, err := mapping.ParseSpec([]byte(yaml))
	require.NoError(t, err)
	m, err := mapping.Compile(spec, registry())
	require.NoError(t, err)
	return m
}

func TestMapACustomer(t *testing.T) {
	m := compile(t, customerYAML)
	var in vendorCustomer
	in.ID, in.Name, in.Phone, in.Email = " C-0042 ", "  Ada   Lovelace ", "(512) 555-0142 x7", "Ada@Example.COM"
	in.Address.Street, in.Address.City, in.Address.State, in.Address.Zip = "100 congress avenue", "Austin", "texas", "787011234"
	in.Updated = "01/05/2026 08:00"
	got, err := mapping.Map[canonical.Customer](m, &in)
	require.NoError(t, err)
	assert.Equal(t, canonical.Customer{ID: "C0042", Source: canonical.Source{System: "vendor", ID: " C-0042 "}, Name: "Ada Lovelace",
		Phone: "+15125550142", PhoneExt: "7", Email: "Ada@example.com",
		Address:   canonical.Address{Line1: "100 CONGRESS AVE", City: "Austin", State: "TX", PostalCode: "78701-1234", Country: "US"},
		UpdatedAt: time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)}, got)
	applied, failed, _ := m.Stats()
	assert.Equal(t, int64(1), applied)
	assert.Zero(t, failed)
}

func TestEveryErrorOfARecordIsReturned(t *testing.T) {
	m := compile(t, customerYAML)
	var in vendorCustomer
	in.ID, in.Phone, in.Email = "C1", "123456", "Ada <ada@example.com>"
	in.Address.State, in.Updated = "Ontario", "yesterday"
	_, err := mapping.Map[canonical.Customer](m, in)
	var re *mapping.RecordError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "vendor-customer", re.Mapping)
	assert.Equal(t, 2, re.Version)
	codes := map[string]*mapping.FieldError{}
	for _, fe := range re.Errors {
		codes[fe.Code] = fe
		assert.Equal(t, mapping.ClassData, fe.Class, fe.Code)
		assert.NotEmpty(t, fe.Action())
	}
	for _, c := range []string{mapping.CodeRequired, mapping.CodeInvalidPhone, mapping.CodeInvalidEmail, mapping.CodeInvalidState, mapping.CodeInvalidDate} {
		require.Contains(t, codes, c)
	}
	assert.Len(t, re.Errors, 6, "all of them (the phone's extension too), not the first")
	assert.Equal(t, "name", codes[mapping.CodeRequired].Target)
	assert.Equal(t, "[redacted]", codes[mapping.CodeInvalidPhone].Value, "personal: the target is tagged so")
	assert.Equal(t, "Ontario", codes[mapping.CodeInvalidState].Value, "not personal")
	assert.NotContains(t, err.Error(), "123456")
	assert.NotContains(t, err.Error(), "ada@example.com")
	assert.ErrorIs(t, err, mapping.ErrData)
	assert.NotErrorIs(t, err, mapping.ErrMapping)
	assert.Equal(t, mapping.ClassData, re.Class())
	_, failed, _ := m.Stats()
	assert.Equal(t, int64(1), failed)
}

func TestCompileReportsEveryProblemAtOnce(t *testing.T) {
	spec := `
name: broken
version: 1
source: vendor.Customer
target: canonical.Customer
direction: sideways
lookups:
  tiers:
    reversible: true
    values: {gold: premium, platinum: premium}
  empty: {values: {}}
  plain: {values: {a: b}}
fields:
  - {target: id, source: identifier}
  - {target: nickname, source: name}
  - {target: name, source: name, pipeline: [sparkle]}
  - {target: name, source: email}
  - {target: updated_at, source: updated}
  - {target: email, source: tier, lookup: tiers, reverse: true}
  - {target: phone, source: phone, lookup: nowhere}
  - {target: address.city, source: address.city, pipeline: ["range(1|2)"]}
  - {target: address.state, source: address.state, pipeline: ["phone(ZZ)"]}
  - {target: address.line1}
  - {target: phone_ext, source: name, compute: {func: join, args: [name]}}
  - {target: address.country, compute: {func: due, args: [created_at]}}
  - {target: address.postal_code, source: contacts.phone}
  - {target: location.latitude, source: tier, lookup: plain, reverse: true}
`
	s, err := mapping.ParseSpec([]byte(spec))
	require.NoError(t, err)
	_, err = mapping.Compile(s, registry())
	var se *mapping.SpecError
	require.ErrorAs(t, err, &se)
	assert.ErrorIs(t, err, mapping.ErrMapping)
	want := []string{
		`direction must be inbound or outbound`,
		`lookup tiers: not one-to-one`,
		`lookup empty: no values`,
		`has no field "identifier"`,
		`has no field "nickname"`,
		`unknown step "sparkle"`,
		`duplicate target "name"`,
		`a string cannot become the time of updated_at`,
		`unknown lookup "nowhere"`,
		`step range takes [int float], not the string`,
		`step phone(ZZ): unknown region`,
		`no source, compute or default`,
		`a source or a compute, not both`,
		`due takes 2 arguments, not 1`,
		`needs a lookup table`,
		`has no field "phone"`,
		`lookup "plain" is used in reverse but is not marked reversible`,
	}
	for _, w := range want {
		assert.True(t, containsAny(se.Problems, w), "missing problem %q in %q", w, se.Problems)
	}
	assert.GreaterOrEqual(t, len(se.Problems), len(want))

	for name, bad := range map[string]string{
		"unknown key":       "name: x\nsource: vendor.Customer\ntarget: canonical.Customer\nfileds: []\n",
		"unknown json key":  `{"name":"x","sourc":"vendor.Customer"}`,
		"not yaml":          "name: [\n",
		"unknown types":     "name: x\nsource: nope.Type\ntarget: nope.Other\nfields: [{target: id, source: id}]\n",
		"target not struct": "name: x\nsource: vendor.Customer\ntarget: json\nfields: [{target: id, source: id}]\n",
	} {
		s, err := mapping.ParseSpec([]byte(bad))
		if err == nil {
			_, err = mapping.Compile(s, registry())
		}
		assert.ErrorIs(t, err, mapping.ErrMapping, name)
	}
}

func containsAny(problems []string, s string) bool {
	for _, p := range problems {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

func TestLookupsConditionsAndComputedFields(t *testing.T) {
	m := compile(t, `
name: job
version: 1
source: vendor.Customer
target: job
lookups:
  priority:
    reversible: true
    values: {P1: emergency, P2: high, P3: normal, P4: low}
  sla:
    values: {emergency: 4h, high: 24h, normal: 72h, low: 168h}
  area: {values: {TX: south}, unknown: default, default: central}
fields:
  - {target: priority, source: priority, pipeline: [trim, upper], lookup: priority}
  - {target: due_at, compute: {func: due, args: [created_at, priority], lookup: sla}, when: {source: priority, in: [emergency, high]}}
  - {target: area, source: address.state, pipeline: [us_state], lookup: area}
  - {target: balance, source: balance, pipeline: ["range(0|)"]}
`)
	created := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	bal := 12.0
	var in vendorCustomer
	in.Priority, in.CreatedAt, in.Balance = " p1 ", created, &bal
	in.Address.State = "ohio"
	got, err := mapping.Map[job](m, in)
	require.NoError(t, err)
	assert.Equal(t, job{Priority: "emergency", Area: "central", Balance: 12}, job{Priority: got.Priority, Area: got.Area, Balance: got.Balance})
	assert.True(t, got.DueAt.IsZero(), "the condition reads the source value (P1), which is not in [emergency high]")

	in.Priority = "P9"
	_, err = mapping.Map[job](m, in)
	var fe *mapping.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, mapping.CodeUnknownValue, fe.Code)
	assert.Equal(t, "P9", fe.Value)

	neg := -1.0
	in.Priority, in.Balance = "P2", &neg
	_, err = mapping.Map[job](m, in)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, mapping.CodeOutOfRange, fe.Code)

	in.Balance = nil
	got, err = mapping.Map[job](m, in)
	require.NoError(t, err, "a nil pointer is absent, not an error")
	assert.Zero(t, got.Balance)
}

func TestComputedDueTime(t *testing.T) {
	m := compile(t, `
name: sla
version: 1
source: vendor.Customer
target: job
lookups:
  sla: {values: {P1: 4h, P2: 24h}}
fields:
  - {target: priority, source: priority}
  - {target: due_at, compute: {func: due, args: [created_at, priority], lookup: sla}, when: {source: priority, equals: P1}}
`)
	created := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	got, err := mapping.Map[job](m, vendorCustomer{Priority: "P1", CreatedAt: created})
	require.NoError(t, err)
	assert.Equal(t, created.Add(4*time.Hour), got.DueAt)
	got, err = mapping.Map[job](m, vendorCustomer{Priority: "P2", CreatedAt: created})
	require.NoError(t, err)
	assert.True(t, got.DueAt.IsZero(), "the condition does not hold")
}

func TestOutboundIsAnAllowlist(t *testing.T) {
	reg := registry()
	reg.RegisterType("vendor.Contact", struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	}{})
	spec, err := mapping.ParseSpec([]byte(`
name: customer-to-vendor
version: 1
source: canonical.Customer
target: vendor.Contact
direction: outbound
fields:
  - {target: name, source: name}
  - {target: phone, source: phone}
`))
	require.NoError(t, err)
	m, err := mapping.Compile(spec, reg)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"id", "source", "phone_ext", "email", "address", "location", "updated_at"}, m.Dropped())
	out := struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	}{}
	require.NoError(t, m.Apply(canonical.Customer{Name: "Ada", Phone: "+15125550142", Email: "ada@example.com"}, &out))
	assert.Equal(t, "Ada", out.Name)
	_, _, dropped := m.Stats()
	assert.Equal(t, int64(7), dropped, "counted per record")
}

func TestDynamicSources(t *testing.T) {
	m := compile(t, `
name: json-customer
version: 1
source: json
target: canonical.Customer
fields:
  - {target: id, source: id, required: true}
  - {target: phone, source: "contacts[1].phone", pipeline: [phone(US)]}
  - {target: location.latitude, source: geo.lat}
`)
	in := map[string]any{"id": "C9", "contacts": []any{map[string]any{"phone": "x"}, map[string]any{"phone": "512-555-0142"}}, "geo": map[string]any{"lat": 30.27}}
	got, err := mapping.Map[canonical.Customer](m, in)
	require.NoError(t, err)
	assert.Equal(t, "+15125550142", got.Phone)
	assert.InDelta(t, 30.27, got.Location.Latitude, 1e-9)
	_, err = mapping.Map[canonical.Customer](m, map[string]any{"id": 7})
	var fe *mapping.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, mapping.CodeConversion, fe.Code, "a number where text belongs: the mapping is wrong for this data")
	assert.True(t, errors.Is(err, mapping.ErrMapping))
}

func TestLookupUnknownValuePolicies(t *testing.T) {
	for _, tc := range []struct {
		policy, def, in, want string
		code                  string
	}{
		{"error", "", "P9", "", mapping.CodeUnknownValue},
		{"default", "normal", "P9", "normal", ""},
		{"pass", "", "P9", "P9", ""},
		{"pass", "", "P1", "emergency", ""},
	} {
		lk := mapping.LookupSpec{Values: map[string]string{"P1": "emergency"}, Unknown: tc.policy, Default: tc.def}
		spec := &mapping.Spec{Name: "p", Source: "vendor.Customer", Target: "job", Lookups: map[string]mapping.LookupSpec{"p": lk},
			Fields: []mapping.FieldSpec{{Target: "priority", Source: "priority", Lookup: "p"}}}
		m, err := mapping.Compile(spec, registry())
		require.NoError(t, err)
		got, err := mapping.Map[job](m, vendorCustomer{Priority: tc.in})
		if tc.code != "" {
			var fe *mapping.FieldError
			require.ErrorAs(t, err, &fe, tc.policy)
			assert.Equal(t, tc.code, fe.Code)
			continue
		}
		require.NoError(t, err, tc.policy)
		assert.Equal(t, tc.want, got.Priority, tc.policy)
	}
	_, err := mapping.Compile(&mapping.Spec{Name: "p", Source: "vendor.Customer", Target: "job",
		Lookups: map[string]mapping.LookupSpec{"p": {Values: map[string]string{"a": "b"}, Unknown: "default"}},
		Fields:  []mapping.FieldSpec{{Target: "priority", Source: "priority", Lookup: "p"}}}, registry())
	assert.ErrorContains(t, err, "needs a default")
}
