package dayforce

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"strings"
)

// ProcessedPunchFilter selects processed punches for [Client.ProcessedPunches]
// (GET EmployeePunches). From and To bound the transaction period (both required,
// sent in UTC); the rest narrow it as Dayforce's parameters of the same names do.
type ProcessedPunchFilter struct {
	From, To                                                                 time.Time
	EmployeeXRefCode, LocationXRefCode, PositionXRefCode, DepartmentXRefCode string
	JobXRefCode, DocketXRefCode, ProjectXRefCode, PayAdjustmentXRefCode      string
	// ShiftStatus is ACTIVE, COMPLETED, PROBLEM or ALL (Dayforce's default when
	// empty).
	ShiftStatus string
	// ShiftFrom and ShiftTo select shifts that start and end in a time frame.
	ShiftFrom, ShiftTo time.Time
	// BusinessDate gives the timesheet view of one business day.
	BusinessDate time.Time
	// PageSize sets the page size (Dayforce's default when 0).
	PageSize int
}

// Shift statuses of a processed punch, for ProcessedPunchFilter.ShiftStatus.
const (
	ShiftActive    = "ACTIVE"
	ShiftCompleted = "COMPLETED"
	ShiftProblem   = "PROBLEM"
	ShiftAll       = "ALL"
)

// ProcessedPunches pages through the punches Dayforce made of the raw clock entries:
// each a shift with its status, meal breaks and transfers (what the timesheet
// shows).
func (c *Client) ProcessedPunches(ctx context.Context, f ProcessedPunchFilter) iter.Seq2[Page[EmployeePunch], error] {
	if err := span(f.From, f.To); err != nil {
		return fail[EmployeePunch](err)
	}
	return pages[EmployeePunch](ctx, c, connector.Request{Op: "GET EmployeePunches", Class: connectors.ClassPersonal,
		Query: connector.Query("filterTransactionStartTimeUTC", date(f.From.UTC()), "filterTransactionEndTimeUTC", date(f.To.UTC()),
			"employeeXRefCode", f.EmployeeXRefCode, "locationXRefCode", f.LocationXRefCode, "positionXRefCode", f.PositionXRefCode,
			"departmentXRefCode", f.DepartmentXRefCode, "jobXRefCode", f.JobXRefCode, "docketXRefCode", f.DocketXRefCode,
			"projectXRefCode", f.ProjectXRefCode, "payAdjustmentXRefCode", f.PayAdjustmentXRefCode, "shiftStatus", f.ShiftStatus,
			"filterShiftTimeStart", date(f.ShiftFrom), "filterShiftTimeEnd", date(f.ShiftTo), "businessDate", date(f.BusinessDate),
			"pageSize", pageSize(f.PageSize))})
}

// OrgUnits lists the organisation's units by XRefCode (GET OrgUnits answers the
// codes; [Client.OrgUnit] reads one).
func (c *Client) OrgUnits(ctx context.Context) (Result[[]Location], error) {
	return one[[]Location](ctx, c, connector.Request{Op: "GET OrgUnits", Class: connectors.ClassInternal})
}

// OrgUnitOptions refine [Client.OrgUnit].
type OrgUnitOptions struct {
	// ContextDate is the as-of date (zero: now).
	ContextDate time.Time
	// Expand names top-level entities to include, e.g. "OrgUnitParents".
	Expand []string
	// Children includes the immediate child org units (includeChildOrgUnits).
	Children bool
}

// OrgUnit reads an org unit: a technician's location (its address, time zone and
// level) and where it sits in the organisation (parents, children). An unknown
// XRefCode matches connectors.ErrNotFound (Dayforce answers 400).
func (c *Client) OrgUnit(ctx context.Context, xRefCode string, o OrgUnitOptions) (Result[Location], error) {
	if xRefCode == "" {
		return Result[Location]{}, fmt.Errorf("dayforce: OrgUnit needs an XRefCode: %w", connectors.ErrInvalidRequest)
	}
	children := ""
	if o.Children {
		children = "true"
	}
	return one[Location](ctx, c, connector.Request{Op: "GET OrgUnits/{xRefCode}", Params: []string{xRefCode},
		Query: connector.Query("contextDate", date(o.ContextDate), "expand", strings.Join(o.Expand, ","), "includeChildOrgUnits", children),
		Class: connectors.ClassInternal})
}
