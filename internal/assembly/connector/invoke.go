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

	"bytes"
	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/resilience"
	"net/url"
	"strconv"
)

// Endpoint is what the calls of one connector share: the audit, the resilience
// client they go through, the vendor's base URL and how it says no.
type Endpoint struct {
	Auditor
	// HTTP sends every request (with retries, limits, breaker and auth).
	HTTP *resilience.Client
	// Base is the vendor's base URL; a [Request]'s route path is joined to it.
	Base *url.URL
	// Refused maps an answer outside 2xx (its status, body and headers: the vendor's
	// error body) to the SDK's error.
	Refused func(op string, status int, body []byte, hdr http.Header) *connectors.APIError
	// Edit, when set, changes each request built on Base before it is sent
	// (Dayforce routes it to the client's discovered host); a Request's absolute URL
	// is sent as given. An error it returns is the call's, as it is.
	Edit func(req *http.Request) error
	// Moved, when set, reports an answer that says the vendor moved (Dayforce's
	// redirects): the request is built again, so Edit routes it anew, and sent once
	// more; a second such answer is connectors.ErrUnavailable.
	Moved func(resp *http.Response) bool
	// Names are the operations' names by route (see [OperationNames]), for the
	// operation spans of a client with telemetry.
	Names map[string]string
}

// Request is one operation.
type Request struct {
	// Op is the operation's route, "GET /api/servicerequests/{id}": the method and
	// the path template, below Base. It names the call in the audit record, the error and the
	// resilience layer's hooks.
	Op string
	// Method, when set, is the request's method, and Op only names the operation
	// (an RPC interface whose operations share one URL, URL or else Base).
	Method string
	// Params are the path parameters, in the order of the template's {…}; each is
	// path-escaped.
	Params []string
	// URL, when set, is the absolute URL to request instead of Base and Op's path
	// (a vendor's next-page link, taken as given).
	URL string
	// Query is the query string (see [Query]).
	Query url.Values
	// Header holds the operation's own headers (Idempotency-Key, If-Match, …).
	Header http.Header
	// Body is sent as JSON when it is not nil, unless Raw is set.
	Body any
	// Raw is a body already encoded, sent with ContentType.
	Raw []byte
	// ContentType is the body's media type (default application/json).
	ContentType string
	// Class and Summary go to the audit record.
	Class   connectors.DataClass
	Summary map[string]string
	// Decode reads a 2xx body into out (default encoding/json).
	Decode func(body []byte, out any) error
	// AllowEmpty accepts a 2xx answer without a body (out is left as it is);
	// otherwise an empty body is an answer cut short.
	AllowEmpty bool
}

// maxBody bounds an answer read into memory.
const maxBody = 64 << 20

// Invoke runs one operation with its audit record (see [Endpoint.Audited]) and
// decodes its answer into a T (see [Endpoint.Exchange]). The response is returned
// too, its body read, for its headers (nil when none came).
func Invoke[T any](ctx context.Context, e *Endpoint, r Request) (T, *http.Response, error) {
	var v T
	resp, err := e.Audited(ctx, r.Op, r.Class, r.Summary, func(ctx context.Context) (*http.Response, error) {
		return e.Exchange(ctx, r, &v)
	})
	if err != nil {
		var zero T
		return zero, resp, err
	}
	return v, resp, nil
}

// Audited runs call as the operation op, with one audit record for all of it: the
// status and attempts of the response call returns, or of its error. A failure of a call marked
// with [Mutation] that leaves its outcome unknown is returned as
// connectors.ErrOutcomeUnknown.
func (e *Endpoint) Audited(ctx context.Context, op string, class connectors.DataClass, summary map[string]string,
	call func(ctx context.Context) (*http.Response, error)) (*http.Response, error) {
	done := e.Start(ctx, op, class, summary)
	var traced func(resilience.OperationEnd) // the operation's span, when telemetry is on
	if t := e.HTTP.Telemetry(); t != nil {
		ctx, traced = t.Operation(ctx, e.System, OperationName(e.Names, op))
	}
	resp, err := call(ctx)
	key, mutation := mutationKey(ctx)
	if mutation && err != nil {
		err = OutcomeUnknown(e.System, op, key, err)
	}
	status, attempts := 0, resilience.Attempts(resp)
	var ae *connectors.APIError
	switch {
	case resp != nil:
		status = resp.StatusCode
	case errors.As(err, &ae):
		status, attempts = ae.StatusCode, ae.Attempts
	}
	done(status, attempts, err)
	if traced != nil {
		end := resilience.OperationEnd{StatusCode: status, Attempts: attempts, Err: redact.Error(err), IdempotencyKey: key != ""}
		if e.Base != nil {
			end.Breaker = e.HTTP.BreakerState(e.Base.Host)
		}
		traced(end)
	}
	return resp, err
}

