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
//
// # Layers
//
// Imports only point down (TestImportsPointDown holds the library to it):
//
//	4  mapping/defaults      the dispatch center's mappings of the connectors' records
//	3  reach geotab dayforce maddenco merchant treadnet, with their fakes (…test);
//	   no connector imports another
//	2  internal/assembly     connector (the call path), fakekit (the fakes' kit), faultmatrix;
//	   ops (the operators' console)
//	1  resilience webhook mapping, each usable on its own
//	0  connectors (errors, audit), clock, fake; internal/{redact,transport,auth,…}
//
// # The error table
//
// The same cause gives the same error in all six connectors. A call the vendor
// answered, or that was sent and failed, returns an [*APIError] with its Attempts,
// that matches with [errors.Is]:
//
//	cause                                          matches                               Retryable
//	400, 422, or the vendor's own "bad argument"   ErrInvalidRequest                     no
//	401, or the TLS server refused the client      ErrUnauthorized                       no
//	  certificate (mutual TLS)
//	403                                            ErrForbidden                          no
//	404, or the vendor's own "unknown id"          ErrNotFound                           no
//	409, or the vendor's own "duplicate"           ErrConflict                           no
//	429 after the retries, or a Retry-After        ErrRateLimited                        yes
//	  longer than the policy allows
//	5xx after the retries                          ErrUnavailable                        yes
//	connection refused or reset, an answer that    ErrUnavailable                        yes
//	  does not decode (a read)
//	the call's timeout or the caller's deadline    ErrTimeout, context.DeadlineExceeded  yes
//	the caller cancelled                           context.Canceled                      no
//	the host's breaker is open                     ErrCircuitOpen (nothing sent)         yes
//	the SDK's rate limit or bulkhead               ErrRateLimited, ErrBulkheadFull       yes
//	a mutation sent whose answer was lost          ErrOutcomeUnknown, and its class      no: repeat it
//	                                                                                     with its key
//
// Retryable says whether a new call may succeed later; it is never true of a mutation
// whose outcome is unknown, which is settled by repeating it with
// [APIError.IdempotencyKey] (each connector's doc says how). Two causes are refused
// before anything is sent and are not APIErrors: an argument a call checks itself
// matches ErrInvalidRequest, and a Config that New refuses is a [*ConfigError]
// matching ErrInvalidConfig, with every problem at once.
//
// internal/assembly/faultmatrix tests each row against every connector (TestErrorTable and its
// neighbours); the vendors' own codes are tested in each connector's package, the
// SDK's rate limit and bulkhead in package resilience.
package connectors
