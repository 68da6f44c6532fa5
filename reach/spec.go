package reach

import _ "embed"

// OpenAPISpec is the Reach contract (openapi.yaml), for validators and the fake.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
