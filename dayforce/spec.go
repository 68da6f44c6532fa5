package dayforce

import _ "embed"

// OpenAPISpec is the Dayforce contract (openapi.yaml), for validators and the fake.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
