package dayforce

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce/internal/api"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// EmployeeFilter narrows [Client.Employees]. Zero fields are not sent. Dayforce asks
// that one request return no more than 1 000 employees: filter.
type EmployeeFilter struct {
	EmployeeNumber           string
	DisplayName              string
	EmploymentStatusXRefCode string
	OrgUnitXRefCode          string
	DepartmentXRefCode       string
	JobXRefCode              string
	PositionXRefCode         string
	// UpdatedFrom and UpdatedTo select employees changed in the range; Dayforce needs
	// both or neither (and asks for such queries no more than every 5 minutes).
	UpdatedFrom, UpdatedTo time.Time
	// UpdatedEntities narrows the change range to these sub-entities.
	UpdatedEntities []string
	// ContextDate is the as-of date (default: now, in Dayforce).
	ContextDate time.Time
}

func (f EmployeeFilter) params() (*api.ListEmployeesParams, error) {
	if f.UpdatedFrom.IsZero() != f.UpdatedTo.IsZero() {
		return nil, fmt.Errorf("dayforce: UpdatedFrom and UpdatedTo must be given together: %w", connectors.ErrInvalidRequest)
	}
	if len(f.UpdatedEntities) > 0 && f.UpdatedFrom.IsZero() {
		return nil, fmt.Errorf("dayforce: UpdatedEntities needs UpdatedFrom and UpdatedTo: %w", connectors.ErrInvalidRequest)
	}
	return &api.ListEmployeesParams{EmployeeNumber: connector.Opt(f.EmployeeNumber), DisplayName: connector.Opt(f.DisplayName),
		EmploymentStatusXRefCode: connector.Opt(f.EmploymentStatusXRefCode), OrgUnitXRefCode: connector.Opt(f.OrgUnitXRefCode),
		DepartmentXRefCode: connector.Opt(f.DepartmentXRefCode), JobXRefCode: connector.Opt(f.JobXRefCode), PositionXRefCode: connector.Opt(f.PositionXRefCode),
		FilterUpdatedStartDate: date(f.UpdatedFrom), FilterUpdatedEndDate: date(f.UpdatedTo),
		FilterUpdatedEntities: connector.Opt(strings.Join(f.UpdatedEntities, ",")), ContextDate: date(f.ContextDate)}, nil
}

// Employees lists the employees matching f. Dayforce returns only their XRefCodes;
// read each with [Client.Employee].
func (c *Client) Employees(ctx context.Context, f EmployeeFilter) (Result[[]string], error) {
	p, err := f.params()
	if err != nil {
		return Result[[]string]{}, err
	}
	env, err := invoke[[]Employee](ctx, c, "GET Employees", connectors.ClassInternal, nil, true,
		func(ctx context.Context) (*http.Response, error) { return c.gen.ListEmployees(ctx, c.ns, p) })
	if err != nil {
		return Result[[]string]{}, err
	}
	ids := make([]string, 0, len(env.Data))
	for _, e := range env.Data {
		ids = append(ids, e.XRefCode)
	}
	return Result[[]string]{Data: ids, Warnings: env.ProcessResults}, nil
}

// EmployeeOptions shape [Client.Employee].
type EmployeeOptions struct {
	// Expand lists the entities to include (default Config.Expand, which defaults to
	// [DefaultExpand]); without any, Dayforce returns only the master record.
	Expand []string
	// ContextDate is the as-of date (default: now, in Dayforce). Future-dated
	// assignments only show with a later ContextDate.
	ContextDate time.Time
	// RangeFrom and RangeTo return every effective-dated record in the range.
	RangeFrom, RangeTo time.Time
}

// Employee returns one employee with the expanded entities. An XRefCode that matches
// no employee fails with an error matching connectors.ErrNotFound.
func (c *Client) Employee(ctx context.Context, xRefCode string, o EmployeeOptions) (Result[Employee], error) {
	expand := o.Expand
	if expand == nil {
		expand = c.cfg.Expand
	}
	p := &api.GetEmployeeParams{Expand: connector.Opt(strings.Join(expand, ",")), ContextDate: date(o.ContextDate),
		ContextDateRangeFrom: date(o.RangeFrom), ContextDateRangeTo: date(o.RangeTo)}
	return one[Employee](ctx, c, "GET Employees/{xRefCode}", connectors.ClassPersonal,
		func(ctx context.Context) (*http.Response, error) { return c.gen.GetEmployee(ctx, c.ns, xRefCode, p) })
}

// WorkAssignments returns an employee's work assignments as of contextDate (zero:
// now).
func (c *Client) WorkAssignments(ctx context.Context, xRefCode string, contextDate time.Time) (Result[[]EmployeeWorkAssignment], error) {
	p := &api.GetEmployeeWorkAssignmentsParams{ContextDate: date(contextDate)}
	return one[[]EmployeeWorkAssignment](ctx, c, "GET Employees/{xRefCode}/WorkAssignments", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.GetEmployeeWorkAssignments(ctx, c.ns, xRefCode, p)
		})
}

