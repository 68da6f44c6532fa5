// Package maddenco is the dispatch center's connector to Maddenco, its equipment
// lifecycle and maintenance system. Maddenco publishes no API, so the contract is this
// package's openapi.yaml, written from the integration design: equipment (status,
// location, specifications, warranty), maintenance schedules and logs, parts
// inventory, work-order completion status and usage reports going back, and a change
// feed for the daily synchronisation. Its models are generated from it into
// this package (models.gen.go); the calls, and what generation cannot give, are
// written here:
//
//   - the API key on every attempt, TLS 1.2 minimum, the Standard resilience policy;
//   - the vendor's budget of 1000 requests per hour per key, never exceeded: every
//     attempt (retries included) waits for the limiter, a token bucket whose burst plus
//     an hour's refill equals the budget. Replace it with [WithLimiter] to share the
//     budget between replicas;
//   - graceful degradation: equipment, schedule, log and part reads are cached, and
//     when Maddenco is down, the breaker is open or the hourly budget is spent, a read
//     returns the last good answer marked stale ([Snapshot]) instead of failing;
//   - iterators over every list, and [Client.Sync], the daily sync, resuming from a
//     [connectors.Checkpoint];
//   - [NewReceiver] for the events Maddenco pushes (equipment status changes,
//     maintenance alerts, low stock): its address checked against an allowlist and its
//     inbound key, repeats dropped, each event handed to a durable sink before the 2xx;
//   - RFC 9457 problems mapped to *connectors.APIError and its sentinels, and one audit
//     event per operation.
//
// The bundled fake, package maddencotest, runs Maddenco on loopback for tests.
package maddenco
