package mapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImportable(t *testing.T) {
	for _, c := range []struct {
		pkg, from string
		ok        bool
	}{
		{"github.com/x/sdk/reach", "github.com/y/app", true},
		{"github.com/x/sdk/reach/internal/api", "github.com/y/app", false},
		{"github.com/x/sdk/reach/internal/api", "github.com/x/sdk/mapping", false},
		{"github.com/x/sdk/reach/internal/api", "github.com/x/sdk/reach", true},
		{"github.com/x/sdk/reach/internal/api", "github.com/x/sdk/reach/gen", true},
		{"github.com/x/sdk/reach/internal/api", "github.com/x/sdk/reachable", false},
		{"github.com/x/sdk/internal", "github.com/x/sdk/a", true},
		{"github.com/x/sdk/internal", "github.com/x/other", false},
		{"internal/abi", "github.com/x/sdk", false},
		{"main", "github.com/x/sdk", false},
		{"time", "github.com/x/sdk", true},
	} {
		assert.Equal(t, c.ok, importable(c.pkg, c.from), "%s from %s", c.pkg, c.from)
	}
}
