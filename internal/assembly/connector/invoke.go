package connector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
		err = CountAttempts(withProblem(FailedCall(a.System, op, err), err, fail), attempts)
	case v == nil:
		var hdr http.Header
		if resp != nil {
			hdr = resp.Header
		}
		err = CountAttempts(fail(status, p, hdr), attempts)
		if ae, ok := err.(*connectors.APIError); ok && ae.RetryAfter == 0 && hdr != nil {
			ae.RetryAfter = resilience.ParseRetryAfter(hdr, a.now())
		}
	}
	if key, ok := mutationKey(ctx); ok && err != nil {
		err = OutcomeUnknown(a.System, op, key, err)
	}
	done(status, attempts, err)
	if err != nil {
		return zero, resp, err
	}
	return *v, resp, nil
}

// withProblem adds to ae what the vendor said in the last answer of a call the
// resilience layer gave up on (a status it retries; see resilience.Client.Do): the
// error body is decoded as a refusal's would be, and its code, message and request id
// are kept.
func withProblem[P any](ae *connectors.APIError, err error, fail func(status int, p *P, hdr http.Header) error) *connectors.APIError {
	var ce *resilience.CallError
	if !errors.As(err, &ce) || ce.Response == nil || len(ce.Response.Body) == 0 {
		return ae
	}
	var p P
	if json.Unmarshal(ce.Response.Body, &p) != nil {
		return ae
	}
	var said *connectors.APIError
	if errors.As(fail(ce.Response.StatusCode, &p, ce.Response.Header), &said) {
		ae.Code, ae.Message, ae.RequestID = said.Code, said.Message, said.RequestID
	}
	return ae
}

type mutationKeyCtx struct{}

// Mutation marks the call made with ctx as one that changes something at the vendor,
// sent with the idempotency key key ("" when the vendor takes none): a failure that
// leaves its outcome unknown is returned as [connectors.ErrOutcomeUnknown].
func Mutation(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, mutationKeyCtx{}, key)
}

func mutationKey(ctx context.Context) (string, bool) {
	k, ok := ctx.Value(mutationKeyCtx{}).(string)
	return k, ok
}

// OutcomeUnknown returns err as a [connectors.ErrOutcomeUnknown] error carrying key
// when err leaves a mutating call's outcome unknown (see [Unknown]); any other error
// is returned as it is. The original error stays in the chain, so its class
// (ErrUnavailable, ErrTimeout) still matches.
func OutcomeUnknown(system, op, key string, err error) error {
	if !Unknown(err) {
		return err
	}
	ae := &connectors.APIError{System: system, Operation: op, Kind: connectors.ErrOutcomeUnknown, IdempotencyKey: key, Err: err,
		Message: "the request reached the vendor but its answer was lost: it may have taken effect"}
	var cause *connectors.APIError
	if errors.As(err, &cause) {
		ae.StatusCode, ae.Attempts, ae.RequestID = cause.StatusCode, cause.Attempts, cause.RequestID
	}
	if key != "" {
		ae.Message += "; repeat it with the same idempotency key to learn its outcome"
	}
	return ae
}

// Unknown reports whether err leaves the outcome of a mutating call unknown: the
// request reached the vendor (a request was written to the network, or an answer
// came back) and no answer says whether it took effect. A refusal (4xx), 503 (the
// vendor did not take the request) and local rejections are known outcomes: nothing
// was done.
func Unknown(err error) bool {
	var ae *connectors.APIError
	if !errors.As(err, &ae) || errors.Is(err, connectors.ErrOutcomeUnknown) {
		return false
	}
	switch ae.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	case 0:
	default:
		// an answer with a status: undecodable 2xx bodies are unknown, the rest is
		// what the vendor said
		return ae.StatusCode >= 200 && ae.StatusCode < 300 && undecodable(err)
	}
	var ce *resilience.CallError
	if errors.As(err, &ce) {
		return ce.Sent > 0 && !errors.Is(err, connectors.ErrUnauthorized)
	}
	return undecodable(err) // the generated client got an answer it could not read
}

// undecodable reports a body that came back cut short or not as the contract says:
// JSON that does not decode, XML that does not parse, or an error that says so of
// itself (Undecodable() true, e.g. XML without the vendor's elements).
func undecodable(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var xsyn *xml.SyntaxError
	var u interface{ Undecodable() bool }
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syn) || errors.As(err, &typ) || errors.As(err, &xsyn) ||
		errors.As(err, &u) && u.Undecodable()
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