// EmployeeSkills returns an employee's skills as of contextDate (zero: now).
func (c *Client) EmployeeSkills(ctx context.Context, xRefCode string, contextDate time.Time) (Result[[]EmployeeSkill], error) {
	p := &api.GetEmployeeSkillsParams{ContextDate: date(contextDate)}
	return one[[]EmployeeSkill](ctx, c, "GET Employees/{xRefCode}/Skills", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.GetEmployeeSkills(ctx, c.ns, xRefCode, p)
		})
}

// WriteOptions shape a write.
type WriteOptions struct {
	// ValidateOnly asks Dayforce to validate the request without saving it
	// (isValidateOnly). Dayforce leaves it to the caller to keep test data out of
	// production: use it against production until a flow is proven.
	ValidateOnly bool
	// CheckFirst makes [Client.PostPunch] look for the punch among the stored ones
	// before posting it: the way to settle an error matching
	// connectors.ErrOutcomeUnknown (Dayforce takes no idempotency key for punches),
	// by posting the same punch again with CheckFirst.
	CheckFirst bool
}

func (o WriteOptions) param() *bool {
	if !o.ValidateOnly {
		return nil
	}
	t := true
	return &t
}

// UpdateEmployeeSkill patches one of an employee's skills (identified by
// Skill.XRefCode and EffectiveStart). Properties left at their zero value are not
// sent and stay as they are; EffectiveEnd set to connectors.Clear[DateTime]() clears
// the end date.
func (c *Client) UpdateEmployeeSkill(ctx context.Context, xRefCode string, s EmployeeSkill, o WriteOptions) (Result[struct{}], error) {
	if s.Skill.XRefCode == "" {
		return Result[struct{}]{}, fmt.Errorf("dayforce: Skill.XRefCode is required: %w", connectors.ErrInvalidRequest)
	}
	p := &api.PatchEmployeeSkillParams{IsValidateOnly: o.param()}
	return one[struct{}](ctx, c, "PATCH Employees/{xRefCode}/Skills", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.PatchEmployeeSkill(ctx, c.ns, xRefCode, p, s)
		})
}

// EmployeeCertifications returns an employee's certifications as of contextDate
// (zero: now).
func (c *Client) EmployeeCertifications(ctx context.Context, xRefCode string, contextDate time.Time) (Result[[]LMSEmployeeCertification], error) {
	p := &api.GetEmployeeCertificationsParams{ContextDate: date(contextDate)}
	return one[[]LMSEmployeeCertification](ctx, c, "GET Employees/{xRefCode}/EmployeeCertifications", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.GetEmployeeCertifications(ctx, c.ns, xRefCode, p)
		})
}

// CatalogFilter selects entries of a catalog ([Client.Skills],
// [Client.Certifications]).
type CatalogFilter struct {
	// XRefCode, when set, selects one entry.
	XRefCode string
	// PageSize sets the page size (Dayforce's default when 0).
	PageSize int
}

// Skills pages through the skills catalog.
func (c *Client) Skills(ctx context.Context, f CatalogFilter) iter.Seq2[Page[Skill], error] {
	p := &api.ListSkillsParams{XRefCode: connector.Opt(f.XRefCode), PageSize: pageSize(f.PageSize)}
	return pages[Skill](ctx, c, "GET Skills", connectors.ClassPublic,
		func(ctx context.Context) (*http.Response, error) { return c.gen.ListSkills(ctx, c.ns, p) })
}

// Certifications pages through the certifications catalog.
func (c *Client) Certifications(ctx context.Context, f CatalogFilter) iter.Seq2[Page[LMSCertification], error] {
	p := &api.ListCertificationsParams{XRefCode: connector.Opt(f.XRefCode), PageSize: pageSize(f.PageSize)}
	return pages[LMSCertification](ctx, c, "GET Certifications", connectors.ClassPublic,
		func(ctx context.Context) (*http.Response, error) { return c.gen.ListCertifications(ctx, c.ns, p) })
}

// pageSize is the pageSize parameter: nil (Dayforce's default) for 0.
func pageSize(n int) *int32 {
	if n <= 0 {
		return nil
	}
	v := int32(min(n, 1<<30))
	return &v
}

// expand is the expand parameter: a comma-separated list, nil for none.
func expand(entities []string) *string {
	if len(entities) == 0 {
		return nil
	}
	s := strings.Join(entities, ",")
	return &s
}

