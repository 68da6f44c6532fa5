package faultmatrix_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/maddenco/maddencotest"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fault is one column of the matrix.
type fault struct {
	name   string
	f      fakekit.Fault
	expire bool // expire the credentials instead
}

var faults = []fault{
	{name: "500", f: fakekit.Fault{Status: 500}},
	{name: "502", f: fakekit.Fault{Status: 502}},
	{name: "503", f: fakekit.Fault{Status: 503}},
	{name: "429 Retry-After seconds", f: fakekit.Fault{Status: 429, RetryAfter: 2}},
	{name: "429 Retry-After date", f: fakekit.Fault{Status: 429, RetryAfterDate: time.Now().Add(3 * time.Second)}},
	{name: "reset before the answer", f: fakekit.Fault{Reset: true}},
	{name: "reset after commit", f: fakekit.Fault{Reset: true, After: true}},
	{name: "timeout", f: fakekit.Fault{Delay: time.Minute}},
	{name: "truncated body", f: fakekit.Fault{Truncate: true, After: true}},
	{name: "malformed body", f: fakekit.Fault{Malformed: true, After: true}},
	{name: "expired token", expire: true},
}

// timeoutCall bounds the timeout column's call: the fake holds its answer until the
// client gives up.
const timeoutCall = 300 * time.Millisecond

// env is one connector against a fresh fake.
type env struct {
	// fail queues f for the fake's operation op; expire expires the credentials.
	fail   func(op string, f fakekit.Fault)
	expire func()
	// down stops the fake: nothing listens any more
	down func()
	// seen counts the API requests the fake received.
	seen func() int
	// effects counts the mutation's effects in the fake's state.
	effects func() int
	// read and mutate run the operations; settle is the caller's documented way to
	// settle an error of mutate (ErrOutcomeUnknown or another failure).
	read, mutate     func(ctx context.Context) error
	settle           func(ctx context.Context, err error) error
	readOp, mutateOp string
}

// system is one row of the matrix.
type system struct {
	name string
	// noToken: the connector has no credential that expires (an API key).
	noToken bool
	// mutates: the connector has a mutating operation (treadnet only reads).
	mutates bool
	// idempotentMutation: the mutation is idempotent by method (PUT): a lost answer
	// is ErrUnavailable, and the caller simply repeats it.
	idempotentMutation bool
	// unretriedMutation: the mutation takes no idempotency key and is never sent
	// again by the SDK (MyGeotab's Add).
	unretriedMutation bool
	start             func(t *testing.T, opts sendCounter) env
}

// sendCounter sums what the SDK reports as sent (CallInfo.Sent); it also says
// whether the connector keeps its default breaker (see policy).
type sendCounter struct {
	mu      *sync.Mutex
	sent    *int
	breaker bool
}

// policy is the connector's policy p for a cell: without the breaker, so that each
// cell sees the vendor's answers, unless the test is about the breaker.
func (s sendCounter) policy(p resilience.Policy) resilience.Policy {
	if !s.breaker {
		p.Breaker = resilience.BreakerPolicy{}
	}
	return p
}

func (s sendCounter) hooks() resilience.Hooks {
	return resilience.Hooks{OnCall: func(ci resilience.CallInfo) {
		s.mu.Lock()
		*s.sent += ci.Sent
		s.mu.Unlock()
	}}
}

func (s sendCounter) get() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.sent
}

func transport(t *testing.T) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func count[T any](reqs []T, keep func(T) bool) int {
	n := 0
	for _, r := range reqs {
		if keep(r) {
			n++
		}
	}
	return n
}

