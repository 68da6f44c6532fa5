package dayforce_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
)

// List the field technicians of a branch with their skills and today's shift.
func Example_techniciansWithSkillsAndSchedule() {
	srv, err := dayforcetest.New(dayforcetest.WithEmployees(20)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	c, err := dayforce.New(srv.Config())
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	today := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // the organisation's business day

	techs, err := c.Employees(ctx, dayforce.EmployeeFilter{JobXRefCode: "FIELD_TECH", OrgUnitXRefCode: "BRANCH_NORTH"})
	if err != nil {
		panic(err)
	}
	for _, x := range techs.Data {
		e, err := c.Employee(ctx, x, dayforce.EmployeeOptions{Expand: []string{"Skills"}})
		if err != nil {
			panic(err)
		}
		var skills []string
		for _, s := range e.Data.Skills.Items {
			skills = append(skills, s.Skill.XRefCode+"/"+s.SkillLevel.XRefCode)
		}
		shifts, err := c.EmployeeSchedules(ctx, x, today, today.AddDate(0, 0, 1), dayforce.ScheduleOptions{})
		if err != nil {
			panic(err)
		}
		for _, s := range shifts.Data {
			fmt.Println(x, skills, s.TimeStart.Format("15:04"), "-", s.TimeEnd.Format("15:04"))
		}
	}
	// Output:
	// E0004 [NETWORK/L1 HVAC/L2] 07:00 - 15:00
	// E0008 [PLUMBING/L1 NETWORK/L2] 07:00 - 15:00
	// E0012 [HVAC/L1 PLUMBING/L2] 07:00 - 15:00
}

// Post a technician's punch: the work-order start, as a job transfer onto its docket.
// Retries never duplicate it. Dayforce answers 200 with no body (or, as its OpenAPI
// document shows, the stored punch and its warnings, which reach the caller); the
// stored punch is read back by time.
func ExampleClient_PostPunch() {
	srv, err := dayforcetest.New(dayforcetest.WithEmployees(20)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, err := dayforce.New(srv.Config())
	if err != nil {
		panic(err)
	}
	est := time.FixedZone("EST", -5*3600)
	r, err := c.StartWorkOrder(context.Background(), dayforce.WorkOrderPunch{
		Badge: srv.Badge("E0003"), Time: time.Date(2026, 1, 5, 10, 30, 0, 0, est), WorkOrder: "SR000042",
	}, dayforce.WriteOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Attempts, len(r.Warnings))
	at := time.Date(2026, 1, 5, 10, 30, 0, 0, est)
	for p, err := range dayforce.Items(c.RawPunches(context.Background(), dayforce.PunchFilter{EmployeeXRefCode: "E0003",
		From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})) {
		if err == nil && p.RawPunchTime.Equal(at) {
			fmt.Println(p.PunchType, p.PunchState, p.RawPunchTime.UTC().Format(time.RFC3339), p.ExtraData.DocketXRefCode)
		}
	}
	// Output:
	// 1 0
	// Job_Transfer Processed 2026-01-05T15:30:00Z SR000042
}
