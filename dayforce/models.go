package dayforce

import "github.com/dispatchcenter/connectors/dayforce/internal/api"

// The Dayforce models, generated from openapi.yaml. Only the properties dispatch reads
// are declared; Dayforce sends more, and a property the web-services role may not see
// is simply absent (its zero value).
type (
	// Employee is an employee record; which collections are filled depends on expand.
	Employee = api.Employee
	// EmployeeWorkAssignment is a position held at a location over a period.
	EmployeeWorkAssignment = api.EmployeeWorkAssignment
	// Position is a job in a department.
	Position = api.Position
	// Job is a job definition.
	Job = api.Job
	// Department is a department.
	Department = api.Department
	// Location is an organisational unit (site, branch): what an employee's work
	// assignment names, and what [Client.OrgUnit] returns with its level, parents
	// and children.
	Location = api.Location
	// EmployeeSkill is a skill an employee holds, at a level, over a period.
	EmployeeSkill = api.EmployeeSkill
	// Skill is an entry of the skills catalog.
	Skill = api.Skill
	// SkillLevel is a level of a skill.
	SkillLevel = api.SkillLevel
	// LMSEmployeeCertification is a certification an employee holds.
	LMSEmployeeCertification = api.LMSEmployeeCertification
	// LMSCertification is an entry of the certifications catalog.
	LMSCertification = api.LMSCertification
	// EmployeeSchedule is a scheduled shift.
	EmployeeSchedule = api.EmployeeSchedule
	// EmployeeScheduleExtended is a shift as the schedule-changes endpoint reports it.
	EmployeeScheduleExtended = api.EmployeeScheduleExtended
	// EmployeeAvailability is an employee's availability on one day.
	EmployeeAvailability = api.EmployeeAvailability
	// EmployeeTimeAwayFromWork is a time-off request.
	EmployeeTimeAwayFromWork = api.EmployeeTimeAwayFromWork
	// EmployeeRawPunch is a clock entry as Dayforce stored it.
	EmployeeRawPunch = api.EmployeeRawPunch
	// PunchLaborMetric tags a punch with a labour metric (type and code).
	PunchLaborMetric = api.PunchLaborMetric
	// EmployeePunch is a processed punch: a shift as Dayforce made it from the raw
	// punches, with its status, meal breaks and transfers.
	EmployeePunch = api.EmployeePunch
	// MealBreak is a meal or break within an EmployeePunch.
	MealBreak = api.MealBreaks
	// Transfer is a job transfer within an EmployeePunch.
	Transfer = api.Transfers
	// OrgLevel is the level of an org unit in the organisation (site, region, …).
	OrgLevel = api.OrgLevel
	// OrgUnitParent is an org unit's parent over a period.
	OrgUnitParent = api.OrgUnitParent
	// ChildLocation is an org unit's immediate child.
	ChildLocation = api.ChildLocation
	// ProcessResult is a message Dayforce attaches to an answer (Level WARN, ERROR, …).
	ProcessResult = api.ProcessResult
	// DateTime is a Dayforce date (with or without a UTC offset).
	DateTime = api.DateTime
	// TimeSpan is a .NET TimeSpan, as availability times are sent.
	TimeSpan = api.TimeSpan
)

// NewDateTime returns t's wall clock as a [DateTime].
var NewDateTime = api.NewDateTime

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
