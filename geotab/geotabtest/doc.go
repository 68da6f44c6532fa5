// Package geotabtest is a fake MyGeotab for tests: a real HTTP server on loopback that
// speaks the JSON-RPC API as MyGeotab does — the same envelopes and both error
// formats, sessions that expire, Authenticate limited to 10 a minute, per-method rate
// limits with Retry-After, federation (Authenticate answering another server's name),
// result limits, monotonic version tokens and multi-call semantics — over a seeded,
// deterministic fleet that drives on a synthetic map as the test advances its clock.
//
//	srv := geotabtest.NewServer(t)
//	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
//	srv.Advance(5 * time.Minute) // vehicles move, LogRecords and ExceptionEvents appear
//
// Every request is validated against geotab's openapi.yaml; faults can be injected
// (srv.Fail) and requests are recorded with secrets masked (srv.Requests).
package geotabtest
