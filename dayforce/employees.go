package dayforce

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors"
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

func (f EmployeeFilter) query() (url.Values, error) {
	if f.UpdatedFrom.IsZero() != f.UpdatedTo.IsZero() {
		return nil, fmt.Errorf("dayforce: UpdatedFrom and UpdatedTo must be given together: %w", connectors.ErrInvalidRequest)
	}
	if len(f.UpdatedEntities) > 0 && f.UpdatedFrom.IsZero() {
		return nil, fmt.Errorf("dayforce: UpdatedEntities needs UpdatedFrom and UpdatedTo: %w", connectors.ErrInvalidRequest)
	}
	return connector.Query("employeeNumber", f.EmployeeNumber, "displayName", f.DisplayName,
		"employmentStatusXRefCode", f.EmploymentStatusXRefCode, "orgUnitXRefCode", f.OrgUnitXRefCode,
		"departmentXRefCode", f.DepartmentXRefCode, "jobXRefCode", f.JobXRefCode, "positionXRefCode", f.PositionXRefCode,
		"filterUpdatedStartDate", date(f.UpdatedFrom), "filterUpdatedEndDate", date(f.UpdatedTo),
		"filterUpdatedEntities", strings.Join(f.UpdatedEntities, ","), "contextDate", date(f.ContextDate)), nil
}

// Employees lists the employees matching f. Dayforce returns only their XRefCodes;
// read each with [Client.Employee].
func (c *Client) Employees(ctx context.Context, f EmployeeFilter) (Result[[]string], error) {
	q, err := f.query()
	if err != nil {
		return Result[[]string]{}, err
	}
	env, err := invoke[[]Employee](ctx, c, connector.Request{Op: "GET Employees", Query: q, Class: connectors.ClassInternal})
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
	return one[Employee](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}", Params: []string{xRefCode},
		Query: connector.Query("expand", strings.Join(expand, ","), "contextDate", date(o.ContextDate),
			"contextDateRangeFrom", date(o.RangeFrom), "contextDateRangeTo", date(o.RangeTo)), Class: connectors.ClassPersonal})
}

// WorkAssignments returns an employee's work assignments as of contextDate (zero:
// now).
func (c *Client) WorkAssignments(ctx context.Context, xRefCode string, contextDate time.Time) (Result[[]EmployeeWorkAssignment], error) {
	return one[[]EmployeeWorkAssignment](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}/WorkAssignments",
		Params: []string{xRefCode}, Query: connector.Query("contextDate", date(contextDate)), Class: connectors.ClassInternal})
}

// EmployeeSkills returns an employee's skills as of contextDate (zero: now).
func (c *Client) EmployeeSkills(ctx context.Context, xRefCode string, contextDate time.Time) (Result[[]EmployeeSkill], error) {
	return one[[]EmployeeSkill](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}/Skills",
		Params: []string{xRefCode}, Query: connector.Query("contextDate", date(contextDate)), Class: connectors.ClassInternal})
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

// query is the isValidateOnly parameter, sent only when set.
func (o WriteOptions) query() url.Values {
	if !o.ValidateOnly {
		return nil
	}
	return url.Values{"isValidateOnly": {"true"}}
}

// UpdateEmployeeSkill patches one of an employee's skills (identified by
// Skill.XRefCode and EffectiveStart). Properties left at their zero value are not
// sent and stay as they are; EffectiveEnd set to connectors.Clear[DateTime]() clears
// the end date.
func (c *Client) UpdateEmployeeSkill(ctx context.Context, xRefCode string, s EmployeeSkill, o WriteOptions) (Result[struct{}], error) {
	if s.Skill.XRefCode == "" {
		return Result[struct{}]{}, fmt.Errorf("dayforce: Skill.XRefCode is required: %w", connectors.ErrInvalidRequest)
	}
	return one[struct{}](ctx, c, connector.Request{Op: "PATCH Employees/{xRefCode}/Skills", Params: []string{xRefCode},
		Query: o.query(), Body: s, Class: connectors.ClassInternal})
}

// EmployeeCertifications returns an employee's certifications as of contextDate
// (zero: now).
func (c *Client) EmployeeCertifications(ctx context.Context, xRefCode string, contextDate time.Time) (Result[[]LMSEmployeeCertification], error) {
	return one[[]LMSEmployeeCertification](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}/EmployeeCertifications",
		Params: []string{xRefCode}, Query: connector.Query("contextDate", date(contextDate)), Class: connectors.ClassInternal})
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
	return pages[Skill](ctx, c, connector.Request{Op: "GET Skills", Class: connectors.ClassPublic,
		Query: connector.Query("xRefCode", f.XRefCode, "pageSize", pageSize(f.PageSize))})
}