var systems = []system{
	{name: "reach", mutates: true, start: func(t *testing.T, sc sendCounter) env {
		srv := reachtest.NewServer(t)
		c, err := reach.New(srv.Config(), reach.WithHTTPClient(transport(t)), reach.WithClock(clock.NewFake(time.Now())),
			reach.WithPolicy(sc.policy(resilience.Critical())), reach.WithHooks(sc.hooks()))
		require.NoError(t, err)
		in := reach.NewServiceRequest{CustomerID: "C00001", Description: "fault matrix", Priority: reach.PriorityHigh}
		before := srv.CountServiceRequests()
		return env{
			down: srv.Close,
			fail: func(op string, f fakekit.Fault) { f.Match = op; srv.Fail(f) }, expire: srv.ExpireTokens,
			seen: func() int {
				return count(srv.Requests(), func(r reachtest.Request) bool { return r.Path != "/oauth/token" })
			},
			effects: func() int { return srv.CountServiceRequests() - before },
			read:    func(ctx context.Context) error { _, err := c.ServiceRequest(ctx, "SR000001"); return err },
			mutate:  func(ctx context.Context) error { _, err := c.CreateServiceRequest(ctx, in); return err },
			settle: func(ctx context.Context, err error) error {
				var ae *connectors.APIError
				if !errors.Is(err, connectors.ErrOutcomeUnknown) || !errors.As(err, &ae) {
					return err
				}
				_, err = c.CreateServiceRequest(ctx, in, reach.WithIdempotencyKey(ae.IdempotencyKey))
				return err
			},
			readOp: "getServiceRequest", mutateOp: "createServiceRequest",
		}
	}},
	{name: "merchant", mutates: true, start: func(t *testing.T, sc sendCounter) env {
		srv := merchanttest.NewServer(t)
		c, err := merchant.New(srv.Config(), merchant.WithClock(clock.NewFake(time.Now())),
			merchant.WithPolicy(sc.policy(resilience.Critical())), merchant.WithHooks(sc.hooks()))
		require.NoError(t, err)
		t.Cleanup(c.Close)
		tok, err := c.Tokenize(context.Background(), merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVV: "123"})
		require.NoError(t, err)
		tx, err := c.Sale(context.Background(), merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 100, Currency: "USD"}, OrderNumber: "SEED-1"})
		require.NoError(t, err)
		// a sale on the XML interface: its order number is the key of the gateway's
		// duplicate detection, so a repeat after an unknown outcome is the original
		a := merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 18950, Currency: "USD"}, OrderNumber: "INV-7001"}
		before := srv.Payments()
		return env{
			down: srv.Close,
			fail: func(op string, f fakekit.Fault) { f.Match = op; srv.Fail(f) }, expire: srv.ExpireTokens,
			seen: func() int {
				return count(srv.Requests(), func(r merchanttest.Request) bool { return r.Path != "/oauth/token" })
			},
			effects: func() int { return srv.Payments() - before },
			read:    func(ctx context.Context) error { _, err := c.Transaction(ctx, tx.ID); return err },
			mutate:  func(ctx context.Context) error { _, err := c.Sale(ctx, a); return err },
			settle: func(ctx context.Context, err error) error {
				if !errors.Is(err, connectors.ErrOutcomeUnknown) {
					return err
				}
				_, err = c.Sale(ctx, a)
				return err
			},
			readOp: "getTransaction", mutateOp: "profilesale",
		}
	}},
	{name: "dayforce", mutates: true, start: func(t *testing.T, sc sendCounter) env {
		srv := dayforcetest.NewServer(t)
		c, err := dayforce.New(srv.Config(), dayforce.WithHTTPClient(transport(t)), dayforce.WithClock(clock.NewFake(time.Now())),
			dayforce.WithPolicy(sc.policy(resilience.Standard())), dayforce.WithHooks(sc.hooks()))
		require.NoError(t, err)
		badge := srv.Badge("E0009")
		p := dayforce.Punch{Badge: badge, Time: time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC), Type: dayforce.PunchIn}
		before := len(srv.Punches(badge))
		return env{
			down: srv.Close,
			fail: func(op string, f fakekit.Fault) { f.Match = op; srv.Fail(f) }, expire: srv.ExpireTokens,
			seen: func() int {
				return count(srv.Requests(), func(r dayforcetest.Request) bool { return !strings.Contains(r.Path, "/connect/token") })
			},
			effects: func() int { return len(srv.Punches(badge)) - before },
			read: func(ctx context.Context) error {
				_, err := c.Employee(ctx, "E0009", dayforce.EmployeeOptions{})
				return err
			},
			mutate: func(ctx context.Context) error { _, err := c.PostPunch(ctx, p, dayforce.WriteOptions{}); return err },
			settle: func(ctx context.Context, err error) error {
				if !errors.Is(err, connectors.ErrOutcomeUnknown) {
					return err
				}
				_, err = c.PostPunch(ctx, p, dayforce.WriteOptions{CheckFirst: true})
				return err
			},
			readOp: "getEmployee", mutateOp: "postEmployeeRawPunch",
		}
	}},
	{name: "maddenco", noToken: true, mutates: true, idempotentMutation: true, start: func(t *testing.T, sc sendCounter) env {
		srv := maddencotest.NewServer(t)
		p := sc.policy(resilience.Standard())
		p.Cache = resilience.CachePolicy{} // the matrix asks the vendor, not the stale cache
		c, err := maddenco.New(srv.Config(), maddenco.WithHTTPClient(transport(t)), maddenco.WithClock(clock.NewFake(time.Now())),
			maddenco.WithPolicy(p), maddenco.WithHooks(sc.hooks()))
		require.NoError(t, err)
		wc := maddenco.WorkOrderCompletion{Status: maddenco.WorkOrderCompletionStatusCompleted, CompletedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
			EquipmentIDs: []string{maddencotest.EquipmentID(1)}}
		return env{
			down:    srv.Close,
			fail:    func(op string, f fakekit.Fault) { f.Match = op; srv.Fail(f) },
			seen:    func() int { return len(srv.Requests()) },
			effects: func() int { _, ok := srv.Completion("SR000900"); return map[bool]int{true: 1}[ok] },
			read:    func(ctx context.Context) error { _, err := c.Equipment(ctx, maddencotest.EquipmentID(1)); return err },
			mutate:  func(ctx context.Context) error { _, err := c.ReportCompletion(ctx, "SR000900", wc); return err },
			settle: func(ctx context.Context, _ error) error {
				_, err := c.ReportCompletion(ctx, "SR000900", wc) // a PUT: repeating it is safe
				return err
			},
			readOp: "getEquipment", mutateOp: "putWorkOrderCompletion",
		}
	}},
	{name: "treadnet", noToken: true, start: func(t *testing.T, sc sendCounter) env {
		srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
		c, err := treadnet.New(srv.Config(), treadnet.WithClock(clock.NewFake(time.Now())),
			treadnet.WithPolicy(sc.policy(resilience.Monitoring())), treadnet.WithHooks(sc.hooks()))
		require.NoError(t, err)
		t.Cleanup(c.Close)
		return env{
			down:   srv.Close,
			fail:   func(op string, f fakekit.Fault) { f.Match = op; srv.Fail(f) },
			seen:   func() int { return len(srv.Requests()) },
			read:   func(ctx context.Context) error { _, err := c.NetworkStatus(ctx); return err },
			readOp: "getNetworkStatus",
		}
	}},
	{name: "geotab", mutates: true, unretriedMutation: true, start: func(t *testing.T, sc sendCounter) env {
		srv := geotabtest.NewServer(t)
		c, err := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL), geotab.WithHTTPClient(transport(t)),
			geotab.WithClock(clock.NewFake(time.Now())), geotab.WithPolicy(sc.policy(resilience.Standard())), geotab.WithHooks(sc.hooks()))
		require.NoError(t, err)
		zone := geotab.Zone{Name: "Job SR000777", Points: []geotab.Coordinate{{X: -79.38, Y: 43.65}, {X: -79.37, Y: 43.65},
			{X: -79.37, Y: 43.66}, {X: -79.38, Y: 43.65}}}
		zones := func(ctx context.Context) (int, error) {
			zs, err := c.Zones(ctx, geotab.ZoneSearch{Name: zone.Name})
			return len(zs), err
		}
		return env{
			down: srv.Close,
			fail: func(op string, f fakekit.Fault) {
				srv.Fail(geotabtest.Fault{Method: op, Times: f.Times, Status: f.Status, RetryAfter: f.RetryAfter, Delay: f.Delay, Reset: f.Reset,
					Truncate: f.Truncate, Malformed: f.Malformed, After: f.After})
			},
			expire:  srv.ExpireSessions,
			seen:    func() int { return len(srv.Requests()) },
			effects: func() int { n, _ := zones(context.Background()); return n },
			read:    func(ctx context.Context) error { _, err := c.Devices(ctx, geotab.DeviceSearch{}); return err },
			mutate:  func(ctx context.Context) error { _, err := c.AddZone(ctx, zone); return err },
			settle: func(ctx context.Context, _ error) error {
				// MyGeotab's Add takes no key: look the zone up by name, add it if absent
				n, err := zones(ctx)
				if err != nil || n > 0 {
					return err
				}
				_, err = c.AddZone(ctx, zone)
				return err
			},
			readOp: "Get", mutateOp: "Add",
		}
	}},
}

