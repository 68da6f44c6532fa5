package connector

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/resilience"
)

type item struct {
	ID string `json:"id"`
}

// TestInvoke holds the call path to what every connector relies on: the request it
// builds, and how each kind of answer comes back.
func TestInvoke(t *testing.T) {
	type seen struct{ method, uri, ctype, key, body string }
	cases := []struct {
		name    string
		req     Request
		answer  func(w http.ResponseWriter)
		want    item
		seen    seen
		kind    error  // the error's class, nil for success
		code    string // the refusal's code
		audited int    // the audit record's status
	}{
		{name: "a read with escaped path parameters and the query's set values only",
			req: Request{Op: "GET /api/items/{id}/parts/{part}", Params: []string{"a b/c", "p?1"},
				Query: Query("cursor", "", "limit", Int(5), "since", "")},
			answer: func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"id":"x"}`) },
			want:   item{ID: "x"}, seen: seen{method: "GET", uri: "/base/api/items/a%20b%2Fc/parts/p%3F1?limit=5"}, audited: 200},
		{name: "a JSON body with its headers",
			req: Request{Op: "POST /api/items", Header: Headers("Idempotency-Key", "k-1", "If-Match", ""), Body: item{ID: "new"}},
			answer: func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"id":"new"}`)
			},
			want: item{ID: "new"}, seen: seen{method: "POST", uri: "/base/api/items", ctype: "application/json", key: "k-1", body: `{"id":"new"}`},
			audited: 201},
		{name: "a relative route is joined to the base",
			req:    Request{Op: "GET Employees/{x}", Params: []string{"E1"}},
			answer: func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"id":"e"}`) },
			want:   item{ID: "e"}, seen: seen{method: "GET", uri: "/base/Employees/E1"}, audited: 200},
		{name: "a refusal is mapped by Refused, with Retry-After",
			req: Request{Op: "GET /api/items"},
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(http.StatusConflict)
				_, _ = io.WriteString(w, `{"code":"busy"}`)
			},
			seen: seen{method: "GET", uri: "/base/api/items"}, kind: connectors.ErrConflict, code: "busy", audited: 409},
		{name: "an empty 2xx body is an answer cut short",
			req:    Request{Op: "GET /api/items"},
			answer: func(w http.ResponseWriter) {},
			seen:   seen{method: "GET", uri: "/base/api/items"}, kind: connectors.ErrUnavailable, audited: 200},
		{name: "unless the operation allows it",
			req:    Request{Op: "PATCH /api/items", AllowEmpty: true},
			answer: func(w http.ResponseWriter) {},
			seen:   seen{method: "PATCH", uri: "/base/api/items"}, audited: 200},
		{name: "a malformed body is undecodable",
			req:    Request{Op: "GET /api/items"},
			answer: func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"id":`) },
			seen:   seen{method: "GET", uri: "/base/api/items"}, kind: connectors.ErrUnavailable, audited: 200},
		{name: "a method for an RPC name, and a body already encoded",
			req: Request{Op: "ProcessXML.cgi Sale", Method: http.MethodPost, Raw: []byte("<x/>"), ContentType: "application/xml",
				Decode: func(b []byte, out any) error { out.(*item).ID = string(b); return nil }},
			answer: func(w http.ResponseWriter) { _, _ = io.WriteString(w, "ok") },
			want:   item{ID: "ok"}, seen: seen{method: "POST", uri: "/gateway/ProcessXML.cgi", ctype: "application/xml", body: "<x/>"},
			audited: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got seen
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got = seen{method: r.Method, uri: r.RequestURI, ctype: r.Header.Get("Content-Type"), key: r.Header.Get("Idempotency-Key"), body: string(b)}
				assert.Empty(t, r.Header.Get("If-Match"), "an empty header is not sent")
				tc.answer(w)
			}))
			defer srv.Close()
			e, records := endpoint(t, srv)
			if tc.req.Method != "" {
				tc.req.URL = srv.URL + "/gateway/ProcessXML.cgi"
			}
			v, _, err := Invoke[item](context.Background(), e, tc.req)
			assert.Equal(t, tc.seen, got)
			require.Len(t, *records, 1, "one audit record per operation")
			assert.Equal(t, tc.audited, (*records)[0].StatusCode)
			if tc.kind == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, v)
				return
			}
			require.ErrorIs(t, err, tc.kind)
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, 1, ae.Attempts)
			if tc.code != "" {
				assert.Equal(t, "7s", ae.RetryAfter.String())
			}
		})
	}
}

// TestExchangeMoved sends a moved request once more, built anew (Edit routes it),
// and gives up on a second move.
func TestExchangeMoved(t *testing.T) {
	for _, moves := range []int{1, 2} {
		hits := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits++
			if hits <= moves {
				w.WriteHeader(http.StatusFound)
				return
			}
			assert.Equal(t, "2", r.Header.Get("X-Route"), "built again after the move")
			_, _ = io.WriteString(w, `{"id":"here"}`)
		}))
		e, _ := endpoint(t, srv)
		routed := 0
		e.Edit = func(r *http.Request) error { routed++; r.Header.Set("X-Route", string(rune('0'+routed))); return nil }
		e.Moved = func(resp *http.Response) bool { return resp.StatusCode == http.StatusFound }
		v, _, err := Invoke[item](context.Background(), e, Request{Op: "GET /x"})
		if moves == 1 {
			require.NoError(t, err)
			assert.Equal(t, "here", v.ID)
		} else {
			require.ErrorIs(t, err, connectors.ErrUnavailable)
		}
		assert.Equal(t, 2, hits)
		srv.Close()
	}
}

// TestExchangeKeepsTheSDKsErrors returns an error of Edit as it is.
func TestExchangeKeepsTheSDKsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("nothing is sent") }))
	defer srv.Close()
	e, _ := endpoint(t, srv)
	mine := &connectors.APIError{System: "x", Operation: "discover", Kind: connectors.ErrUnauthorized}
	e.Edit = func(*http.Request) error { return mine }
	_, _, err := Invoke[item](context.Background(), e, Request{Op: "GET /x"})
	assert.True(t, errors.Is(err, connectors.ErrUnauthorized))
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.Same(t, mine, ae)
}

type auditSink []connectors.AuditEvent

func (s *auditSink) Audit(_ context.Context, ev connectors.AuditEvent) { *s = append(*s, ev) }

func endpoint(t *testing.T, srv *httptest.Server) (*Endpoint, *auditSink) {
	t.Helper()
	base, err := url.Parse(srv.URL + "/base")
	require.NoError(t, err)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	hc, err := Build(Stack{System: "test", Policy: resilience.Policy{}}, Apply([]Option{WithHTTPClient(&http.Client{Transport: tr})},
		func(o Option) Option { return o }), base)
	require.NoError(t, err)
	sink := &auditSink{}
	return &Endpoint{Auditor: Auditor{System: "test", A: sink}, HTTP: hc, Base: base,
		Refused: func(op string, status int, body []byte, hdr http.Header) *connectors.APIError {
			var p struct{ Code string }
			_ = json.Unmarshal(body, &p)
			ae := Problem("test", op, status, p.Code, "", "", "", hdr)
			if status == http.StatusConflict {
				ae.Kind = connectors.ErrConflict
			}
			return ae
		}}, sink
}
