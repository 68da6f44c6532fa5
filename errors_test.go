package connectors_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"encoding/json"
	"github.com/dispatchcenter/connectors"
)

func TestAPIErrorMatchesItsSentinel(t *testing.T) {
	cases := []struct {
		status int
		kind   error
		want   error
	}{
		{404, nil, connectors.ErrNotFound}, {410, nil, connectors.ErrNotFound},
		{401, nil, connectors.ErrUnauthorized}, {403, nil, connectors.ErrForbidden},
		{409, nil, connectors.ErrConflict}, {400, nil, connectors.ErrInvalidRequest},
		{422, nil, connectors.ErrInvalidRequest}, {429, nil, connectors.ErrRateLimited},
		{408, nil, connectors.ErrTimeout}, {504, nil, connectors.ErrTimeout},
		{500, nil, connectors.ErrUnavailable}, {503, nil, connectors.ErrUnavailable},
		// vendors that report failures in a 200 set Kind from their codes
		{200, connectors.ErrUnauthorized, connectors.ErrUnauthorized},
		{400, connectors.ErrNotFound, connectors.ErrNotFound},
	}
	for _, tc := range cases {
		err := fmt.Errorf("wrapped: %w", &connectors.APIError{System: "geotab", StatusCode: tc.status, Kind: tc.kind})
		assert.ErrorIs(t, err, tc.want, "%d", tc.status)
		var ae *connectors.APIError
		assert.ErrorAs(t, err, &ae)
	}
	assert.NotErrorIs(t, &connectors.APIError{StatusCode: 400, Kind: connectors.ErrNotFound}, connectors.ErrInvalidRequest)
	assert.Nil(t, connectors.SentinelForStatus(200))
	assert.Nil(t, connectors.SentinelForStatus(418))
}

func TestAPIErrorMessage(t *testing.T) {
	cause := errors.New("dial tcp: refused")
	cases := []struct {
		err  *connectors.APIError
		want string
	}{
		{&connectors.APIError{System: "dayforce", Operation: "GET /Employees", StatusCode: 400, Code: "InvalidXRefCode", Message: "unknown employee", Attempts: 1},
			"dayforce: GET /Employees: 400 Bad Request [InvalidXRefCode]: unknown employee"},
		{&connectors.APIError{System: "reach", StatusCode: 503, Attempts: 6}, "reach: 503 Service Unavailable (after 6 attempts)"},
		{&connectors.APIError{System: "merchant", Operation: "capture", Err: cause}, "merchant: capture: failed: dial tcp: refused"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.err.Error())
	}
	assert.ErrorIs(t, cases[2].err, cause)
}

func TestAuditFuncAndActor(t *testing.T) {
	var got connectors.AuditEvent
	var a connectors.Auditor = connectors.AuditFunc(func(ctx context.Context, ev connectors.AuditEvent) {
		ev.Actor = connectors.ActorFrom(ctx)
		got = ev
	})
	ctx := connectors.WithActor(context.Background(), "dispatch-api")
	a.Audit(ctx, connectors.AuditEvent{System: "geotab", Operation: "Get Device", Duration: time.Second, Class: connectors.ClassPersonal})
	assert.Equal(t, "dispatch-api", got.Actor)
	assert.Equal(t, connectors.ClassPersonal, got.Class)
	assert.Equal(t, "", connectors.ActorFrom(context.Background()))
}

// Every connector's errors are inspected the same way.
func ExampleAPIError() {
	var err error = fmt.Errorf("listing employees: %w", &connectors.APIError{
		System: "dayforce", Operation: "GET /Employees/{xRefCode}", StatusCode: 400,
		Code: "InvalidXRefCode", Kind: connectors.ErrNotFound, RequestID: "req-42",
	})
	var apiErr *connectors.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	}
	fmt.Println(errors.Is(err, connectors.ErrNotFound))
	// Output:
	// 400 InvalidXRefCode req-42
	// true
}

// A JSON merge patch field: left zero it is not sent, Set changes the value, Clear
// sends null and removes it.
func ExampleSet() {
	type patch struct {
		Category connectors.Nullable[string] `json:"category,omitzero"`
		Note     connectors.Nullable[string] `json:"note,omitzero"`
		Owner    connectors.Nullable[string] `json:"owner,omitzero"`
	}
	b, _ := json.Marshal(patch{Category: connectors.Set("hvac"), Note: connectors.Clear[string]()})
	fmt.Println(string(b))
	// Output: {"category":"hvac","note":null}
}