// Exchange sends r and reads its answer: a 2xx body is decoded into out (nil: the
// body is not read for a value), any other answer is mapped by Refused, and a call
// that got no answer by [FailedCall].
func (e *Endpoint) Exchange(ctx context.Context, r Request, out any) (*http.Response, error) {
	for moved := 0; ; moved++ {
		req, err := e.request(ctx, r)
		if err != nil {
			return nil, err
		}
		resp, err := e.HTTP.Do(req)
		if err != nil {
			return nil, e.failed(r.Op, err)
		}
		if e.Moved != nil && e.Moved(resp) {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			if moved == 0 {
				continue
			}
			return resp, &connectors.APIError{System: e.System, Operation: r.Op, StatusCode: resp.StatusCode,
				Message: "moved again after the endpoint was found anew", Kind: connectors.ErrUnavailable, Retryable: true}
		}
		return resp, CountAttempts(e.read(ctx, r, resp, out), resilience.Attempts(resp))
	}
}

// request builds r's HTTP request.
func (e *Endpoint) request(ctx context.Context, r Request) (*http.Request, error) {
	method, path, _ := strings.Cut(r.Op, " ")
	if r.Method != "" {
		method, path = r.Method, "" // Op is only a name: the request goes to URL, or Base
	}
	target := r.URL
	if target == "" {
		target = strings.TrimSuffix(e.Base.String(), "/") + "/" + strings.TrimPrefix(expand(path, r.Params), "/")
		if len(r.Query) > 0 {
			target += "?" + r.Query.Encode()
		}
	}
	body, ctype := r.Raw, r.ContentType
	if body == nil && r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, &connectors.APIError{System: e.System, Operation: r.Op, Kind: connectors.ErrInvalidRequest,
				Message: "the request does not encode", Err: err}
		}
		body = b
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if ctype == "" {
			ctype = "application/json"
		}
	}
	// the route names each request for the hooks and spans (a login inside a call
	// is its own), its path from the root, as a URL template's is
	route := r.Op
	if path != "" && !strings.HasPrefix(path, "/") {
		route = rootRoute(method, path, e.Base, r.URL)
	}
	req, err := http.NewRequestWithContext(resilience.Route(ctx, route), method, target, rd)
	if err != nil {
		// New checks the base URL: one that does not parse is a link the vendor gave
		// (a next page)
		return nil, &connectors.APIError{System: e.System, Operation: r.Op, Kind: connectors.ErrUnavailable,
			Message: "the vendor's URL does not parse", Err: err}
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if e.Edit != nil && r.URL == "" {
		if err := e.Edit(req); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// rootRoute is a route whose path is below the base (Dayforce's "GET Employees")
// given from the root, as a URL template is: below the base's path, or the path
// of the URL the request goes to when that ends with it (a next page).
func rootRoute(method, path string, base *url.URL, target string) string {
	if target == "" {
		return method + " " + strings.TrimSuffix(base.Path, "/") + "/" + path
	}
	if u, err := url.Parse(target); err == nil && strings.HasSuffix(u.Path, "/"+path) {
		return method + " " + u.Path
	}
	return method + " " + path
}

// readBody reads an answer's body, at most maxBody bytes, into a buffer sized by
// its Content-Length when it has one (io.ReadAll would grow one from 512 bytes).
func readBody(resp *http.Response) ([]byte, error) {
	var b bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxBody {
		b.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead bytes free for each read, the last (EOF) one too
	}
	_, err := b.ReadFrom(io.LimitReader(resp.Body, maxBody))
	return b.Bytes(), err
}

// expand puts the path-escaped params into the template's {…} placeholders, in order.
func expand(template string, params []string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(template, '{')
		j := strings.IndexByte(template, '}')
		if i < 0 || j < i || len(params) == 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		b.WriteString(url.PathEscape(params[0]))
		template, params = template[j+1:], params[1:]
	}
}

// read reads an answer: a 2xx body into out, any other status through Refused.
func (e *Endpoint) read(ctx context.Context, r Request, resp *http.Response, out any) error {
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		if ae := e.cut(ctx, r, resp, err); ae != nil {
			return ae
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := e.Refused(r.Op, resp.StatusCode, body, resp.Header)
		if ae.RetryAfter == 0 {
			ae.RetryAfter = resilience.ParseRetryAfter(resp.Header, e.now())
		}
		return ae
	}
	if err == nil && out != nil {
		switch {
		case len(bytes.TrimSpace(body)) == 0:
			if !r.AllowEmpty {
				err = io.ErrUnexpectedEOF
			}
		case r.Decode != nil:
			err = r.Decode(body, out)
		default:
			err = json.Unmarshal(body, out)
		}
		if err != nil {
			// a body cut short as the deadline passed may end cleanly (the
			// connection closed at a chunk's end): the deadline is the cause then too
			if ae := e.cut(ctx, r, resp, err); ae != nil {
				return ae
			}
		}
	}
	if err != nil {
		// cut short or not as the contract says: for a mutation, its outcome is unknown
		return &connectors.APIError{System: e.System, Operation: r.Op, StatusCode: resp.StatusCode,
			Message: "undecodable response body", Kind: connectors.ErrUnavailable, Retryable: true, Err: err}
	}
	return nil
}

// cut returns the error of an answer the deadline or the caller ended while it
// was read (err is what reading or decoding it gave), or nil when neither did. The
// cause is the caller's context, or the resilience layer's own call deadline (which
// the response's request carries until the body is closed), or a deadline that
// passed before its timer ran (a busy machine).
func (e *Endpoint) cut(ctx context.Context, r Request, resp *http.Response, err error) *connectors.APIError {
	cerr := ctx.Err()
	if cerr == nil && resp.Request != nil {
		cerr = resp.Request.Context().Err()
	}
	if dl, ok := ctx.Deadline(); cerr == nil && ok && !time.Now().Before(dl) {
		cerr = context.DeadlineExceeded
	}
	var ae *connectors.APIError
	switch {
	case errors.Is(cerr, context.DeadlineExceeded):
		ae = FailedCall(e.System, r.Op, fmt.Errorf("reading the answer: %w: %w (%w)", connectors.ErrTimeout, cerr, err))
	case cerr != nil:
		ae = FailedCall(e.System, r.Op, fmt.Errorf("reading the answer: %w (%w)", cerr, err))
	default:
		return nil
	}
	ae.StatusCode = resp.StatusCode // an answer came: a mutation's outcome is unknown
	return ae
}

// failed maps a call the resilience layer gave up on, adding what the vendor said in
// its last answer (a status it retries; see resilience.Client.Do): the error body is
// read as a refusal's would be, and its code, message and request id are kept. An
// error that is already the SDK's (from Edit or the authenticator) stays as it is.
func (e *Endpoint) failed(op string, err error) error {
	var sdk *connectors.APIError
	if errors.As(err, &sdk) {
		return err
	}
	ae := FailedCall(e.System, op, err)
	var ce *resilience.CallError
	if errors.As(err, &ce) && ce.Response != nil && len(ce.Response.Body) > 0 {
		said := e.Refused(op, ce.Response.StatusCode, ce.Response.Body, ce.Response.Header)
		ae.Code, ae.Message, ae.RequestID = said.Code, said.Message, said.RequestID
	}
	return ae
}

// Query builds a query string from name-value pairs, leaving out the empty values:
// an unset parameter is not sent. See [Int] and [Time] for the other types.
func Query(pairs ...string) url.Values {
	q := url.Values{}
	setPairs(pairs, q.Set)
	return q
}

// Int is a query value: "" (not sent) for 0.
func Int(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Time is a query value in RFC 3339: "" (not sent) for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// Headers builds a request's headers from name-value pairs, leaving out the empty
// values.
func Headers(pairs ...string) http.Header {
	h := http.Header{}
	setPairs(pairs, h.Set)
	return h
}

// setPairs sets each name-value pair whose value is not empty.
func setPairs(pairs []string, set func(name, value string)) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			set(pairs[i], pairs[i+1])
		}
	}
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
		return ae.StatusCode >= 200 && ae.StatusCode < 300 && (undecodable(err) || errors.Is(err, connectors.ErrTimeout))
	}
	var ce *resilience.CallError
	if errors.As(err, &ce) {
		return ce.Sent > 0 && !errors.Is(err, connectors.ErrUnauthorized)
	}
	return undecodable(err) // an answer that could not be read
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

// Problems is the Refused of a vendor whose error body is an RFC 9457 problem
// (code, title, detail, request_id; see [Problem]). A body that is not one leaves
// the status alone to say it.
func Problems(system string) func(op string, status int, body []byte, hdr http.Header) *connectors.APIError {
	return func(op string, status int, body []byte, hdr http.Header) *connectors.APIError {
		var p struct {
			Code      string `json:"code"`
			Title     string `json:"title"`
			Detail    string `json:"detail"`
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(body, &p)
		return Problem(system, op, status, p.Code, p.Title, p.Detail, p.RequestID, hdr)
	}
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

// NewIdempotencyKey returns a fresh idempotency key (128 random bits, hex). A
// connector makes one per logical operation and sends it on every attempt.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
