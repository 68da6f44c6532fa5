// Package fakekit holds what every bundled fake shares: the transport-level faults
// (status codes, Retry-After, latency, connection resets, truncated or malformed
// bodies) and their queue, and the request recorder.
package fakekit
