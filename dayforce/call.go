package dayforce

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"strings"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/internal/redact"
)

// Result is what a Dayforce call returned: its Data and the ProcessResults that came
// with a success (warnings and information Dayforce attaches to a 200). They are
// returned, never dropped: a punch accepted with a warning may still need a look.
type Result[T any] struct {
	Data     T
	Warnings []ProcessResult
}

// Page is one page of a paged list: its items, the ProcessResults that came with it,
// and the absolute URL of the next page ("" on the last).
type Page[T any] struct {
	Data     []T
	Warnings []ProcessResult
	Next     string
}

// Items flattens pages into their items, for callers that do not need the warnings.
func Items[T any](pages iter.Seq2[Page[T], error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for p, err := range pages {
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range p.Data {
				if !yield(it, nil) {
					return
				}
			}
		}
	}
}

// envelope is Dayforce's response body: {Data, ProcessResults} and, on paged
// endpoints, Paging. encoding/json matches the names case-insensitively, as the
// casing varies between endpoints.
type envelope[T any] struct {
	Data           T
	ProcessResults []ProcessResult
	Paging         Paging
}

// errorBody is a failure's body: an object ({Data, ProcessResults}, or
// {requestId, processResults}) or a bare array of ProcessResult.
type errorBody struct {
	RequestID      string `json:"requestId"`
	ProcessResults []ProcessResult
}

const maxBody = 64 << 20

// decode reads a response: a 2xx envelope into T (raw: the body is T itself, as
// ClientMetadata's is), anything else into a *connectors.APIError.
func decode[T any](op string, resp *http.Response, wrapped bool) (envelope[T], error) {
	var env envelope[T]
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return env, connector.FailedCall("dayforce", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return env, refused(op, resp.StatusCode, body, resp.Header)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return env, nil // POST and PATCH answer 200 with no body
	}
	if wrapped {
		err = json.Unmarshal(body, &env)
	} else {
		err = json.Unmarshal(body, &env.Data)
	}
	if err != nil {
		return env, &connectors.APIError{System: "dayforce", Operation: op, StatusCode: resp.StatusCode,
			Message: "undecodable response body", Kind: connectors.ErrUnavailable, Retryable: true, Err: err}
	}
	return env, nil
}

// refused maps a refused answer to the SDK's error shape.
func refused(op string, status int, body []byte, _ http.Header) *connectors.APIError {
	ae := &connectors.APIError{System: "dayforce", Operation: op, StatusCode: status,
		Retryable: status >= 500 || status == http.StatusTooManyRequests}
	var eb errorBody
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
		_ = json.Unmarshal(b, &eb.ProcessResults)
	} else if len(b) > 0 {
		_ = json.Unmarshal(b, &eb)
	}
	ae.RequestID = eb.RequestID
	var msgs []string
	for _, r := range eb.ProcessResults {
		if ae.Code == "" && !isWarning(r) {
			ae.Code = r.Code
		}
		if r.Message != "" {
			msgs = append(msgs, r.Message)
		}
	}
	if ae.Code == "" && len(eb.ProcessResults) > 0 {
		ae.Code = eb.ProcessResults[0].Code
	}
	ae.Message = redact.String(strings.Join(msgs, "; "))
	if status == http.StatusBadRequest && unknownXRefCode(eb.ProcessResults) {
		ae.Kind = connectors.ErrNotFound // Dayforce answers 400, not 404, for an unknown XRefCode
	}
	if status == http.StatusTooManyRequests || throttled(eb.ProcessResults) {
		ae.Kind, ae.Retryable = connectors.ErrRateLimited, true
	}
	return ae
}

func isWarning(r ProcessResult) bool {
	l := strings.ToUpper(r.Level)
	return strings.HasPrefix(l, "WARN") || strings.HasPrefix(l, "INFO")
}

// unknownXRefCode recognises Dayforce's "no such record" 400: a result about an
// XRefCode that matches nothing.
func unknownXRefCode(rs []ProcessResult) bool {
	for _, r := range rs {
		s := strings.ToLower(r.Code + " " + r.Context + " " + r.Message)
		if strings.Contains(s, "xrefcode") && (strings.Contains(s, "not found") || strings.Contains(s, "notfound") ||
			strings.Contains(s, "does not exist") || strings.Contains(s, "invalid") || strings.Contains(s, "not match")) {
			return true
		}
	}
	return false
}

// throttled recognises a rate-limit message (Dayforce documents no status for it).
func throttled(rs []ProcessResult) bool {
	for _, r := range rs {
		s := strings.ToLower(r.Code + " " + r.Message)
		if strings.Contains(s, "rate limit") || strings.Contains(s, "ratelimit") || strings.Contains(s, "limit has been reached") {
			return true
		}
	}
	return false
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// invoke runs one operation (see [connector.Invoke]) and reads Dayforce's envelope.
// A redirected call means the tenant moved: the ServiceUri is discovered again and
// the call is sent once more to the new host, never to the redirect's Location
// (see the Endpoint's Moved in New).
func invoke[T any](ctx context.Context, c *Client, r connector.Request) (envelope[T], error) {
	r.AllowEmpty = true // POST and PATCH answer 200 with no body
	env, _, err := connector.Invoke[envelope[T]](ctx, &c.end, r)
	return env, err
}

// pages follows Paging.Next verbatim from the first page to the last. Next is an
// absolute URL, possibly on another host: it is requested as given (not re-encoded,
// the original query not re-appended), and credentials go with it only when its host
// is one of Config.AuthHosts.
func pages[T any](ctx context.Context, c *Client, first connector.Request) iter.Seq2[Page[T], error] {
	return func(yield func(Page[T], error) bool) {
		r := first
		for {
			env, err := invoke[[]T](ctx, c, r)
			if err != nil {
				yield(Page[T]{}, err)
				return
			}
			p := Page[T]{Data: env.Data, Warnings: env.ProcessResults, Next: env.Paging.Next}
			if !yield(p, nil) || p.Next == "" {
				return
			}
			if !strings.HasPrefix(p.Next, "https://") && !strings.HasPrefix(p.Next, "http://") {
				yield(Page[T]{}, &connectors.APIError{System: "dayforce", Operation: first.Op,
					Message: "Paging.Next is not an absolute URL", Kind: connectors.ErrUnavailable})
				return
			}
			r = connector.Request{Op: first.Op, URL: p.Next, Class: first.Class}
		}
	}
}
