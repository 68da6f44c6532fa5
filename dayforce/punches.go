package dayforce

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/resilience"
	"net/http"
)

// PunchFilter selects raw punches for [Client.RawPunches].
type PunchFilter struct {
	// From and To bound the punch times (both required, inclusive); sent in UTC.
	From, To         time.Time
	EmployeeXRefCode string
	EmployeeBadge    string
	// State is PROCESSED, REJECTED or ALL (Dayforce's default when empty).
	State string
	// Types are punch types (PunchIn, …); empty means all.
	Types []string
	// PageSize sets the page size (Dayforce's default, 1 000, when 0; Dayforce
	// advises against changing it).
	PageSize int
}

// RawPunches pages through the raw clock entries matching f.
func (c *Client) RawPunches(ctx context.Context, f PunchFilter) iter.Seq2[Page[EmployeeRawPunch], error] {
	if err := span(f.From, f.To); err != nil {
		return fail[EmployeeRawPunch](err)
	}
	return pages[EmployeeRawPunch](ctx, c, connector.Request{Op: "GET EmployeeRawPunches", Class: connectors.ClassPersonal,
		Query: connector.Query("filterTransactionStartTimeUTC", date(f.From.UTC()), "filterTransactionEndTimeUTC", date(f.To.UTC()),
			"employeeXRefCode", f.EmployeeXRefCode, "employeeBadge", f.EmployeeBadge, "punchState", f.State,
			"punchTypes", strings.Join(f.Types, ","), "pageSize", pageSize(f.PageSize))})
}

// Punch is a clock entry to post.
type Punch struct {
	// Badge is the employee's badge number (required).
	Badge string
	// Time is when the punch happened (required); it is sent with its UTC offset, so
	// give it in the zone where it happened.
	Time time.Time
	// Type is the punch type (required): PunchIn, PunchOut, PunchJobTransfer, ….
	Type string
	// Device names the sending system (default "dispatch").
	Device string
	// Location, position, docket (work order) and project, by XRefCode.
	LocationXRefCode, PositionXRefCode, DocketXRefCode, ProjectXRefCode string
	// LaborMetrics tag the time with labour metrics.
	LaborMetrics []PunchLaborMetric
	// Quantity is a produced quantity, where the punch policy asks for one.
	Quantity float64
}

