// Package redisstate keeps the state the SDK's replicas must share in Redis (single
// node, Sentinel or Cluster, through go-redis's UniversalClient). It is its own module
// so that the library does not inherit go-redis.
//
//   - [Limiter]: a vendor's budget shared by every replica using the same key, as
//     GCRA (rate plus burst, never more than the budget in any window of its length)
//     or as fixed windows for vendors that count clock hours. Redis unreachable: it
//     falls back to a local limit of the budget divided by the replica count (with
//     several replicas, once a whole window has passed since Redis last answered),
//     charges what it admitted locally to Redis when Redis is back, and charges a
//     whole window when Redis lost its data: the vendor's limit holds in every window
//     across a pause, a kill and a restart (or it refuses, with FailClosed).
//   - [DedupStore]: the webhook receivers' de-duplication (webhook.Store) as SET NX
//     PX; a failed hand-off releases its claim so the sender's retry is processed.
//     Redis unreachable: it fails open (the event is processed; logged), or closed
//     (503, the sender retries) when configured so.
//   - [IdempotencyStore]: merchant.IdempotencyStore: SET NX while a call is in
//     flight, then its outcome; another replica waits for or reads the outcome.
//     Redis unreachable: an error, and the merchant client relies on the gateway's
//     own idempotency.
//   - [SessionStore]: geotab.SessionStore and geotab.SessionLocker: one MyGeotab
//     session for every replica, re-authentication under a short lock so one replica
//     logs in. Redis unreachable: each replica keeps its own session.
//
// The circuit breaker's state is not shared: the resilience package's breaker is
// per process by design (a replica that cannot reach a vendor opens its own).
//
// Keys are namespaced "<prefix>:<store>:<key>" (prefix default "connectors"); every
// key has an explicit TTL; every call honours its context's deadline; nothing here
// starts a goroutine.
package redisstate
