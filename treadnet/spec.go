package treadnet

import _ "embed"

// OpenAPISpec is Treadnet's API contract (openapi.yaml), for validators and the fake.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
