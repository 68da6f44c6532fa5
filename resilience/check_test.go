package resilience

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type bodyErr struct {
	msg   string
	retry bool
}

func (e *bodyErr) Error() string   { return e.msg }
func (e *bodyErr) Retryable() bool { return e.retry }

// checkBody reports failures that arrive inside a 200, leaving the body readable.
func checkBody(resp *http.Response) error {
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	switch string(b) {
	case "over limit":
		return &bodyErr{msg: "over limit", retry: true}
	case "bad argument":
		return &bodyErr{msg: "bad argument"}
	}
	return nil
}

func TestResponseCheck(t *testing.T) {
	overLimit := step{status: 200, header: http.Header{"Retry-After": {"4"}}, body: "over limit"}
	cases := []struct {
		name      string
		steps     []step
		ctx       func(context.Context) context.Context
		wantCalls int
		wantBody  string
		wantErr   string
		wantSleep []time.Duration
	}{
		{name: "retryable failure in a 200 is retried with Retry-After", steps: []step{overLimit, {status: 200, body: "result"}},
			wantCalls: 2, wantBody: "result", wantSleep: []time.Duration{4 * time.Second}},
		{name: "exhausted keeps the cause", steps: []step{overLimit},
			wantCalls: 3, wantErr: "over limit", wantSleep: []time.Duration{4 * time.Second, 4 * time.Second}},
		{name: "final failure ends the call", steps: []step{{status: 200, body: "bad argument"}}, wantCalls: 1, wantErr: "bad argument"},
		{name: "not idempotent: not retried", steps: []step{overLimit}, ctx: func(c context.Context) context.Context { return c },
			wantCalls: 1, wantErr: "over limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.steps...)
			fc := newFake()
			c := testClient(t, fixedPolicy(2), fc, WithResponseCheck(checkBody))
			ctx := Idempotent(context.Background())
			if tc.ctx != nil {
				ctx = tc.ctx(context.Background())
			}
			resp, err := post(t, c, ctx, s.srv.URL, `{"method":"Get"}`, nil)
			assert.Equal(t, tc.wantCalls, s.calls())
			assert.Equal(t, tc.wantSleep, nilIfEmpty(fc.Sleeps()))
			if tc.wantErr != "" {
				require.Error(t, err)
				var be *bodyErr
				require.True(t, errors.As(err, &be), "the check's error is the cause: %v", err)
				assert.Equal(t, tc.wantErr, be.msg)
				var ce *CallError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tc.wantErr, string(ce.Response.Body), "the last body is kept")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantBody, readClose(t, resp))
		})
	}
}
