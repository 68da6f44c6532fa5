package dayforce_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
)

// lastQuery is the query of the last request to a path ending in suffix.
func lastQuery(srv *dayforcetest.Server, suffix string) url.Values {
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if len(reqs[i].Path) >= len(suffix) && reqs[i].Path[len(reqs[i].Path)-len(suffix):] == suffix {
			q, _ := url.ParseQuery(reqs[i].Query)
			return q
		}
	}
	return nil
}

// TestScheduleAndCatalogOptions: the options of EmployeeSchedules (isPosted,
// expand), Schedules (expand, pageSize), EmployeeSchedulesDelta
// (unscheduledEmployeeDays and its option, schedulePostedOption,
// excludeNonProductiveShifts, pageSize) and the catalogs (pageSize) reach the wire
// under Dayforce's names, and the fake honours the posting options.
func TestScheduleAndCatalogOptions(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithEmployees(20))
	c := newClient(t, srv, nil)
	day0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // the fake's start; week three is not posted
	posted, err := c.EmployeeSchedules(ctx, "E0003", day0, day0.AddDate(0, 0, 21), dayforce.ScheduleOptions{Expand: []string{"Activities", "Breaks"}})
	require.NoError(t, err)
	q := lastQuery(srv, "/Employees/E0003/Schedules")
	assert.Equal(t, "Activities,Breaks", q.Get("expand"))
	assert.Empty(t, q.Get("isPosted"), "Dayforce's default, the published ones")
	unposted := false
	drafts, err := c.EmployeeSchedules(ctx, "E0003", day0, day0.AddDate(0, 0, 21), dayforce.ScheduleOptions{Posted: &unposted})
	require.NoError(t, err)
	assert.Equal(t, "false", lastQuery(srv, "/Employees/E0003/Schedules").Get("isPosted"))
	require.NotEmpty(t, posted.Data)
	require.NotEmpty(t, drafts.Data)
	for _, s := range posted.Data {
		assert.True(t, s.Published)
	}
	for _, s := range drafts.Data {
		assert.False(t, s.Published)
		assert.False(t, s.TimeStart.Before(day0.AddDate(0, 0, 14)), "the drafts are the third week's")
	}

	pages := collect(t, c.Schedules(ctx, dayforce.ScheduleFilter{From: day0, To: day0.AddDate(0, 0, 7), Expand: []string{"Activities"}, PageSize: 25}))
	require.Greater(t, len(pages), 1, "pages of 25")
	for _, p := range pages {
		assert.LessOrEqual(t, len(p.Data), 25)
	}
	q = lastQuery(srv, "/EmployeeSchedules")
	assert.Equal(t, "25", q.Get("pageSize"))
	assert.Equal(t, "Activities", q.Get("expand"))

	all := collect(t, dayforce.Items(c.ScheduleChanges(ctx, "BRANCH_NORTH", day0, dayforce.ScheduleChangeOptions{})))
	onlyPosted := collect(t, dayforce.Items(c.ScheduleChanges(ctx, "BRANCH_NORTH", day0, dayforce.ScheduleChangeOptions{
		SchedulePostedOption: dayforce.PostedOnly, ExcludeNonProductiveShifts: true, UnscheduledEmployeeDays: 14,
		UnscheduledEmployeeOption: dayforce.UnscheduledPrimaryOnly, PageSize: 50})))
	q = lastQuery(srv, "/EmployeeSchedulesDelta")
	for k, v := range map[string]string{"schedulePostedOption": "1", "excludeNonProductiveShifts": "true", "unscheduledEmployeeDays": "14",
		"unscheduledEmployeeOption": "1", "pageSize": "50"} {
		assert.Equal(t, v, q.Get(k), k)
	}
	require.NotEmpty(t, onlyPosted)
	assert.Less(t, len(onlyPosted), len(all), "the drafts are left out")
	for _, ch := range onlyPosted {
		assert.True(t, ch.Published)
	}
	_, err = collectErr(c.ScheduleChanges(ctx, "BRANCH_NORTH", day0, dayforce.ScheduleChangeOptions{UnscheduledEmployeeDays: 61}))
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "at most 60 days")

	skills := collect(t, c.Skills(ctx, dayforce.CatalogFilter{PageSize: 4}))
	assert.Len(t, skills, 2, "6 skills in pages of 4")
	assert.Equal(t, "4", lastQuery(srv, "/Skills").Get("pageSize"))
	certs := collect(t, dayforce.Items(c.Certifications(ctx, dayforce.CatalogFilter{XRefCode: "SAFETY", PageSize: 10})))
	require.Len(t, certs, 1)
	assert.Equal(t, "10", lastQuery(srv, "/Certifications").Get("pageSize"))
}

