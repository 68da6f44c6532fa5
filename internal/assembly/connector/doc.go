// Package connector assembles what every connector's New does the same way: the one
// set of options (WithHTTPClient, WithBaseURL, WithPolicy, WithLogger, …), the HTTP
// stack (base transport → auth and User-Agent → resilience), and the audit call made
// once per operation. Connector packages re-export the options under their own names.
package connector
