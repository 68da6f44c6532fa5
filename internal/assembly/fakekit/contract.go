package fakekit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Contract is the OpenAPI document a fake serves: it finds the operation a request
// calls and validates the request against it. It is safe for concurrent use.
type Contract struct {
	// Doc is the loaded, validated document.
	Doc    *openapi3.T
	router routers.Router
}

// LoadContract parses and validates spec. adjust, if not nil, edits the document
// after validation and before routing (e.g. its servers, or relaxed formats). Load a
// contract once per process (sync.OnceValues): kin-openapi's format registry is global.
func LoadContract(spec []byte, adjust func(*openapi3.T)) (*Contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load contract: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract is invalid: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	if adjust != nil {
		adjust(doc)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route contract: %w", err)
	}
	return &Contract{Doc: doc, router: r}, nil
}

// Match finds the operation r calls: its route and path parameters. It fails when
// the contract has no such path or method.
func (c *Contract) Match(r *http.Request) (*routers.Route, map[string]string, error) {
	return c.router.FindRoute(r)
}

// Validate checks r (parameters, body, content type) against route; security is the
// fake's own business and is not checked here. body is r's body, which is restored
// for the handler afterwards. The error is on one line, fit for an error answer.
func Validate(r *http.Request, route *routers.Route, params map[string]string, body []byte) error {
	r.Body = io.NopCloser(bytes.NewReader(body))
	defer func() { r.Body = io.NopCloser(bytes.NewReader(body)) }()
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return fmt.Errorf("%s", OneLine(err.Error()))
	}
	return nil
}

// ReadBody reads r's body (at most 4 MiB) and puts it back, so it can be read again.
func ReadBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// Serve answers a validated request with handle, under the fault f (nil for none):
// a fault without After replaces the answer; with After, handle runs first (the
// vendor did the work) and the answer is then lost (Reset) or replaced.
func Serve(w http.ResponseWriter, r *http.Request, f *Fault, handle func(http.ResponseWriter)) {
	if f == nil {
		handle(w)
		return
	}
	if !f.After {
		if !Apply(w, r, f) {
			handle(w)
		}
		return
	}
	rw := httptest.NewRecorder()
	handle(rw)
	if f.Reset {
		Reset(w)
		return
	}
	if Apply(w, r, f) {
		return
	}
	for k, v := range rw.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rw.Code)
	_, _ = w.Write(rw.Body.Bytes())
}

// OneLine folds s onto one line of at most 400 bytes, for error messages in answers.
func OneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// ReplaceFormat renames the string format from to to in every schema of doc: its
// components, its operations' parameters, and the properties, items and
// compositions within them. It is for a vendor whose values do not match the format
// its own document names (Dayforce sends date-times without an offset).
func ReplaceFormat(doc *openapi3.T, from, to string) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Format == from {
			s.Format = to
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		for _, x := range append(append(append([]*openapi3.SchemaRef(nil), s.AllOf...), s.AnyOf...), s.OneOf...) {
			walk(x)
		}
	}
	for _, sc := range doc.Components.Schemas {
		walk(sc)
	}
	for _, p := range doc.Paths.Map() {
		for _, op := range p.Operations() {
			for _, pr := range op.Parameters {
				if pr.Value != nil {
					walk(pr.Value.Schema)
				}
			}
		}
	}
}

// Call is one request a fake answers through its operations interface (each
// fake's generated operations.gen.go): where the method answers and what it reads.
type Call struct {
	W    http.ResponseWriter
	R    *http.Request
	Q    url.Values
	Body []byte
}

// NewCall is the Call of a request whose body was read already.
func NewCall(w http.ResponseWriter, r *http.Request, body []byte) *Call {
	return &Call{W: w, R: r, Q: r.URL.Query(), Body: body}
}
