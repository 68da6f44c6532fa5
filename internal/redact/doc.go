// Package redact removes secrets and personal data from what the SDK logs, records or
// puts into errors: URLs (query values, user info), HTTP headers, JSON bodies, free
// text (card numbers that pass the Luhn check) and slog attributes.
//
// Redaction is by allowlist where it can be (query values are all masked unless a key is
// declared safe) and by denylist where it must be (header and field names that hold
// secrets, plus names the caller marks personal).
package redact
