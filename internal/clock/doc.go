// Package clock abstracts time so that backoffs, breaker windows and timeouts can be
// tested in microseconds: production code uses [Real], tests use [Fake].
package clock
