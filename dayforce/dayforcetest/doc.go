// Package dayforcetest runs a fake Dayforce on loopback, for the tests of code that
// uses package dayforce. It is stateful and in memory, validates every request
// against the package's openapi.yaml, and answers as Dayforce does, errors included:
//
//   - three listeners: the generic host, which redirects to the client host the way
//     www.dayforcehcm.com does (a real cross-host redirect, so a client that lets Go
//     follow it loses its credentials), and two client hosts, between which
//     [Server.Relocate] moves the tenant;
//   - an identity service (/connect/token, password grant with companyId) issuing
//     tokens that expire on the fake clock, and Basic auth;
//   - a seeded, deterministic workforce (200 employees by default; the first 60% are
//     field technicians, E0001…, matching reachtest's technicians) with work
//     assignments, skills, certifications, schedules, availability, time off and
//     punches;
//   - {Data, ProcessResults} envelopes, warnings on a 200, 400s as objects or bare
//     arrays as the contract says, absolute Paging.Next URLs with percent-encoded
//     cursors, validate-only writes, and a configurable rate limit;
//   - fault injection (also after the work is done, to lose the answer) and a
//     request log, as the other fakes.
package dayforcetest
