package mapping

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestYAMLProblemSaidOnce: a parse error says "yaml:" once, though the YAML
// library prefixes its own.
func TestYAMLProblemSaidOnce(t *testing.T) {
	_, err := ParseSpec([]byte("name: [\n"))
	var se *SpecError
	if assert.True(t, errors.As(err, &se)) {
		assert.Equal(t, []string{"yaml: line 1: did not find expected node content"}, se.Problems)
	}
}