// want is a cell's expected first outcome: nil for success (after the SDK's own
// retries or reconciliation), else the sentinel the error matches.
func want(sys system, mutation bool, f fault) error {
	lost := f.name == "timeout" || f.name == "truncated body" || f.name == "malformed body"
	switch {
	case !mutation && f.name == "timeout":
		return connectors.ErrTimeout
	case !mutation && lost:
		return connectors.ErrUnavailable
	case !mutation:
		return nil
	case sys.idempotentMutation && f.name == "timeout":
		return connectors.ErrTimeout // a PUT: the caller repeats it
	case sys.idempotentMutation && lost:
		return connectors.ErrUnavailable
	case sys.name == "dayforce" && f.name != "timeout":
		return nil // no key: PostPunch looks for the punch and settles it itself
	case sys.name == "merchant" && f.name != "timeout":
		return nil // no key: the sale is sent again, and the gateway's duplicate detection answers with the original
	case sys.unretriedMutation:
		// MyGeotab's Add has no key, so the SDK does not send it again: a refusal is
		// known (503, 429), anything else that reached it is unknown
		switch f.name {
		case "503":
			return connectors.ErrUnavailable
		case "429 Retry-After seconds", "429 Retry-After date":
			return connectors.ErrRateLimited
		case "expired token":
			return nil
		}
		return connectors.ErrOutcomeUnknown
	case lost:
		return connectors.ErrOutcomeUnknown
	}
	return nil
}