// ScheduleOptions refine [Client.EmployeeSchedules].
type ScheduleOptions struct {
	// Posted, when set, chooses posted (true) or unposted (false) schedules;
	// Dayforce's default is the published ones (isPosted).
	Posted *bool
	// Expand names top-level entities to include (expand), e.g. "Activities".
	Expand []string
}

// EmployeeSchedules returns one employee's shifts starting in [from, to): from is
// inclusive and to exclusive, both aligned to the business day, in the organisation's
// wall time.
func (c *Client) EmployeeSchedules(ctx context.Context, xRefCode string, from, to time.Time, o ScheduleOptions) (Result[[]EmployeeSchedule], error) {
	if err := span(from, to); err != nil {
		return Result[[]EmployeeSchedule]{}, err
	}
	p := &api.GetEmployeeSchedulesParams{FilterScheduleStartDate: NewDateTime(from), FilterScheduleEndDate: NewDateTime(to),
		IsPosted: o.Posted, Expand: expand(o.Expand)}
	return one[[]EmployeeSchedule](ctx, c, "GET Employees/{xRefCode}/Schedules", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.GetEmployeeSchedules(ctx, c.ns, xRefCode, p)
		})
}

// ScheduleFilter selects shifts for [Client.Schedules].
type ScheduleFilter struct {
	// From and To bound the shifts (both required, organisation wall time).
	From, To           time.Time
	EmployeeXRefCode   string
	OrgUnitXRefCode    string
	DepartmentXRefCode string
	JobXRefCode        string
	PositionXRefCode   string
	// Unfilled selects only unfilled shifts.
	Unfilled bool
	// Expand names top-level entities to include (expand).
	Expand []string
	// PageSize sets the page size (Dayforce's default when 0).
	PageSize int
}

// Schedules pages through the shifts matching f, for many employees at once.
// Dayforce may refuse with 403 ("User does not have access to the Organization").
func (c *Client) Schedules(ctx context.Context, f ScheduleFilter) iter.Seq2[Page[EmployeeSchedule], error] {
	if err := span(f.From, f.To); err != nil {
		return fail[EmployeeSchedule](err)
	}
	p := &api.ListEmployeeSchedulesParams{FilterScheduleStartDate: NewDateTime(f.From), FilterScheduleEndDate: NewDateTime(f.To),
		EmployeeXRefCode: connector.Opt(f.EmployeeXRefCode), OrgUnitXRefCode: connector.Opt(f.OrgUnitXRefCode), DepartmentXRefCode: connector.Opt(f.DepartmentXRefCode),
		JobXRefCode: connector.Opt(f.JobXRefCode), PositionXRefCode: connector.Opt(f.PositionXRefCode),
		Expand: expand(f.Expand), PageSize: pageSize(f.PageSize)}
	if f.Unfilled {
		p.Unfill = &f.Unfilled
	}
	return pages[EmployeeSchedule](ctx, c, "GET EmployeeSchedules", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) { return c.gen.ListEmployeeSchedules(ctx, c.ns, p) })
}

// Which unscheduled days of employees [Client.ScheduleChanges] returns
// (unscheduledEmployeeOption: None, PrimaryOnly, SecondaryOnly, Both).
const (
	UnscheduledNone = iota
	UnscheduledPrimaryOnly
	UnscheduledSecondaryOnly
	UnscheduledBoth
)

// Which schedules [Client.ScheduleChanges] returns by posting (schedulePostedOption:
// All, Posted, Unposted).
const (
	PostedAll = iota
	PostedOnly
	UnpostedOnly
)

// ScheduleChangeOptions refine [Client.ScheduleChanges] (the EmployeeSchedulesDelta
// options).
type ScheduleChangeOptions struct {
	// To ends the change window (optional).
	To time.Time
	// UnscheduledEmployeeDays returns employees' free days for that many days from
	// the start (at most 60), per UnscheduledEmployeeOption ([UnscheduledNone], …).
	UnscheduledEmployeeDays   int
	UnscheduledEmployeeOption int
	// SchedulePostedOption chooses posted, unposted or all schedules ([PostedAll], …).
	SchedulePostedOption int
	// ExcludeNonProductiveShifts leaves out shifts marked (partly) non-productive.
	ExcludeNonProductiveShifts bool
	// PageSize sets the page size (Dayforce's default when 0).
	PageSize int
}