// Certifications pages through the certifications catalog.
func (c *Client) Certifications(ctx context.Context, f CatalogFilter) iter.Seq2[Page[LMSCertification], error] {
	return pages[LMSCertification](ctx, c, connector.Request{Op: "GET Certifications", Class: connectors.ClassPublic,
		Query: connector.Query("xRefCode", f.XRefCode, "pageSize", pageSize(f.PageSize))})
}

// pageSize is the pageSize parameter: "" (Dayforce's default) for 0.
func pageSize(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(min(n, 1<<30))
}

// boolean is a boolean parameter: "" (not sent) when unset.
func boolean(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
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
	return one[[]EmployeeSchedule](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}/Schedules", Params: []string{xRefCode},
		Query: connector.Query("filterScheduleStartDate", date(from), "filterScheduleEndDate", date(to),
			"isPosted", boolean(o.Posted), "expand", strings.Join(o.Expand, ",")), Class: connectors.ClassInternal})
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
	unfill := ""
	if f.Unfilled {
		unfill = "true"
	}
	return pages[EmployeeSchedule](ctx, c, connector.Request{Op: "GET EmployeeSchedules", Class: connectors.ClassInternal,
		Query: connector.Query("filterScheduleStartDate", date(f.From), "filterScheduleEndDate", date(f.To),
			"employeeXRefCode", f.EmployeeXRefCode, "orgUnitXRefCode", f.OrgUnitXRefCode, "departmentXRefCode", f.DepartmentXRefCode,
			"jobXRefCode", f.JobXRefCode, "positionXRefCode", f.PositionXRefCode, "unfill", unfill,
			"expand", strings.Join(f.Expand, ","), "pageSize", pageSize(f.PageSize))})
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
	q := connector.Query("orgUnitXRefCode", orgUnitXRefCode, "scheduleChangesFromDate", date(from), "scheduleChangesToDate", date(o.To),
		"pageSize", pageSize(o.PageSize))
	if o.UnscheduledEmployeeDays > 0 {
		q.Set("unscheduledEmployeeDays", strconv.Itoa(o.UnscheduledEmployeeDays))
		q.Set("unscheduledEmployeeOption", strconv.Itoa(o.UnscheduledEmployeeOption))
	}
	if o.SchedulePostedOption != PostedAll {
		q.Set("schedulePostedOption", strconv.Itoa(o.SchedulePostedOption))
	}
	if o.ExcludeNonProductiveShifts {
		q.Set("excludeNonProductiveShifts", "true")
	}
	return pages[EmployeeScheduleExtended](ctx, c, connector.Request{Op: "GET EmployeeSchedulesDelta", Query: q,
		Class: connectors.ClassInternal})
}

// Availability returns an employee's availability for each day in [from, to] (both
// inclusive). Times are TimeSpans from the start of the day.
func (c *Client) Availability(ctx context.Context, xRefCode string, from, to time.Time) (Result[[]EmployeeAvailability], error) {
	if err := span(from, to); err != nil {
		return Result[[]EmployeeAvailability]{}, err
	}
	return one[[]EmployeeAvailability](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}/Availability", Params: []string{xRefCode},
		Query: connector.Query("filterAvailabilityStartDate", date(from), "filterAvailabilityEndDate", date(to)), Class: connectors.ClassInternal})
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
	return one[[]EmployeeTimeAwayFromWork](ctx, c, connector.Request{Op: "GET Employees/{xRefCode}/TimeAwayFromWork",
		Params: []string{xRefCode}, Query: connector.Query("filterTAFWStartDate", date(from), "filterTAFWEndDate", date(to), "status", status),
		Class: connectors.ClassPersonal})
}

// one runs a call whose answer is a single envelope.
func one[T any](ctx context.Context, c *Client, r connector.Request) (Result[T], error) {
	env, err := invoke[T](ctx, c, r)
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

// date is a date parameter, the wall time without an offset as Dayforce reads it; ""
// (not sent) for the zero time.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	b, _ := NewDateTime(t).MarshalText()
	return string(b)
}
