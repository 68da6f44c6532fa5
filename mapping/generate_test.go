package mapping_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/mapping"
)

// What Generate refuses; what it writes is checked in package internal/gentest,
// which compiles it and compares it with Apply record by record.
func TestGenerateRefuses(t *testing.T) {
	reg := registry()
	reg.RegisterType("anonymous", struct {
		ID string `json:"id"`
	}{})
	compileWith := func(src, dst string) *mapping.Mapping {
		spec, err := mapping.ParseSpec([]byte("{\"name\": \"g\", \"version\": 1, \"source\": \"" + src + "\", \"target\": \"" + dst +
			"\", \"fields\": [{\"target\": \"id\", \"source\": \"id\"}]}"))
		require.NoError(t, err)
		m, err := mapping.Compile(spec, reg)
		require.NoError(t, err)
		return m
	}
	for _, c := range []struct {
		name     string
		m        *mapping.Mapping
		o        mapping.GenOptions
		contains string
	}{
		{"no package", compileWith("vendor.Customer", "canonical.Customer"), mapping.GenOptions{Func: "F"}, "needs a package and a function name"},
		{"no function", compileWith("vendor.Customer", "canonical.Customer"), mapping.GenOptions{Package: "p"}, "needs a package and a function name"},
		{"a map source", compileWith("json", "canonical.Customer"), mapping.GenOptions{Package: "p", Func: "F"}, "needs a struct source"},
		{"an unnamed type", compileWith("anonymous", "canonical.Customer"), mapping.GenOptions{Package: "p", Func: "F"}, "give GenOptions.Source and Target"},
		{"an unexported type of another package", compileWith("vendor.Customer", "canonical.Customer"), mapping.GenOptions{Package: "p", Func: "F"}, "give GenOptions.Source and Target"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.m.Generate(io.Discard, c.o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.contains)
		})
	}
}

// The digest changes with anything that changes how a record is mapped, and only then.
func TestDigest(t *testing.T) {
	a, b := compile(t, customerYAML), compile(t, customerYAML)
	assert.Equal(t, a.Digest(), b.Digest())
	assert.NotZero(t, a.Digest())
	for _, edit := range [][2]string{
		{"version: 2", "version: 3"},
		{"pipeline: [collapse]}\n  - {target: phone,", "pipeline: [trim]}\n  - {target: phone,"},
		{"{target: address.country, default: US}", "{target: address.country, default: CA}"},
	} {
		edited := compile(t, strings.Replace(customerYAML, edit[0], edit[1], 1))
		assert.NotEqual(t, a.Digest(), edited.Digest(), edit[1])
	}
}
