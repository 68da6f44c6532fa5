// Package reach is the dispatch center's connector to Reach, the legacy dispatch and
// field-service system it is migrating away from. Reach publishes no API, so the
// contract is this package's openapi.yaml, written from the integration design: service
// requests, technicians, customers, status updates, availability, communication logs,
// incremental sync and the historical export. Its models are generated from it
// into this package (models.gen.go); the calls, and what generation cannot give, are
// written here:
//
//   - OAuth 2.0 client credentials, TLS 1.3 minimum, the Critical resilience policy;
//     a token the server refuses early is replaced once, transparently;
//   - an Idempotency-Key made once per create and reused by every retry, so a create
//     whose answer was lost is never made twice;
//   - conditional updates (If-Match on the version read; a stale one matches
//     connectors.ErrConflict) with JSON merge patches that tell absent from null;
//   - data minimization: customer records leave through an allowlist
//     ([MinimizeCustomer]) and the audit record counts what was dropped;
//   - iterators over every list (cursor paging to the end), [Client.Sync] for
//     incremental sync resuming from a [connectors.Checkpoint], and [Client.Export] streaming the
//     whole historical export in constant memory, resumable after a crash;
//   - RFC 9457 problems mapped to *connectors.APIError and its sentinels, and one audit
//     event per operation.
//
// The bundled fake, package reachtest, runs Reach on loopback for tests.
package reach