func (p Punch) validate() error {
	var errs []error
	if p.Badge == "" {
		errs = append(errs, errors.New("missing Badge"))
	}
	if p.Time.IsZero() {
		errs = append(errs, errors.New("missing Time"))
	}
	if p.Type == "" {
		errs = append(errs, errors.New("missing Type"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("dayforce: invalid punch: %w: %w", errors.Join(errs...), connectors.ErrInvalidRequest)
	}
	return nil
}

func (p Punch) submit() EmployeeRawPunchForSubmit {
	dev := p.Device
	if dev == "" {
		dev = "dispatch"
	}
	return EmployeeRawPunchForSubmit{EmployeeBadge: p.Badge, RawPunchTime: p.Time.Truncate(time.Second).Format(time.RFC3339),
		PunchType: p.Type, PunchDevice: dev, LocationXRefCode: p.LocationXRefCode, PositionXRefCode: p.PositionXRefCode,
		DocketXRefCode: p.DocketXRefCode, ProjectXRefCode: p.ProjectXRefCode, LaborMetrics: p.LaborMetrics, Quantity: p.Quantity}
}

// PunchResult is the outcome of [Client.PostPunch].
type PunchResult struct {
	// Punch is the stored punch, when Dayforce returned or the check found it.
	Punch EmployeeRawPunch
	// Warnings came with the answer (e.g. a punch outside the schedule).
	Warnings []ProcessResult
	// Reconciled reports that the answer to a post was lost and the punch was found
	// stored by the check that followed: it was not posted again.
	Reconciled bool
	// Attempts is how many times the punch was posted.
	Attempts int
}

// punchWindow is how far around the punch time the duplicate check looks.
const punchWindow = time.Minute

// PostPunch posts a raw clock entry. Dayforce takes no idempotency key for punches,
// so a post whose outcome is unknown (the connection dropped, a timeout, a 5xx, an
// answer that did not decode) is never simply sent again: the client first looks for
// the punch (same badge, type and time, in a window around it) and returns the stored
// one if it is there. Only a punch provably not stored is posted again, within the
// policy's retry budget and backoff. When the look cannot be made (the deadline
// passed, the search failed), the error matches connectors.ErrOutcomeUnknown: post
// the same punch again with WriteOptions.CheckFirst, which looks before it posts. A
// retry therefore never creates a duplicate punch.
func (c *Client) PostPunch(ctx context.Context, p Punch, o WriteOptions) (PunchResult, error) {
	if err := p.validate(); err != nil {
		return PunchResult{}, err
	}
	body := p.submit()
	pol := c.end.HTTP.Policy()
	const op = "POST EmployeeRawPunches"
	summary := map[string]string{"type": p.Type, "validate_only": fmt.Sprint(o.ValidateOnly)}
	sent := c.clk.Now() // when the posts leave: Dayforce's transaction time is near it
	if o.CheckFirst && !o.ValidateOnly {
		found, err := c.findPunch(ctx, p, sent)
		if err != nil {
			return PunchResult{}, err
		}
		if found != nil {
			return PunchResult{Punch: *found, Reconciled: true}, nil
		}
	}
	for attempt := 1; ; attempt++ {
		env, err := invoke[[]EmployeeRawPunch](resilience.NoRetry(ctx), c, connector.Request{Op: op, Query: o.query(), Body: body,
			Class: connectors.ClassPersonal, Summary: summary})
		if err == nil {
			r := PunchResult{Warnings: env.ProcessResults, Attempts: attempt}
			if len(env.Data) > 0 {
				r.Punch = env.Data[0]
			}
			return r, nil
		}
		if o.ValidateOnly || !ambiguous(err) {
			return PunchResult{Attempts: attempt}, err
		}
		if ctx.Err() != nil {
			// no time left to look: the caller settles it (CheckFirst)
			return PunchResult{Attempts: attempt}, connector.OutcomeUnknown("dayforce", op, "", err)
		}
		found, ferr := c.findPunch(ctx, p, sent)
		if ferr != nil {
			// the outcome stays unknown: do not post blind
			return PunchResult{Attempts: attempt}, connector.OutcomeUnknown("dayforce", op, "",
				fmt.Errorf("%w (and the check for a stored punch failed: %w)", err, ferr))
		}
		if found != nil {
			return PunchResult{Punch: *found, Reconciled: true, Attempts: attempt}, nil
		}
		// not stored: the failure is known, and the punch may be posted again
		if attempt > pol.Retry.MaxRetries {
			return PunchResult{Attempts: attempt}, err
		}
		wait, ok := c.retryWait(ctx, pol.Retry, attempt, err)
		if !ok {
			return PunchResult{Attempts: attempt}, err
		}
		if err := c.clk.Sleep(ctx, wait); err != nil {
			return PunchResult{Attempts: attempt}, err
		}
	}
}

// retryWait is the wait before posting again after attempt failed with err, as the
// resilience layer waits: the policy's backoff, with the vendor's Retry-After as a
// floor. ok is false when the vendor asks for more than the policy's MaxRetryAfter
// or the wait would pass ctx's deadline: the post is not sent again.
func (c *Client) retryWait(ctx context.Context, rp resilience.RetryPolicy, attempt int, err error) (wait time.Duration, ok bool) {
	if rp.Backoff != nil {
		wait = rp.Backoff.Delay(attempt, rand.Float64())
	}
	var ae *connectors.APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		if ae.RetryAfter > cmp.Or(rp.MaxRetryAfter, resilience.DefaultMaxRetryAfter) {
			return 0, false
		}
		wait = max(wait, ae.RetryAfter)
	}
	if dl, has := ctx.Deadline(); has && !c.clk.Now().Add(wait).Before(dl) {
		return 0, false
	}
	return wait, true
}

// ambiguous reports whether a failed post may have been stored: no answer, or a
// server-side failure. A refusal (4xx) or a local rejection (breaker, bulkhead,
// limiter) means it was not.
func ambiguous(err error) bool {
	if connector.Unknown(err) {
		return true // an answer lost, or a 2xx that did not decode
	}
	var ae *connectors.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch s := ae.StatusCode; {
	case s >= 500, s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return true
	case s != 0:
		return false
	}
	return errors.Is(err, connectors.ErrUnavailable) || errors.Is(err, connectors.ErrTimeout)
}

// findPunch looks for p among the stored punches, after posts sent from sent on.
// Dayforce filters raw punches on a "transaction period" it does not define further:
// it may be the punch time or when Dayforce received the punch. The search covers
// both, from the earlier of the punch time and the first send to the later of the
// punch time and now, and the match is on badge, type and punch time.
func (c *Client) findPunch(ctx context.Context, p Punch, sent time.Time) (*EmployeeRawPunch, error) {
	at := p.Time.Truncate(time.Second)
	now := c.clk.Now()
	from, to := at, at
	if sent.Before(from) {
		from = sent
	}
	if now.After(to) {
		to = now
	}
	f := PunchFilter{From: from.Add(-punchWindow), To: to.Add(punchWindow), EmployeeBadge: p.Badge, State: "ALL", Types: []string{p.Type}}
	for r, err := range Items(c.RawPunches(ctx, f)) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(r.EmployeeBadge, p.Badge) && strings.EqualFold(r.PunchType, p.Type) && r.RawPunchTime.Time.Equal(at) &&
			sameDocket(r, p) {
			return &r, nil
		}
	}
	return nil, nil
}