func collectErr[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// TestProcessedPunchesAndOrgUnits: the shifts Dayforce made of a technician's raw
// punches, with a meal break and a transfer onto a work order; the org unit of the
// technician's location, its parent, and the company's children.
func TestProcessedPunchesAndOrgUnits(t *testing.T) {
	srv := dayforcetest.NewServer(t, dayforcetest.WithEmployees(20))
	c := newClient(t, srv, nil)
	badge := srv.Badge("E0007")
	est := time.FixedZone("EST", -5*3600)
	day := time.Date(2026, 1, 6, 0, 0, 0, 0, est)
	since := time.Now().Add(-time.Minute)
	for _, p := range []dayforce.Punch{
		{Type: dayforce.PunchIn, Time: day.Add(7 * time.Hour)},
		{Type: dayforce.PunchJobTransfer, Time: day.Add(9 * time.Hour), DocketXRefCode: "SR000042"},
		{Type: dayforce.PunchMealOut, Time: day.Add(12 * time.Hour)},
		{Type: dayforce.PunchMealIn, Time: day.Add(12*time.Hour + 30*time.Minute)},
		{Type: dayforce.PunchOut, Time: day.Add(15 * time.Hour)},
		{Type: dayforce.PunchIn, Time: day.Add(31 * time.Hour)}, // the next day's shift, still open
	} {
		p.Badge = badge
		_, err := c.PostPunch(ctx, p, dayforce.WriteOptions{})
		require.NoError(t, err)
	}
	window := dayforce.ProcessedPunchFilter{From: since, To: time.Now().Add(time.Minute), EmployeeXRefCode: "E0007"}
	shifts := collect(t, dayforce.Items(c.ProcessedPunches(ctx, window)))
	require.Len(t, shifts, 2, "a completed shift and an open one")
	done := shifts[0]
	assert.Equal(t, dayforce.ShiftCompleted, done.PunchStatus)
	assert.True(t, done.TimeStart.Equal(day.Add(7*time.Hour)))
	assert.True(t, done.TimeEnd.Equal(day.Add(15*time.Hour)))
	assert.InDelta(t, 7.5, done.NetHours, 1e-9, "8 hours less the 30-minute meal")
	require.Len(t, done.MealBreaks, 1)
	assert.Equal(t, "Meal", done.MealBreaks[0].Type)
	require.Len(t, done.Transfers, 1)
	assert.Equal(t, "SR000042", done.Transfers[0].DocketXRefCode)
	assert.Equal(t, dayforce.ShiftActive, shifts[1].PunchStatus)

	window.ShiftStatus, window.PageSize = dayforce.ShiftCompleted, 10
	completed := collect(t, dayforce.Items(c.ProcessedPunches(ctx, window)))
	require.Len(t, completed, 1)
	assert.Equal(t, done.PunchXRefCode, completed[0].PunchXRefCode, "ids are stable")
	q := lastQuery(srv, "/EmployeePunches")
	assert.Equal(t, "COMPLETED", q.Get("shiftStatus"))
	assert.Equal(t, "10", q.Get("pageSize"))
	window.ShiftStatus, window.DocketXRefCode = "", "SR999999"
	assert.Empty(t, collect(t, dayforce.Items(c.ProcessedPunches(ctx, window))))

	wa, err := c.WorkAssignments(ctx, "E0007", time.Time{})
	require.NoError(t, err)
	site := wa.Data[0].Location.XRefCode
	units, err := c.OrgUnits(ctx)
	require.NoError(t, err)
	codes := map[string]bool{}
	for _, u := range units.Data {
		codes[u.XRefCode] = true
	}
	assert.True(t, codes[site], "the technician's location is an org unit")
	ou, err := c.OrgUnit(ctx, site, dayforce.OrgUnitOptions{Expand: []string{"OrgUnitParents"}})
	require.NoError(t, err)
	assert.NotEmpty(t, ou.Data.Address)
	assert.Equal(t, "Site", ou.Data.OrgLevel.XRefCode)
	require.Len(t, ou.Data.OrgUnitParents.Items, 1)
	parent := ou.Data.OrgUnitParents.Items[0].ParentOrgUnit.XRefCode
	assert.Equal(t, "OrgUnitParents", lastQuery(srv, "/OrgUnits/"+site).Get("expand"))
	top, err := c.OrgUnit(ctx, parent, dayforce.OrgUnitOptions{Children: true})
	require.NoError(t, err)
	assert.Equal(t, "true", lastQuery(srv, "/OrgUnits/"+parent).Get("includeChildOrgUnits"))
	kids := map[string]bool{}
	for _, k := range top.Data.ChildOrgUnits.Items {
		kids[k.XRefCode] = true
	}
	assert.True(t, kids[site])
	_, err = c.OrgUnit(ctx, "NOWHERE", dayforce.OrgUnitOptions{})
	assert.ErrorIs(t, err, connectors.ErrNotFound, "Dayforce answers 400 for an unknown XRefCode")
}
