package connectors_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/dispatchcenter/connectors"

var systems = []string{"reach", "geotab", "dayforce", "maddenco", "merchant", "treadnet"}

// layer is a package's place in the graph the package doc draws; imports only point
// down (to a lower or the same layer), and no connector imports another.
func layer(path string) int {
	rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
	top, _, _ := strings.Cut(rel, "/")
	switch {
	case strings.HasPrefix(rel, "mapping/defaults"):
		return 4 // the dispatch center's mappings of the connectors' records
	case slices.Contains(systems, top):
		return 3
	case strings.HasPrefix(rel, "internal/assembly"), top == "ops":
		return 2
	case top == "resilience" || top == "webhook" || top == "mapping":
		return 1
	}
	return 0 // the root package, clock, fake, the base helpers in internal/
}

// TestImportsPointDown holds the library to its layer graph (package doc, "Layers").
func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		if strings.Contains(pkg, "/internal/benchmarks") {
			continue
		}
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			assert.LessOrEqual(t, layer(imp), layer(pkg), "%s imports %s, a layer above it", pkg, imp)
			if layer(pkg) == 3 && layer(imp) == 3 {
				from, _, _ := strings.Cut(strings.TrimPrefix(pkg, module+"/"), "/")
				to, _, _ := strings.Cut(strings.TrimPrefix(imp, module+"/"), "/")
				assert.Equal(t, from, to, "%s imports another connector, %s", pkg, imp)
			}
		}
	}
}
