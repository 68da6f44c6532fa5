package connector

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOperationName(t *testing.T) {
	names := OperationNames([]byte(`
paths:
  /api/servicerequests:
    get: {operationId: listServiceRequests}
    post: {operationId: createServiceRequest}
  /api/servicerequests/{id}:
    parameters: [{name: id, in: path}]
    get: {operationId: getServiceRequest}
  /{clientNamespace}/V1/Employees:
    get: {operationId: getEmployees}
  /{clientNamespace}/V1/Employees/{xRefCode}/Skills:
    patch: {operationId: patchEmployeeSkills}
  /a/Twice:
    get: {operationId: first}
  /x/Employees/{xRefCode}/Skills:
    get: {operationId: employeeSkills}
  /x/Skills:
    get: {operationId: listSkills}
  /b/Twice:
    get: {operationId: second}
  /no-id:
    get: {summary: nothing to call it}
`))
	for _, tc := range []struct{ op, want string }{
		{"POST /api/servicerequests", "CreateServiceRequest"},
		{"GET /api/servicerequests", "ListServiceRequests"},
		{"GET /api/servicerequests/{id}", "GetServiceRequest"},
		{"GET Employees", "GetEmployees"},                                            // a route below the document's prefix
		{"PATCH Employees/{xRefCode}/Skills", "PatchEmployeeSkills"},                 // idem
		{"DELETE Employees/{xRefCode}/Skills", "DELETE Employees/{xRefCode}/Skills"}, // another method
		{"GET Skills", "ListSkills"},                                                 // the shortest path ending so
		{"GET Twice", "GET Twice"},                                                   // two routes end so
		{"GET /no-id", "GET /no-id"},
		{"GetFeed LogRecord", "GetFeed LogRecord"}, // not a route (JSON-RPC)
	} {
		assert.Equal(t, tc.want, OperationName(names, tc.op), tc.op)
	}
	assert.Nil(t, OperationNames([]byte("paths: [")), "a document that does not parse names nothing")
}

// Every route a REST connector calls is named by its contract's operationId, so
// no operation span falls back to the route: the routes are read from the
// connectors' sources (the Op: literals), the names from their openapi.yaml.
func TestEveryRouteCalledIsNamed(t *testing.T) {
	op := regexp.MustCompile(`Op: "([A-Z]+ [^"]+)"`)
	for _, system := range []string{"reach", "maddenco", "dayforce", "merchant", "treadnet"} {
		dir := filepath.Join("..", "..", "..", system)
		spec, err := os.ReadFile(filepath.Join(dir, "openapi.yaml"))
		require.NoError(t, err)
		names := OperationNames(spec)
		require.NotEmpty(t, names, system)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		routes := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, ".gen.go") {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range op.FindAllStringSubmatch(string(src), -1) {
				routes++
				assert.NotEqual(t, m[1], OperationName(names, m[1]), "%s: %s has no operationId in openapi.yaml", system, m[1])
			}
		}
		assert.Positive(t, routes, "%s calls routes", system)
	}
}

// A route below the base is given from the root, as url.template is.
func TestRootRoute(t *testing.T) {
	base := &url.URL{Scheme: "https", Host: "dayforce.example", Path: "/Api/acme/V1"}
	for _, tc := range []struct{ path, target, want string }{
		{"Employees/{xRefCode}/Skills", "", "GET /Api/acme/V1/Employees/{xRefCode}/Skills"},
		{"Employees", "https://usconfig.dayforcehcm.com/Api/acme/V1/Employees?cursor=abc", "GET /Api/acme/V1/Employees"}, // a next page
		{"Employees", "https://elsewhere.example/other", "GET Employees"},                                                // a URL that is not the route's
	} {
		assert.Equal(t, tc.want, rootRoute("GET", tc.path, base, tc.target), tc.path+" "+tc.target)
	}
}
