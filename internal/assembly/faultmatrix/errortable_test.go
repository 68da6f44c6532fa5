package faultmatrix_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/treadnet"
)

// errorRow is one row of the error table in the root package's doc: a cause, what
// every connector's error matches, and whether a later call may succeed.
type errorRow struct {
	cause string
	// fault is what the fake answers to the read (Times 100: every attempt).
	fault fakekit.Fault
	// ctx makes the caller's context for the read (nil: context.Background()).
	ctx       func() (context.Context, context.CancelFunc)
	want      []error
	retryable bool
}

var errorTable = []errorRow{
	{cause: "400 Bad Request", fault: fakekit.Fault{Status: 400}, want: []error{connectors.ErrInvalidRequest}},
	{cause: "401 Unauthorized, however often the credentials are renewed", fault: fakekit.Fault{Status: 401}, want: []error{connectors.ErrUnauthorized}},
	{cause: "403 Forbidden", fault: fakekit.Fault{Status: 403}, want: []error{connectors.ErrForbidden}},
	{cause: "404 Not Found", fault: fakekit.Fault{Status: 404}, want: []error{connectors.ErrNotFound}},
	{cause: "409 Conflict", fault: fakekit.Fault{Status: 409}, want: []error{connectors.ErrConflict}},
	{cause: "429 asking for an hour", fault: fakekit.Fault{Status: 429, RetryAfter: 3600}, want: []error{connectors.ErrRateLimited}, retryable: true},
	{cause: "5xx after the retries", fault: fakekit.Fault{Status: 503}, want: []error{connectors.ErrUnavailable}, retryable: true},
	{cause: "connection reset", fault: fakekit.Fault{Reset: true}, want: []error{connectors.ErrUnavailable}, retryable: true},
	{cause: "malformed answer", fault: fakekit.Fault{Malformed: true, After: true}, want: []error{connectors.ErrUnavailable}, retryable: true},
	{cause: "the caller's deadline", fault: fakekit.Fault{Delay: time.Minute},
		ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), timeoutCall)
		},
		want: []error{connectors.ErrTimeout, context.DeadlineExceeded}, retryable: true},
	{cause: "the caller cancelled", ctx: func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	}, want: []error{context.Canceled}},
}

// TestErrorTable checks every row of the error table (connectors' package doc)
// against every connector's read: the same cause matches the same sentinels, as an
// *APIError whose Retryable is the row's, with the attempts made.
func TestErrorTable(t *testing.T) {
	for _, row := range errorTable {
		for _, sys := range systems {
			t.Run(row.cause+"/"+sys.name, func(t *testing.T) {
				var mu sync.Mutex
				var sent int
				e := sys.start(t, sendCounter{mu: &mu, sent: &sent})
				require.NoError(t, e.read(context.Background()), "warm-up")
				if row.fault != (fakekit.Fault{}) {
					f := row.fault
					f.Times = 100
					e.fail(e.readOp, f)
				}
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if row.ctx != nil {
					ctx, cancel = row.ctx()
				}
				defer cancel()
				err := e.read(ctx)
				require.Error(t, err)
				for _, w := range row.want {
					assert.ErrorIs(t, err, w)
				}
				var ae *connectors.APIError
				require.ErrorAs(t, err, &ae, "every failure is an *APIError: %v", err)
				assert.Equal(t, row.retryable, ae.Retryable, "Retryable: %v", err)
				if row.ctx == nil || errors.Is(err, context.DeadlineExceeded) {
					assert.Positive(t, ae.Attempts, "the attempts made: %v", err)
				}
			})
		}
	}
}

// A Config that New refuses is a *connectors.ConfigError, matching
// ErrInvalidConfig, in every connector.
func TestErrorTableInvalidConfig(t *testing.T) {
	news := map[string]func() error{
		"reach":    func() error { _, err := reach.New(reach.Config{}); return err },
		"geotab":   func() error { _, err := geotab.New(geotab.Config{}); return err },
		"dayforce": func() error { _, err := dayforce.New(dayforce.Config{}); return err },
		"maddenco": func() error { _, err := maddenco.New(maddenco.Config{}); return err },
		"merchant": func() error { _, err := merchant.New(merchant.Config{}); return err },
		"treadnet": func() error { _, err := treadnet.New(treadnet.Config{}); return err },
	}
	for name, newClient := range news {
		t.Run(name, func(t *testing.T) {
			err := newClient()
			require.ErrorIs(t, err, connectors.ErrInvalidConfig)
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, name, ce.System)
			assert.NotEmpty(t, ce.Problems)
			assert.True(t, strings.HasPrefix(err.Error(), name+": invalid config: "), err.Error())
		})
	}
}

// A vendor that refuses connections (nothing listens) is ErrUnavailable and
// retryable in every connector, once the retries ran out.
func TestErrorTableConnectionRefused(t *testing.T) {
	for _, sys := range systems {
		t.Run(sys.name, func(t *testing.T) {
			var mu sync.Mutex
			var sent int
			e := sys.start(t, sendCounter{mu: &mu, sent: &sent})
			require.NoError(t, e.read(context.Background()), "warm-up")
			e.down()
			err := e.read(context.Background())
			require.ErrorIs(t, err, connectors.ErrUnavailable)
			assert.NotErrorIs(t, err, connectors.ErrTimeout)
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.True(t, ae.Retryable, "%v", err)
			assert.Positive(t, ae.Attempts)
		})
	}
}

// A host whose breaker is open is ErrCircuitOpen, and retryable (the breaker lets a
// probe through after its open time), in every connector: nothing is sent.
func TestErrorTableCircuitOpen(t *testing.T) {
	for _, sys := range systems {
		t.Run(sys.name, func(t *testing.T) {
			var mu sync.Mutex
			var sent int
			e := sys.start(t, sendCounter{mu: &mu, sent: &sent, breaker: true}) // the connector's own breaker
			require.NoError(t, e.read(context.Background()), "warm-up")
			e.fail(e.readOp, fakekit.Fault{Status: 503, Times: 1000})
			var err error
			for range 6 { // the integration design's breaker opens after 5 failed calls
				if err = e.read(context.Background()); errors.Is(err, connectors.ErrCircuitOpen) {
					break
				}
			}
			require.ErrorIs(t, err, connectors.ErrCircuitOpen)
			before := e.seen()
			err = e.read(context.Background())
			require.ErrorIs(t, err, connectors.ErrCircuitOpen)
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.True(t, ae.Retryable, "%v", err)
			assert.Equal(t, before, e.seen(), "nothing sent")
		})
	}
}
