// Package reachtest is a fake Reach for tests: an OAuth 2.0 token endpoint with
// expiring tokens and the Reach API on loopback, validating every request against
// reach/openapi.yaml and answering as the contract says — keyset cursors,
// updated_since, idempotency keys on creates, If-Match on updates, RFC 9457 problems —
// over seeded, deterministic data. The historical export of any size is generated
// from its sequence numbers, so a million records cost the fake no memory.
package reachtest
