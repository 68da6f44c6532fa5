package resilience

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/dispatchcenter/connectors"
)

// Errors the resilience layer adds to those of package connectors.
var (
	// ErrRetriesExhausted: every allowed attempt failed with a retryable error.
	ErrRetriesExhausted = errors.New("resilience: retries exhausted")
	// ErrRetryAfterTooLong: the server asked for a wait (Retry-After) longer than the
	// policy's MaxRetryAfter, so the call failed at once instead of sleeping.
	ErrRetryAfterTooLong = errors.New("resilience: Retry-After beyond the allowed wait")
	// ErrRejected matches every local rejection (circuit open, rate limiter, bulkhead):
	// the request was not sent, and it is never retried.
	ErrRejected = errors.New("resilience: rejected locally")
)

// BodySnippetLimit is how much of the last response's body a [CallError] keeps.
const BodySnippetLimit = 8 << 10

// Response is what a [CallError] keeps of the last response received.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body holds at most BodySnippetLimit bytes of the body.
	Body []byte
	// Truncated reports whether the body was longer than Body.
	Truncated bool
}

// snapshot reads up to BodySnippetLimit bytes of resp's body, drains a bounded amount
// more so the connection can be reused, and closes it.
func snapshot(resp *http.Response) *Response {
	if resp == nil {
		return nil
	}
	r := &Response{StatusCode: resp.StatusCode, Header: resp.Header.Clone()}
	if resp.Body != nil {
		var buf bytes.Buffer
		n, _ := io.Copy(&buf, io.LimitReader(resp.Body, BodySnippetLimit+1))
		if n > BodySnippetLimit {
			r.Truncated = true
			r.Body = buf.Bytes()[:BodySnippetLimit]
		} else {
			r.Body = buf.Bytes()
		}
		drainClose(resp.Body)
	}
	return r
}

// drainClose reads up to 64 KiB of what is left (so the connection can be reused)
// and closes the body.
func drainClose(b io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(b, 64<<10))
	_ = b.Close()
}

// CallError is the error every failed [Client.Do] returns. It says what was called
// (method and a URL whose query values are masked), how many attempts were made, why
// the client stopped, and what the last response was.
//
// It matches, with [errors.Is]: its cause (Err, e.g. a net error or
// [connectors.ErrCircuitOpen]); its reason ([ErrRetriesExhausted],
// [ErrRetryAfterTooLong], [connectors.ErrTimeout] with context.DeadlineExceeded); and
// the sentinel of the last response's status ([connectors.SentinelForStatus]).
type CallError struct {
	Method string
	// URL with user info removed and query values masked.
	URL string
	// Attempts made, the first included.
	Attempts int
	// Sent is how many requests were written to a connection: 0 means the vendor
	// never saw the call. net/http's own re-send of a request on a dead reused
	// connection counts too, so Sent can exceed the attempts the retry loop made.
	Sent int
	// RetryAfter is the last server hint, if any.
	RetryAfter time.Duration
	// Response is the last response received, if any (body cut at 8 KiB).
	Response *Response
	// Reason is why retrying stopped: ErrRetriesExhausted, ErrRetryAfterTooLong,
	// connectors.ErrTimeout, connectors.ErrCircuitOpen or connectors.ErrRateLimited
	// (the breaker opened, or the limiter ran out, after attempts that failed on the
	// network: Err is then the last of those failures), or nil when the error was not
	// retryable.
	Reason error
	// Err is the last attempt's error, if it had one.
	Err error
}

// Error implements error.
func (e *CallError) Error() string {
	var b bytes.Buffer
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.URL)
	b.WriteString(": ")
	switch {
	case e.Reason == ErrRetriesExhausted:
		fmt.Fprintf(&b, "giving up after %d attempts", e.Attempts)
	case e.Reason == ErrRetryAfterTooLong:
		fmt.Fprintf(&b, "server asked to retry after %s, beyond the allowed wait", e.RetryAfter)
	case e.Reason != nil:
		b.WriteString(e.Reason.Error())
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " after %d attempts", e.Attempts)
		}
	}
	if e.Response != nil {
		if e.Reason != nil {
			b.WriteString(": ")
		}
		b.WriteString("last status ")
		b.WriteString(strconv.Itoa(e.Response.StatusCode))
	}
	if e.Err != nil {
		if e.Reason != nil || e.Response != nil {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause, the reason, and the status sentinel, for errors.Is/As.
func (e *CallError) Unwrap() []error {
	errs := make([]error, 0, 4)
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Reason != nil {
		errs = append(errs, e.Reason)
		if e.Reason == connectors.ErrTimeout {
			errs = append(errs, context.DeadlineExceeded)
		}
	}
	if e.Response != nil {
		if s := connectors.SentinelForStatus(e.Response.StatusCode); s != nil {
			errs = append(errs, s)
		}
	}
	return errs
}

// rejection is a local refusal to send: it matches ErrRejected and its sentinel.
type rejection struct {
	sentinel error
	detail   string
}

func (r *rejection) Error() string {
	if r.detail == "" {
		return r.sentinel.Error()
	}
	return r.sentinel.Error() + ": " + r.detail
}

func (r *rejection) Is(target error) bool { return target == ErrRejected || target == r.sentinel }

// Precomputed rejections keep the hot rejection paths free of allocations.
var (
	errCircuitOpen = &rejection{sentinel: connectors.ErrCircuitOpen}
	errLimitFast   = &rejection{sentinel: connectors.ErrRateLimited, detail: "limiter has no token now"}
	errLimitWait   = &rejection{sentinel: connectors.ErrRateLimited, detail: "limiter wait would pass the deadline"}
	errBulkhead    = &rejection{sentinel: connectors.ErrBulkheadFull}
)

// attemptTimeoutError reports an attempt that got no response headers within the
// policy's AttemptTimeout. It is a timeout (retryable for idempotent calls).
type attemptTimeoutError struct{ d time.Duration }

func (e *attemptTimeoutError) Error() string {
	return "attempt timed out after " + e.d.String() + " waiting for response headers"
}
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }
func (e *attemptTimeoutError) Is(target error) bool {
	return target == connectors.ErrTimeout || target == context.DeadlineExceeded
}

// Retryable is implemented by errors that know whether retrying can help (auth
// layers return a non-retryable error when credentials are refused). The retry layer
// honours it before its own classification.
type Retryable interface {
	Retryable() bool
}
