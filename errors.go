package connectors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors shared by every connector. Errors returned by the SDK match them with
// [errors.Is]; an [*APIError] matches the sentinel of its class (see [APIError.Is]).
var (
	// ErrNotFound: the requested entity does not exist (HTTP 404, or a vendor code that
	// says so, such as an unknown XRefCode).
	ErrNotFound = errors.New("connectors: not found")
	// ErrUnauthorized: the credentials were refused or the session expired (HTTP 401).
	ErrUnauthorized = errors.New("connectors: unauthorized")
	// ErrForbidden: the credentials are valid but lack a permission (HTTP 403).
	ErrForbidden = errors.New("connectors: forbidden")
	// ErrConflict: the request conflicts with the current state, e.g. a duplicate (409).
	ErrConflict = errors.New("connectors: conflict")
	// ErrInvalidRequest: the vendor rejected the request as malformed (400, 422).
	ErrInvalidRequest = errors.New("connectors: invalid request")
	// ErrRateLimited: the vendor (429) or the SDK's own limiter refused the call
	// because a rate limit was reached.
	ErrRateLimited = errors.New("connectors: rate limited")
	// ErrUnavailable: the vendor failed on its side (5xx) or could not be reached.
	ErrUnavailable = errors.New("connectors: service unavailable")
	// ErrCircuitOpen: the circuit breaker for the vendor's host is open; the call was
	// not sent.
	ErrCircuitOpen = errors.New("connectors: circuit open")
	// ErrBulkheadFull: too many calls to the connector were already in flight; the
	// call was not sent.
	ErrBulkheadFull = errors.New("connectors: too many concurrent calls")
	// ErrTimeout: the call's deadline passed, or a retry would have crossed it. Errors
	// matching ErrTimeout because of a deadline also match context.DeadlineExceeded.
	ErrTimeout = errors.New("connectors: timeout")
	// ErrOutcomeUnknown: a call that changes something (a payment, a create, a punch)
	// reached the vendor, but its answer was lost (the connection dropped, the
	// deadline passed, the body came back truncated or malformed, or the vendor
	// failed with 500, 502 or 504): it may or may not have taken effect. It is never
	// Retryable as a new call, which could do it twice. Repeat it with the same
	// idempotency key ([APIError.IdempotencyKey], through the connector's
	// WithIdempotencyKey call option) and the vendor answers the first outcome; a
	// connector without keys says in its doc how to settle it. The error also matches
	// the class of the failure (ErrUnavailable, ErrTimeout).
	ErrOutcomeUnknown = errors.New("connectors: outcome unknown")
	// ErrInvalidConfig: a connector's (or a receiver's) New refused its Config or
	// options; nothing was sent. The error is a [*ConfigError] listing every problem.
	ErrInvalidConfig = errors.New("connectors: invalid config")
)

// ConfigError is the error of a Config that a connector's New refuses: every problem
// at once. It matches [ErrInvalidConfig] and each of its problems.
type ConfigError struct {
	// System names the connector ("reach") or its part ("treadnet trap receiver").
	System string
	// Problems are what is wrong, one error each.
	Problems []error
}

// Error implements error: "reach: invalid config: BaseURL is required; …".
func (e *ConfigError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return e.System + ": invalid config: " + strings.Join(msgs, "; ")
}

// Is reports whether target is [ErrInvalidConfig].
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Unwrap returns the problems.
func (e *ConfigError) Unwrap() []error { return e.Problems }

// APIError is the one error shape every connector returns for a call the vendor
// answered with a failure (or that failed after retries). Inspect it with [errors.As].
type APIError struct {
	// System names the connector ("geotab", "dayforce", …).
	System string
	// Operation names the call ("Get Device", "GET /Employees", …). It never holds
	// query values or identifiers of people.
	Operation string
	// StatusCode is the HTTP status of the last response, or 0 when there was none.
	StatusCode int
	// Code is the vendor's own error code or exception name, if any.
	Code string
	// Message is the vendor's message, already stripped of secrets.
	Message string
	// RequestID is the vendor's request or correlation id, if it sent one.
	RequestID string
	// Retryable reports whether the same call may succeed if made again later.
	Retryable bool
	// Attempts is how many attempts were made, retries included.
	Attempts int
	// IdempotencyKey is the key a mutating call was sent with, set on an
	// [ErrOutcomeUnknown] error: repeat the call with it to learn the outcome.
	IdempotencyKey string
	// RetryAfter is the wait the vendor asked for before a new try (its Retry-After
	// header, in seconds or as an HTTP date), 0 when it asked for none. A caller that
	// retries waits at least this long.
	RetryAfter time.Duration
	// Kind, when set, is the sentinel this error matches regardless of StatusCode
	// (vendors that report errors inside a 200 response set it from their codes).
	Kind error
	// Err is the underlying cause, if any.
	Err error
}

// Error implements error. It names the system, operation, status and vendor code; it
// never includes request bodies or credentials.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.System)
	if e.Operation != "" {
		b.WriteString(": ")
		b.WriteString(e.Operation)
	}
	b.WriteString(": ")
	if e.StatusCode != 0 {
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteByte(' ')
		b.WriteString(http.StatusText(e.StatusCode))
	} else {
		b.WriteString("failed")
	}
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(e.Code)
		b.WriteByte(']')
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Err != nil && e.Message == "" {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *APIError) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of this error's class: Kind if set,
// otherwise the one [SentinelForStatus] gives for StatusCode.
func (e *APIError) Is(target error) bool {
	if e.Kind != nil {
		return target == e.Kind
	}
	s := SentinelForStatus(e.StatusCode)
	return s != nil && target == s
}

// SentinelForStatus returns the sentinel error matching an HTTP status code, or nil for
// a status with no class (2xx, 3xx, unknown 4xx).
func SentinelForStatus(status int) error {
	switch {
	case status == http.StatusNotFound, status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrInvalidRequest
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusRequestTimeout, status == http.StatusGatewayTimeout:
		return ErrTimeout
	case status >= 500 && status <= 599:
		return ErrUnavailable
	}
	return nil
}
