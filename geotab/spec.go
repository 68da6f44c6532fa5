package geotab

import _ "embed"

// OpenAPISpec is the contract this client speaks (openapi.yaml), for validators and
// the bundled fake.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
