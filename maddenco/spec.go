package maddenco

import _ "embed"

// OpenAPISpec is the Maddenco contract (openapi.yaml), for validators and the fake.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
