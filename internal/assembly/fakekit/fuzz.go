package fakekit

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/webhook"
)

// Answer is an http.RoundTripper for fuzz targets of a client's decoding: requests
// that Match selects get the answer last given to [Answer.Set] (status, content type,
// Retry-After and body, as the fuzzer chose them); every other request (sign-in,
// discovery) goes to Next, usually the bundled fake. Fuzz iterations run one at a time
// in a worker, so Set between calls is enough.
type Answer struct {
	Next  http.RoundTripper
	Match func(*http.Request) bool
	// OnServe, when set, is called with the count of fuzzed answers since the last Set
	// after each one (a target following a feed ends it there).
	OnServe func(n int)

	mu                      sync.Mutex
	status                  int
	contentType, retryAfter string
	body                    []byte
	served                  int
}

// Set fixes the next answers. A status outside 100-999 is taken modulo into 200-599.
func (a *Answer) Set(status int, contentType, retryAfter string, body []byte) {
	if status < 100 || status > 999 {
		status = 200 + (status%400+400)%400
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.status, a.contentType, a.retryAfter, a.body, a.served = status, contentType, retryAfter, body, 0
}

// Served reports how many requests got the fuzzed answer since the last Set.
func (a *Answer) Served() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.served
}

// RoundTrip answers req.
func (a *Answer) RoundTrip(req *http.Request) (*http.Response, error) {
	if !a.Match(req) {
		return a.Next.RoundTrip(req)
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.served++
	if a.OnServe != nil {
		a.OnServe(a.served)
	}
	h := http.Header{}
	if a.contentType != "" {
		h.Set("Content-Type", a.contentType)
	}
	if a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	return &http.Response{StatusCode: a.status, Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)), Header: h,
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: req, Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1}, nil
}

// sentinels are the root package's error classes.
var sentinels = []error{connectors.ErrNotFound, connectors.ErrUnauthorized, connectors.ErrForbidden, connectors.ErrConflict,
	connectors.ErrInvalidRequest, connectors.ErrRateLimited, connectors.ErrUnavailable, connectors.ErrCircuitOpen,
	connectors.ErrBulkheadFull, connectors.ErrTimeout, connectors.ErrOutcomeUnknown}

// CheckAnswerError holds what any answer's error must be, however malformed the
// answer: nil, or an error of one of the root package's classes (an
// [*connectors.APIError] or a match of a sentinel); and its text holds none of the
// secrets (credentials, personal fields sent in the request). A secret that the
// answer itself carries (the fuzzer's status, headers and body, given as echo) is not
// looked for: a vendor's message quoting the answer leaks nothing of ours.
func CheckAnswerError(t testing.TB, err error, echo []string, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	var ae *connectors.APIError
	classified := errors.As(err, &ae)
	for _, s := range sentinels {
		classified = classified || errors.Is(err, s)
	}
	if !classified {
		t.Fatalf("an error of no documented class: %T %v", err, err)
	}
	msg := err.Error()
	for _, s := range secrets {
		if s == "" || !strings.Contains(msg, s) {
			continue
		}
		echoed := false
		for _, e := range echo {
			echoed = echoed || strings.Contains(e, s)
		}
		if !echoed {
			t.Fatalf("the error text holds a secret (%q): %s", s, msg)
		}
	}
}

// Echo is the fuzzer's answer as text, for [CheckAnswerError].
func Echo(status int, contentType, retryAfter string, body []byte) []string {
	return []string{strconv.Itoa(status), contentType, retryAfter, string(body)}
}

// Statuses seeds a fuzz target's status argument with the answers vendors give.
var Statuses = []int{200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504}

// Receiver fuzzes a webhook receiver end to end: a POST with the fuzzer's values for
// Headers (in order) and its body goes through Handler, whose sink must call
// [Receiver.Got]. Whatever the bytes, the answer is one the receiver documents, and a
// delivery reaches the sink only when Signed, the target's oracle (its signer run
// again on the delivery), says a sender holding the secret made it.
type Receiver struct {
	Handler     http.Handler
	Headers     []string
	ContentType string
	// TLS, when set, is the connection state the deliveries arrive on (a client
	// certificate the receiver checks).
	TLS    *tls.ConnectionState
	Signed func(values []string, body []byte) bool
	// Decode is the connector's DecodeEvent, run on every delivery the sink gets.
	Decode func(body []byte) error

	got int
}

// Delivered is how many deliveries reached the sink (a target checks that its
// genuine seed does, so that the fuzzer starts past the verification).
func (rc *Receiver) Delivered() int { return rc.got }

// Got is the sink's hook: it counts a delivery and decodes its body.
func (rc *Receiver) Got(body []byte) error {
	rc.got++
	return rc.Decode(body)
}

// Check sends one delivery and checks the answer.
func (rc *Receiver) Check(t testing.TB, values []string, body []byte) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/hooks", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.RemoteAddr = "127.0.0.1:4444"
	r.TLS = rc.TLS
	r.Header.Set("Content-Type", rc.ContentType)
	for i, h := range rc.Headers {
		if i < len(values) && values[i] != "" {
			r.Header.Set(h, values[i])
		}
	}
	rec := &recorder{header: http.Header{}}
	before := rc.got
	rc.Handler.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	switch rec.status {
	case http.StatusOK, http.StatusAccepted, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusServiceUnavailable:
	default:
		t.Fatalf("an answer the receiver does not document: %d", rec.status)
	}
	if rc.got != before && !rc.Signed(values, body) {
		t.Fatalf("a delivery no signer made reached the sink: %q", values)
	}
}

// recorder is the smallest http.ResponseWriter (httptest's would import more than a
// fuzz target needs).
type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}

// StandardSigned is the oracle of a Standard Webhooks receiver for [Receiver.Signed]:
// the values are webhook-id, webhook-timestamp and webhook-signature, and one of the
// signatures is secret's over "id.timestamp.body".
func StandardSigned(secret string) (func(values []string, body []byte) bool, error) {
	signer, err := webhook.NewStandardSigner(secret, nil)
	if err != nil {
		return nil, err
	}
	return func(v []string, body []byte) bool {
		ts, err := strconv.ParseInt(v[1], 10, 64)
		if err != nil {
			return false
		}
		h := http.Header{}
		signer.Sign(h, v[0], time.Unix(ts, 0), body)
		return h.Get("webhook-timestamp") == v[1] && slices.Contains(strings.Fields(v[2]), h.Get("webhook-signature"))
	}, nil
}