func TestFaultMatrix(t *testing.T) {
	for _, sys := range systems {
		for _, mutation := range []bool{false, true} {
			for _, f := range faults {
				kind := "read"
				if mutation {
					kind = "mutation"
				}
				if f.expire && sys.noToken || mutation && !sys.mutates {
					continue // no credential that expires (an API key, a certificate), or no mutation
				}
				t.Run(sys.name+"/"+kind+"/"+f.name, func(t *testing.T) {
					var mu sync.Mutex
					var sent int
					sc := sendCounter{mu: &mu, sent: &sent}
					e := sys.start(t, sc)
					op, run := e.readOp, e.read
					if mutation {
						op, run = e.mutateOp, e.mutate
					}
					ctx := context.Background()
					require.NoError(t, e.read(ctx), "warm-up: sign-in and discovery before the fault")
					sent0, seen0, effects0 := sc.get(), e.seen(), 0
					if e.effects != nil {
						effects0 = e.effects()
					}
					if f.expire {
						e.expire()
					} else {
						e.fail(op, f.f)
					}
					callCtx := ctx
					if f.name == "timeout" {
						var cancel context.CancelFunc
						callCtx, cancel = context.WithTimeout(ctx, timeoutCall)
						defer cancel()
					}
					err := run(callCtx)
					expected := want(sys, mutation, f)
					if expected == nil {
						require.NoError(t, err)
					} else {
						require.ErrorIs(t, err, expected)
						var ae *connectors.APIError
						require.ErrorAs(t, err, &ae)
						assert.False(t, errors.Is(err, connectors.ErrOutcomeUnknown) && ae.Retryable, "an unknown outcome is never retryable as a new call")
					}
					if mutation && err != nil {
						require.NoError(t, e.settle(ctx, err), "settled as documented")
					}
					assert.Equal(t, e.seen()-seen0, sc.get()-sent0, "the requests the SDK counted as sent are the requests the fake saw")
					if mutation && e.effects != nil {
						assert.Equal(t, 1, e.effects()-effects0, "one effect, not two")
					}
				})
			}
		}
	}
}

// TestPersistentResetsAreUnavailable: a vendor that resets every connection is
// ErrUnavailable in every connector, whether retrying then stopped because the next
// wait would pass the deadline or because the breaker opened (it was ErrTimeout or
// ErrCircuitOpen in five connectors of six).
func TestPersistentResetsAreUnavailable(t *testing.T) {
	for _, sys := range systems {
		t.Run(sys.name, func(t *testing.T) {
			var mu sync.Mutex
			var sent int
			sc := sendCounter{mu: &mu, sent: &sent, breaker: true} // the connector's own breaker
			e := sys.start(t, sc)
			ctx := context.Background()
			require.NoError(t, e.read(ctx), "warm-up")
			e.fail(e.readOp, fakekit.Fault{Reset: true, Times: 100})
			err := e.read(ctx)
			require.ErrorIs(t, err, connectors.ErrUnavailable)
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, connectors.ErrUnavailable, ae.Kind, "the class is the network's failure: %v", err)
			assert.True(t, ae.Retryable, "a later call may succeed")
		})
	}
}
