package webhook

import (
	"errors"
	"net/http"
)

// Errors of verification, matched with errors.Is. None of them ever carries a computed
// signature, a secret or a key.
var (
	// ErrMissing: a required header (signature, id, timestamp, key) is absent.
	ErrMissing = errors.New("webhook: required header missing")
	// ErrMalformed: a header is present but cannot be parsed.
	ErrMalformed = errors.New("webhook: malformed header")
	// ErrSignature: no signature matches any active key.
	ErrSignature = errors.New("webhook: signature does not match")
	// ErrTooOld: the timestamp is older than the tolerance (a replay, or a slow retry).
	ErrTooOld = errors.New("webhook: timestamp too old")
	// ErrTooNew: the timestamp is further in the future than the tolerance (clock skew).
	ErrTooNew = errors.New("webhook: timestamp too far in the future")
	// ErrUnauthorized: an API key or token was refused.
	ErrUnauthorized = errors.New("webhook: credentials refused")
	// ErrForbiddenAddress: the sender's address is outside the allowlist.
	ErrForbiddenAddress = errors.New("webhook: sender address not allowed")
	// ErrConfig: a verifier or signer was built with an unusable configuration.
	ErrConfig = errors.New("webhook: invalid configuration")
	// ErrSinkFull: the sink cannot take the event now (the receiver answers 503).
	ErrSinkFull = errors.New("webhook: sink full")
)

// VerificationError says which scheme refused a delivery and why.
type VerificationError struct {
	Scheme string
	Reason error
}

func (e *VerificationError) Error() string { return e.Scheme + ": " + e.Reason.Error() }

// Unwrap returns the reason (one of the sentinels).
func (e *VerificationError) Unwrap() error { return e.Reason }

func verr(scheme string, reason error) error {
	return &VerificationError{Scheme: scheme, Reason: reason}
}

// HTTPStatus maps a verification error to the answer a receiver gives: 403 for an
// address outside the allowlist, 400 for malformed headers, 401 otherwise.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrForbiddenAddress):
		return http.StatusForbidden
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	}
	return http.StatusUnauthorized
}
