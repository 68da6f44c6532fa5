package maddenco

import (
	_ "embed"
	"sync"

	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// OpenAPISpec is the Maddenco contract (openapi.yaml), for validators and the fake.
//
//go:embed openapi.yaml
var OpenAPISpec []byte

// operationNames are the contract's operationIds by route, naming the operation
// spans of a client with telemetry ("CreateServiceRequest").
var operationNames = sync.OnceValue(func() map[string]string { return connector.OperationNames(OpenAPISpec) })
