// Package faultmatrix holds the fault matrix: for each connector, a read and (where
// the connector has one) a mutating operation run against the connector's bundled
// fake under every transport fault a vendor produces (5xx, 429 with Retry-After in
// seconds and as a date, resets before the answer and after the vendor committed,
// timeouts, truncated and malformed bodies, an expired token). Each cell checks the
// outcome (success after retry, or the documented sentinel), that the requests the
// SDK counted as sent are the requests the fake saw, and that no effect was
// duplicated, including after the caller settles an ErrOutcomeUnknown error as the
// connector documents. It has no code of its own: the matrix is its test.
package faultmatrix
