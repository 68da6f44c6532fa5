// Package dayforcetest runs a fake Dayforce on loopback, for the tests of code that
// uses package dayforce. It is stateful and in memory, and validates every request
// against the package's openapi.yaml (written from Dayforce's own OpenAPI document):
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
//   - {Data, ProcessResults} envelopes and absolute Paging.Next URLs with
//     percent-encoded cursors (Dayforce's PaginatedPayload schemas); error envelopes
//     carry ProcessResults only, as the document's 400 examples do;
//   - raw punches as the WSO2 Ceridian Dayforce connector's samples show them
//     (PunchState "Processed"; the punchState filter takes PROCESSED, REJECTED, ALL
//     in any case), filtered on when they were received (an assumption: the document
//     calls the filter only a "transaction period"); a punch POST answers 200 with no
//     body, as the same source documents it, or with the stored punch and its
//     warnings under [WithPunchPayload], as the OpenAPI document's 200 shows it;
//   - validate-only writes (isValidateOnly), fault injection (also after the work is
//     done, to lose the answer) and a request log, as the other fakes.
//
// Invented, because Dayforce documents no such answer: the ProcessResult codes of
// the fake's refusals (TIME_RawPunch_InvalidBadge, TIME_RawPunch_InvalidPunchTime,
// TIME_RawPunch_InvalidPunchType, TIME_RawPunch_AmbiguousLocation,
// TIME_RawPunch_OutsideSchedule, SYS_ValidateOnly, SYS_DESERIALIZATION_ERROR); the
// 404 with SYS_NotFound for a path it does not serve; and the throttled answer of
// [WithRateLimit] (429 with SYS_RateLimitExceeded and "The rate limit has been
// reached"): Dayforce says only that requests over its limit "will be denied" with "a
// message noting that the limit has been reached" (developer guide, RESTful Rate
// Limiter), and declares no 429.
package dayforcetest