// ScheduleChanges pages through the shifts of an org unit (or its children) changed
// since from.
func (c *Client) ScheduleChanges(ctx context.Context, orgUnitXRefCode string, from time.Time, o ScheduleChangeOptions) iter.Seq2[Page[EmployeeScheduleExtended], error] {
	switch {
	case orgUnitXRefCode == "" || from.IsZero():
		return fail[EmployeeScheduleExtended](fmt.Errorf("dayforce: ScheduleChanges needs an org unit and a start: %w", connectors.ErrInvalidRequest))
	case o.UnscheduledEmployeeDays < 0 || o.UnscheduledEmployeeDays > 60:
		return fail[EmployeeScheduleExtended](fmt.Errorf("dayforce: UnscheduledEmployeeDays is at most 60: %w", connectors.ErrInvalidRequest))
	case o.UnscheduledEmployeeOption < UnscheduledNone || o.UnscheduledEmployeeOption > UnscheduledBoth ||
		o.SchedulePostedOption < PostedAll || o.SchedulePostedOption > UnpostedOnly:
		return fail[EmployeeScheduleExtended](fmt.Errorf("dayforce: unknown schedule change option: %w", connectors.ErrInvalidRequest))
	}
	p := &api.ListEmployeeSchedulesDeltaParams{OrgUnitXRefCode: orgUnitXRefCode, ScheduleChangesFromDate: NewDateTime(from), ScheduleChangesToDate: date(o.To),
		PageSize: pageSize(o.PageSize)}
	if o.UnscheduledEmployeeDays > 0 {
		days := int32(o.UnscheduledEmployeeDays)
		opt := api.ListEmployeeSchedulesDeltaParamsUnscheduledEmployeeOption(o.UnscheduledEmployeeOption)
		p.UnscheduledEmployeeDays, p.UnscheduledEmployeeOption = &days, &opt
	}
	if o.SchedulePostedOption != PostedAll {
		opt := api.ListEmployeeSchedulesDeltaParamsSchedulePostedOption(o.SchedulePostedOption)
		p.SchedulePostedOption = &opt
	}
	if o.ExcludeNonProductiveShifts {
		p.ExcludeNonProductiveShifts = &o.ExcludeNonProductiveShifts
	}
	return pages[EmployeeScheduleExtended](ctx, c, "GET EmployeeSchedulesDelta", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.ListEmployeeSchedulesDelta(ctx, c.ns, p)
		})
}

// Availability returns an employee's availability for each day in [from, to] (both
// inclusive). Times are TimeSpans from the start of the day.
func (c *Client) Availability(ctx context.Context, xRefCode string, from, to time.Time) (Result[[]EmployeeAvailability], error) {
	if err := span(from, to); err != nil {
		return Result[[]EmployeeAvailability]{}, err
	}
	p := &api.GetEmployeeAvailabilityParams{FilterAvailabilityStartDate: NewDateTime(from), FilterAvailabilityEndDate: NewDateTime(to)}
	return one[[]EmployeeAvailability](ctx, c, "GET Employees/{xRefCode}/Availability", connectors.ClassInternal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.GetEmployeeAvailability(ctx, c.ns, xRefCode, p)
		})
}

// Time-off request states, for [Client.TimeAway].
const (
	TimeAwayApproved      = "APPROVED"
	TimeAwayPending       = "PENDING"
	TimeAwayCanceled      = "CANCELED"
	TimeAwayDenied        = "DENIED"
	TimeAwayCancelPending = "CANCELPENDING"
)

// TimeAway returns an employee's time-off requests in [from, to] with the given
// status (default APPROVED).
func (c *Client) TimeAway(ctx context.Context, xRefCode string, from, to time.Time, status string) (Result[[]EmployeeTimeAwayFromWork], error) {
	if err := span(from, to); err != nil {
		return Result[[]EmployeeTimeAwayFromWork]{}, err
	}
	if status == "" {
		status = TimeAwayApproved
	}
	p := &api.GetEmployeeTimeAwayFromWorkParams{FilterTAFWStartDate: NewDateTime(from), FilterTAFWEndDate: NewDateTime(to), Status: status}
	return one[[]EmployeeTimeAwayFromWork](ctx, c, "GET Employees/{xRefCode}/TimeAwayFromWork", connectors.ClassPersonal,
		func(ctx context.Context) (*http.Response, error) {
			return c.gen.GetEmployeeTimeAwayFromWork(ctx, c.ns, xRefCode, p)
		})
}

// one runs a call whose answer is a single envelope.
func one[T any](ctx context.Context, c *Client, op string, class connectors.DataClass, send func(ctx context.Context) (*http.Response, error)) (Result[T], error) {
	env, err := invoke[T](ctx, c, op, class, nil, true, send)
	if err != nil {
		return Result[T]{}, err
	}
	return Result[T]{Data: env.Data, Warnings: env.ProcessResults}, nil
}

func fail[T any](err error) iter.Seq2[Page[T], error] {
	return func(yield func(Page[T], error) bool) { yield(Page[T]{}, err) }
}

func span(from, to time.Time) error {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return fmt.Errorf("dayforce: a date range needs a start and an end not before it: %w", connectors.ErrInvalidRequest)
	}
	return nil
}

func date(t time.Time) *DateTime {
	if t.IsZero() {
		return nil
	}
	d := NewDateTime(t)
	return &d
}
