// Package maddencotest is a fake Maddenco for tests: the equipment API on loopback,
// validating every request against maddenco/openapi.yaml and answering as the
// contract says — an API key, the budget of 1000 requests per sliding hour enforced
// with 429 and Retry-After, an optional IP allowlist (403), cursor paging, idempotent
// PUTs, a change feed and RFC 9457 problems — over seeded, deterministic data (5 000
// pieces of equipment by default). Faults are injected on demand and requests
// recorded, without the API key.
package maddencotest
