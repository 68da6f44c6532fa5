package dayforce_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/internal/fakekit"
)

// List the field technicians of a branch with their skills and today's shift.
func Example_techniciansWithSkillsAndSchedule() {
	tb := &fakekit.ExampleTB{}
	defer tb.Stop()
	srv := dayforcetest.NewServer(tb, dayforcetest.WithEmployees(20))

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
		shifts, err := c.EmployeeSchedules(ctx, x, today, today.AddDate(0, 0, 1))
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
// Retries never duplicate it, and a warning on the answer reaches the caller.
func ExampleClient_PostPunch() {
	tb := &fakekit.ExampleTB{}
	defer tb.Stop()
	srv := dayforcetest.NewServer(tb, dayforcetest.WithEmployees(20))
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
	fmt.Println(r.Punch.PunchType, r.Punch.RawPunchTime.UTC().Format(time.RFC3339), r.Punch.ExtraData.DocketXRefCode, len(r.Warnings))
	// Output:
	// Job_Transfer 2026-01-05T15:30:00Z SR000042 0
}
