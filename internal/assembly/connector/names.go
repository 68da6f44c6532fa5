package connector

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// OperationNames reads an OpenAPI document's operationIds by route: "POST
// /api/servicerequests" gives "CreateServiceRequest" (its operationId with a
// capital, as the Go method and the trace span are named). A document that does
// not parse gives none; each connector's tests check its own.
func OperationNames(spec []byte) map[string]string {
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return nil
	}
	names := map[string]string{}
	for path, item := range doc.Paths {
		for method, node := range item {
			var op struct {
				ID string `yaml:"operationId"`
			}
			if node.Kind != yaml.MappingNode || node.Decode(&op) != nil || op.ID == "" {
				continue // parameters, or an operation without an id
			}
			names[strings.ToUpper(method)+" "+path] = strings.ToUpper(op.ID[:1]) + op.ID[1:]
		}
	}
	return names
}

// OperationName is the name of the operation op (a route) for its trace span: the
// operationId of its route in names (a route may leave out the document's path prefix, as Dayforce's
// "GET Employees" does for "/{clientNamespace}/V1/Employees": the route of the
// shortest such path), else the route.
// A few string comparisons a call, against a vendor call's milliseconds.
func OperationName(names map[string]string, op string) string {
	if n, ok := names[op]; ok {
		return n
	}
	method, path, ok := strings.Cut(op, " ")
	if !ok || path == "" {
		return op
	}
	// the route with the shortest prefix: "GET Skills" is "/{ns}/V1/Skills", not
	// "/{ns}/V1/Employees/{xRefCode}/Skills"; two as short name neither
	found, shortest, tie := "", 0, false
	for route, n := range names {
		m, p, _ := strings.Cut(route, " ")
		if m != method || !strings.HasSuffix(p, "/"+strings.TrimPrefix(path, "/")) {
			continue
		}
		switch {
		case found == "" || len(p) < shortest:
			found, shortest, tie = n, len(p), false
		case len(p) == shortest:
			tie = true
		}
	}
	if found == "" || tie {
		return op
	}
	return found
}
