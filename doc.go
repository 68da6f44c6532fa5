// Package connectors holds what every connector of the dispatch center's SDK shares:
// the SDK version, the single error shape ([APIError]) with its sentinels, and the
// audit hook ([Auditor]) every connector calls once per operation.
//
// The connectors themselves live in sub-packages, one per external system (geotab,
// dayforce, reach, maddenco, treadnet, merchant). The resilience, webhook and mapping
// packages are usable on their own, without any connector.
//
// Errors from every connector can be inspected the same way:
//
//	var apiErr *connectors.APIError
//	if errors.As(err, &apiErr) {
//		log.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
//	}
//	if errors.Is(err, connectors.ErrNotFound) { … }
package connectors
