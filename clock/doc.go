// Package clock abstracts time so that backoffs, breaker windows, limiter waits, token
// expiry and the bundled fakes' simulated time can be driven by a test: production
// code uses [Real] (the default everywhere), tests use [Fake].
//
// One *Fake serves a whole test: pass it to a connector (reach.WithClock and its
// peers in the other five), to [resilience.WithClock], and to the fake vendor
// (reachtest.WithClock and its peers), and a retry's 5-second backoff takes no real
// time while the fake's tokens expire and its fleet drives on the same clock.
//
// [resilience.WithClock]: https://pkg.go.dev/github.com/dispatchcenter/connectors/resilience#WithClock
package clock
