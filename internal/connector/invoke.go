package connector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/resilience"
)

// Call is one generated-client call: the HTTP response, the decoded success value
// (nil on failure), the decoded error body P (nil when there is none) and the error of
// a call that got no answer.
type Call[T, P any] func(ctx context.Context) (*http.Response, *T, *P, error)

// Invoke runs one operation under its route name op with its audit record. fail maps
// a refused answer (status, error body, headers) to the SDK's error; a call that got
// no answer is mapped by [FailedCall]. The response is returned too (for the cache's
// stale marks), nil when there was none.
func Invoke[T, P any](ctx context.Context, a Auditor, op string, class connectors.DataClass, summary map[string]string,
	call Call[T, P], fail func(status int, p *P, hdr http.Header) error) (T, *http.Response, error) {
	var zero T
	done := a.Start(ctx, op, class, summary)
	attempts := 0
	resp, v, p, err := call(resilience.WithAttemptCount(resilience.WithRoute(ctx, op), &attempts))
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	switch {
	case err != nil:
		err = FailedCall(a.System, op, err)
	case v == nil:
		var hdr http.Header
		if resp != nil {
			hdr = resp.Header
		}
		err = fail(status, p, hdr)
		if ae, ok := err.(*connectors.APIError); ok {
			if ae.Attempts == 0 {
				ae.Attempts = attempts
			}
			if ae.RetryAfter == 0 && hdr != nil {
				ae.RetryAfter = resilience.ParseRetryAfter(hdr, a.now())
			}
		}
	}
	done(status, attempts, err)
	if err != nil {
		return zero, resp, err
	}
	return *v, resp, nil
}

// Problem builds the error of a refused answer from an RFC 9457 problem's fields:
// the message is redacted, the request id taken from the body or else the
// X-Request-Id header. 5xx and 429 are retryable.
func Problem(system, op string, status int, code, title, detail, requestID string, hdr http.Header) *connectors.APIError {
	ae := &connectors.APIError{System: system, Operation: op, StatusCode: status, Retryable: status >= 500 || status == http.StatusTooManyRequests,
		Code: code, RequestID: requestID}
	if ae.RequestID == "" && hdr != nil {
		ae.RequestID = hdr.Get("X-Request-Id")
	}
	switch {
	case title != "" && detail != "":
		ae.Message = redact.String(title + ": " + detail)
	default:
		ae.Message = redact.String(strings.TrimSpace(title + detail))
	}
	return ae
}

// Pages follows a cursor from page to page, yielding every item; fetch returns a
// page's items and the next cursor ("" on the last page). It stops at the first error,
// and at a next cursor that repeats the one just read (a vendor fault that would
// otherwise loop forever), which is [connectors.ErrUnavailable].
func Pages[T any](ctx context.Context, fetch func(ctx context.Context, cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		for {
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if next == cursor {
				yield(zero, fmt.Errorf("%w: the next page's cursor repeats the current one", connectors.ErrUnavailable))
				return
			}
			cursor = next
		}
	}
}

// Opt returns nil for a zero value, so an unset query parameter is not sent.
func Opt[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// OptTime is [Opt] for times: nil for a zero time, whatever its location.
func OptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// NewIdempotencyKey returns a fresh idempotency key (128 random bits, hex). A
// connector makes one per logical operation and sends it on every attempt.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