func sameDocket(r EmployeeRawPunch, p Punch) bool {
	return p.DocketXRefCode == "" || r.ExtraData.DocketXRefCode == "" || r.ExtraData.DocketXRefCode == p.DocketXRefCode
}

// WorkOrderPunch records labour on a work order (a Dayforce docket).
type WorkOrderPunch struct {
	Badge string
	Time  time.Time
	// WorkOrder is the docket's XRefCode.
	WorkOrder string
	// Project is an optional project XRefCode.
	Project      string
	LaborMetrics []PunchLaborMetric
	// EndShift ends the shift with the completion (Punch_Out) instead of moving the
	// technician back to unassigned time (Job_Transfer).
	EndShift bool
}

// StartWorkOrder posts a job-transfer punch onto the work order's docket: from now
// on the technician's time is labour on that work order.
func (c *Client) StartWorkOrder(ctx context.Context, w WorkOrderPunch, o WriteOptions) (PunchResult, error) {
	if w.WorkOrder == "" {
		return PunchResult{}, fmt.Errorf("dayforce: missing WorkOrder: %w", connectors.ErrInvalidRequest)
	}
	return c.PostPunch(ctx, Punch{Badge: w.Badge, Time: w.Time, Type: PunchJobTransfer, DocketXRefCode: w.WorkOrder,
		ProjectXRefCode: w.Project, LaborMetrics: w.LaborMetrics}, o)
}

// CompleteWorkOrder posts the punch that closes the labour on a work order: a job
// transfer off the docket, or a punch out when the shift ends with the job. The time
// since [Client.StartWorkOrder] is the work order's labour in Dayforce.
func (c *Client) CompleteWorkOrder(ctx context.Context, w WorkOrderPunch, o WriteOptions) (PunchResult, error) {
	typ := PunchJobTransfer
	if w.EndShift {
		typ = PunchOut
	}
	return c.PostPunch(ctx, Punch{Badge: w.Badge, Time: w.Time, Type: typ, LaborMetrics: w.LaborMetrics}, o)
}

// Punch types Dayforce accepts in PunchType (and in the punchTypes filter).
const (
	PunchIn          = "Punch_In"
	PunchOut         = "Punch_Out"
	PunchBreakIn     = "Break_In"
	PunchBreakOut    = "Break_Out"
	PunchMealIn      = "Meal_In"
	PunchMealOut     = "Meal_Out"
	PunchJobTransfer = "Job_Transfer"
)
