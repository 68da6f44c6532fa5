package dayforcetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
)

type employee struct {
	rec       dayforce.Employee
	badge     string
	assign    dayforce.EmployeeWorkAssignment
	skills    []dayforce.EmployeeSkill
	certs     []dayforce.LMSEmployeeCertification
	schedules []dayforce.EmployeeSchedule
	tafw      []dayforce.EmployeeTimeAwayFromWork
}

// Skill codes match reachtest's technician skills.
var skillCodes = []string{"HVAC", "ELECTRICAL", "PLUMBING", "TIRES", "NETWORK", "GENERATOR"}

var orgUnits = []string{"BRANCH_NORTH", "BRANCH_SOUTH", "BRANCH_EAST", "BRANCH_WEST"}

var first = []string{"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn"}
var last = []string{"Nguyen", "Smith", "Patel", "Garcia", "Kim", "Brown", "Singh", "Martin", "Lee", "Roy"}

// Technicians returns how many of the seeded employees are field technicians
// (E0001 … E%04d of that number).
func Technicians(employees int) int { return employees * 6 / 10 }

func dt(t time.Time) dayforce.DateTime { return dayforce.NewDateTime(t) }

func (s *Server) seed(cfg config) {
	r := rand.New(rand.NewPCG(3, 5))
	for _, code := range skillCodes {
		s.skills = append(s.skills, dayforce.Skill{XRefCode: code, ShortName: strings.ToLower(code), LongName: code + " service",
			SkillLevel: []dayforce.SkillLevel{{XRefCode: "L1", RankOrder: 1, ShortName: "Junior"}, {XRefCode: "L2", RankOrder: 2, ShortName: "Senior"}}})
	}
	for _, code := range []string{"SAFETY", "EPA608", "ELEC_LICENSE"} {
		s.certs = append(s.certs, dayforce.LMSCertification{XRefCode: code, ShortName: code, LongName: code + " certification",
			ExpirationUnit: "Years", ExpirationValue: 2})
	}
	day0 := time.Date(cfg.start.Year(), cfg.start.Month(), cfg.start.Day(), 0, 0, 0, 0, time.UTC)
	techs := Technicians(cfg.employees)
	for i := 1; i <= cfg.employees; i++ {
		x := fmt.Sprintf("E%04d", i)
		job, title := "FIELD_TECH", "Field Technician"
		if i > techs {
			job, title = []string{"DISPATCHER", "WAREHOUSE", "SUPERVISOR"}[i%3], "Staff"
		}
		org := orgUnits[i%len(orgUnits)]
		hired := day0.AddDate(-1-i%9, -(i % 12), 0)
		e := &employee{badge: fmt.Sprintf("B%05d", 10000+i)}
		e.assign = dayforce.EmployeeWorkAssignment{IsPrimary: true, BusinessTitle: title, EffectiveStart: dt(hired),
			Position: dayforce.Position{XRefCode: org + "_" + job, ShortName: title, Job: dayforce.Job{XRefCode: job, ShortName: title},
				Department: dayforce.Department{XRefCode: "FIELD_SERVICE", ShortName: "Field service"}},
			Location: dayforce.Location{XRefCode: org, ShortName: strings.ReplaceAll(org, "_", " "), CountryCode: "CAN", StateCode: "ON"}}
		e.rec = dayforce.Employee{XRefCode: x, EmployeeNumber: strconv.Itoa(10000 + i), FirstName: first[i%len(first)],
			LastName: last[(i/len(first))%len(last)], HireDate: dt(hired), BadgeNumber: e.badge,
			LastModifiedTimestamp: dt(day0.AddDate(0, 0, -(i % 30)))}
		e.rec.DisplayName = e.rec.FirstName + " " + e.rec.LastName
		if job == "FIELD_TECH" {
			for k, code := range []string{skillCodes[i%len(skillCodes)], skillCodes[(i+2)%len(skillCodes)]} {
				e.skills = append(e.skills, dayforce.EmployeeSkill{Skill: dayforce.Skill{XRefCode: code, ShortName: strings.ToLower(code)},
					SkillLevel: dayforce.SkillLevel{XRefCode: []string{"L1", "L2"}[(i+k)%2], RankOrder: int32(1 + (i+k)%2)}, EffectiveStart: dt(hired)})
			}
			e.certs = append(e.certs, dayforce.LMSEmployeeCertification{LMSCertification: dayforce.LMSCertification{XRefCode: "SAFETY", ShortName: "SAFETY"},
				CertificationNumber: fmt.Sprintf("S-%05d", i), EffectiveStart: dt(day0.AddDate(-1, 0, 0)), EffectiveEnd: dt(day0.AddDate(1, 0, 0))})
		}
		// shifts Monday to Friday over four weeks around the start, 07:00 or 08:00 for 8 h
		for d := -7; d < 21; d++ {
			day := day0.AddDate(0, 0, d)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || r.IntN(20) == 0 {
				continue
			}
			start := day.Add(time.Duration(7+i%2) * time.Hour)
			// the schedules of the third week out are drafted, not yet posted
			e.schedules = append(e.schedules, dayforce.EmployeeSchedule{EmployeeScheduleXRefCode: fmt.Sprintf("S-%s-%s", x, day.Format("20060102")),
				EmployeeXRefCode: x, TimeStart: dt(start), TimeEnd: dt(start.Add(8 * time.Hour)), NetHours: 7.5, OrgUnitXRefCode: org,
				PositionXRefCode: e.assign.Position.XRefCode, JobXRefCode: job, DepartmentXRefCode: "FIELD_SERVICE", Published: d < 14,
				Breaks: []dayforce.Breaks{{TimeStart: dt(start.Add(4 * time.Hour)), TimeEnd: dt(start.Add(4*time.Hour + 30*time.Minute)), NetHours: 0.5, Type: "Meal"}}})
		}
		if i%10 == 0 {
			off := day0.AddDate(0, 0, 2+i%5)
			e.tafw = append(e.tafw, dayforce.EmployeeTimeAwayFromWork{TAFWXRefCode: "TAFW-" + x, TimeStart: dt(off), TimeEnd: dt(off.Add(24 * time.Hour)),
				AllDay: true, NetHours: 8, ReasonName: "Vacation", DateOfRequest: dt(day0.AddDate(0, 0, -14))})
		}
		s.employees = append(s.employees, e)
		s.byXRef[x], s.byBadge[e.badge] = e, e
	}
	// last Friday's punches of the technicians
	fri := day0.AddDate(0, 0, -3)
	for _, e := range s.employees[:techs] {
		in := fri.Add(8 * time.Hour)
		s.store(dayforce.EmployeeRawPunch{EmployeeBadge: e.badge, EmployeeXRefCode: e.rec.XRefCode, PunchType: dayforce.PunchIn, RawPunchTime: offset(in), PunchState: "Processed", PunchDevice: "clock"})
		s.store(dayforce.EmployeeRawPunch{EmployeeBadge: e.badge, EmployeeXRefCode: e.rec.XRefCode, PunchType: dayforce.PunchOut, RawPunchTime: offset(in.Add(8 * time.Hour)), PunchState: "Processed", PunchDevice: "clock"})
	}
}

func offset(t time.Time) dayforce.DateTime { return dayforce.DateTime{Time: t, Offset: true} }

func (s *Server) store(p dayforce.EmployeeRawPunch) dayforce.EmployeeRawPunch {
	return s.storeAt(p, p.RawPunchTime.UTC())
}

// storeAt keeps a punch Dayforce received at (its transaction time).
func (s *Server) storeAt(p dayforce.EmployeeRawPunch, at time.Time) dayforce.EmployeeRawPunch {
	s.punchSeq++
	p.RawPunchXRefCode = fmt.Sprintf("RP%07d", s.punchSeq)
	s.punches = append(s.punches, p)
	s.received = append(s.received, at)
	return p
}

// Punches returns the raw punches the fake holds for a badge, in posting order.
func (s *Server) Punches(badge string) []dayforce.EmployeeRawPunch {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []dayforce.EmployeeRawPunch
	for _, p := range s.punches {
		if p.EmployeeBadge == badge {
			out = append(out, p)
		}
	}
	return out
}

// Badge returns the badge number of an employee ("" if unknown).
func (s *Server) Badge(xRefCode string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byXRef[xRefCode]; e != nil {
		return e.badge
	}
	return ""
}

// EmployeeSkills returns the skills the fake holds for an employee.
func (s *Server) EmployeeSkills(xRefCode string) []dayforce.EmployeeSkill {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byXRef[xRefCode]; e != nil {
		return append([]dayforce.EmployeeSkill(nil), e.skills...)
	}
	return nil
}

// queryTime reads a Dayforce date parameter (already validated).
func queryTime(q url.Values, name string) time.Time {
	v := q.Get(name)
	if v == "" {
		return time.Time{}
	}
	var d dayforce.DateTime
	if err := d.UnmarshalText([]byte(v)); err != nil {
		return time.Time{}
	}
	return d.Time
}

// page cuts items at an opaque cursor. The cursor holds characters that must be
// percent-encoded, so a client that re-encodes Next breaks, as with Dayforce.
func page[T any](s *Server, r *http.Request, items []T) ([]T, string, bool) {
	q := r.URL.Query()
	size := 1000
	if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 {
		size = n
	}
	from := 0
	if c := q.Get("cursor"); c != "" {
		b, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return nil, "", false
		}
		n, err := strconv.Atoi(strings.TrimPrefix(string(b), "offset/"))
		if err != nil || n < 0 || n > len(items) {
			return nil, "", false
		}
		from = n
	}
	end := min(from+size, len(items))
	next := ""
	if end < len(items) {
		nq := url.Values{}
		for k, v := range q {
			if k != "cursor" {
				nq[k] = v
			}
		}
		nq.Set("cursor", base64.StdEncoding.EncodeToString([]byte("offset/"+strconv.Itoa(end))))
		base := s.nextHost
		if base == "" {
			base = s.Hosts[s.current].URL
		}
		next = base + r.URL.Path + "?" + nq.Encode()
	}
	return items[from:end], next, true
}

// call is one request to an operation: where its method answers and what it reads,
// with the employee its xRefCode names (nil for operations without one).
type call struct {
	*fakekit.Call
	arr          bool // the operation answers an array of results
	validateOnly bool // isValidateOnly=true: check, change nothing
	e            *employee
}

// api answers the contract's operations (operations.gen.go) on the server's state,
// which handle holds locked.
type api struct{ *Server }

func (s *Server) handle(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body []byte, arr bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	req := &call{Call: fakekit.NewCall(w, r, body), arr: arr, validateOnly: q.Get("isValidateOnly") == "true"}
	if x, ok := params["xRefCode"]; ok && op != "getOrgUnit" {
		if req.e = s.byXRef[x]; req.e == nil {
			results(w, http.StatusBadRequest, arr, result("ERROR", "HR_Employee_InvalidXRefCode", "xRefCode",
				"The employee XRefCode does not match an employee."))
			return
		}
	}
	if !dispatch(api{s}, op, req, params) {
		results(w, http.StatusNotImplemented, arr, result("ERROR", "SYS_NotImplemented", "", op+" is not implemented by the fake"))
	}
}

// GetOrgUnit answers getOrgUnit (its xRefCode names an org unit, not an employee).
func (s api) GetOrgUnit(req *call, _ string, xRefCode string) {
	s.getOrgUnit(req.W, xRefCode, req.Q)
}

// GetClientMetadata answers getClientMetadata.
func (s api) GetClientMetadata(req *call, clientNamespace string) {
	w := req.W
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(dayforce.ClientMetadata{ServiceVersion: "66.1.1.15016", ServiceURI: s.Hosts[s.current].URL + "/Api"})
}

// ListEmployees answers listEmployees.
func (s api) ListEmployees(req *call, clientNamespace string) {
	w, q := req.W, req.Q
	s.listEmployees(w, q)
}

// GetEmployee answers getEmployee.
func (s api) GetEmployee(req *call, clientNamespace string, xRefCode string) {
	w, q, e := req.W, req.Q, req.e
	ok(w, s.expand(e, q.Get("expand")), nil, false, "")
}

// GetEmployeeWorkAssignments answers getEmployeeWorkAssignments.
func (s api) GetEmployeeWorkAssignments(req *call, clientNamespace string, xRefCode string) {
	w, e := req.W, req.e
	ok(w, []dayforce.EmployeeWorkAssignment{e.assign}, nil, false, "")
}

// GetEmployeeSkills answers getEmployeeSkills.
func (s api) GetEmployeeSkills(req *call, clientNamespace string, xRefCode string) {
	w, e := req.W, req.e
	ok(w, e.skills, nil, false, "")
}

// PatchEmployeeSkill answers patchEmployeeSkill.
func (s api) PatchEmployeeSkill(req *call, clientNamespace string, xRefCode string) {
	w, body, e, validateOnly, arr := req.W, req.Body, req.e, req.validateOnly, req.arr
	s.patchSkill(w, e, body, validateOnly, arr)
}

// GetEmployeeCertifications answers getEmployeeCertifications.
func (s api) GetEmployeeCertifications(req *call, clientNamespace string, xRefCode string) {
	w, e := req.W, req.e
	ok(w, e.certs, nil, false, "")
}

// ListSkills answers listSkills.
func (s api) ListSkills(req *call, clientNamespace string) {
	w, r, q := req.W, req.R, req.Q
	writePage(s.Server, w, r, filterX(s.skills, q.Get("xRefCode"), func(k dayforce.Skill) string { return k.XRefCode }))
}

// ListCertifications answers listCertifications.
func (s api) ListCertifications(req *call, clientNamespace string) {
	w, r, q := req.W, req.R, req.Q
	writePage(s.Server, w, r, filterX(s.certs, q.Get("xRefCode"), func(k dayforce.LMSCertification) string { return k.XRefCode }))
}

// GetEmployeeSchedules answers getEmployeeSchedules.
func (s api) GetEmployeeSchedules(req *call, clientNamespace string, xRefCode string) {
	w, q, e := req.W, req.Q, req.e
	from, to := queryTime(q, "filterScheduleStartDate"), queryTime(q, "filterScheduleEndDate")
	// isPosted: "A flag to determine whether to display posted schedules. By
	// default it searches for published schedules" (dayforce-openapi.yaml)
	posted := q.Get("isPosted") != "false"
	out := []dayforce.EmployeeSchedule{}
	for _, sh := range shifts(e, from, to, false) {
		if sh.Published == posted {
			out = append(out, sh)
		}
	}
	ok(w, out, nil, false, "")
}

// ListEmployeeSchedules answers listEmployeeSchedules.
func (s api) ListEmployeeSchedules(req *call, clientNamespace string) {
	w, r, q := req.W, req.R, req.Q
	s.listSchedules(w, r, q)
}

// ListEmployeeSchedulesDelta answers listEmployeeSchedulesDelta.
func (s api) ListEmployeeSchedulesDelta(req *call, clientNamespace string) {
	w, r, q := req.W, req.R, req.Q
	s.listDelta(w, r, q)
}

// GetEmployeeAvailability answers getEmployeeAvailability.
func (s api) GetEmployeeAvailability(req *call, clientNamespace string, xRefCode string) {
	w, q, e := req.W, req.Q, req.e
	s.availability(w, e, q)
}

// GetEmployeeTimeAwayFromWork answers getEmployeeTimeAwayFromWork.
func (s api) GetEmployeeTimeAwayFromWork(req *call, clientNamespace string, xRefCode string) {
	w, q, e := req.W, req.Q, req.e
	from, to := queryTime(q, "filterTAFWStartDate"), queryTime(q, "filterTAFWEndDate")
	var out []dayforce.EmployeeTimeAwayFromWork
	if q.Get("status") == "APPROVED" {
		for _, t := range e.tafw {
			if !t.TimeEnd.Before(from) && !t.TimeStart.After(to) {
				out = append(out, t)
			}
		}
	}
	ok(w, nonNil(out), nil, false, "")
}

// ListEmployeeRawPunches answers listEmployeeRawPunches.
func (s api) ListEmployeeRawPunches(req *call, clientNamespace string) {
	w, r, q := req.W, req.R, req.Q
	s.listPunches(w, r, q)
}

// ListEmployeePunches answers listEmployeePunches.
func (s api) ListEmployeePunches(req *call, clientNamespace string) {
	w, r, q := req.W, req.R, req.Q
	s.listProcessedPunches(w, r, q)
}

// ListOrgUnits answers listOrgUnits.
func (s api) ListOrgUnits(req *call, clientNamespace string) {
	w := req.W
	s.listOrgUnits(w)
}

// PostEmployeeRawPunch answers postEmployeeRawPunch.
func (s api) PostEmployeeRawPunch(req *call, clientNamespace string) {
	w, body, validateOnly := req.W, req.Body, req.validateOnly
	s.postPunch(w, body, validateOnly)
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func filterX[T any](items []T, x string, key func(T) string) []T {
	if x == "" {
		return items
	}
	var out []T
	for _, it := range items {
		if key(it) == x {
			out = append(out, it)
		}
	}
	return out
}

func writePage[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) {
	data, next, good := page(s, r, items)
	if !good {
		results(w, http.StatusBadRequest, false, result("ERROR", "SYS_InvalidCursor", "cursor", "The cursor is not valid."))
		return
	}
	ok(w, nonNil(data), nil, true, next)
}

func (s *Server) listEmployees(w http.ResponseWriter, q url.Values) {
	from, to := queryTime(q, "filterUpdatedStartDate"), queryTime(q, "filterUpdatedEndDate")
	if from.IsZero() != to.IsZero() {
		results(w, http.StatusBadRequest, false, result("ERROR", "HR_Employee_FilterUpdatedDatesRequired", "filterUpdatedStartDate",
			"filterUpdatedStartDate and filterUpdatedEndDate must be given together."))
		return
	}
	type ref struct{ XRefCode string }
	out := []ref{}
	for _, e := range s.employees {
		a := e.assign
		if v := q.Get("employeeNumber"); v != "" && v != e.rec.EmployeeNumber ||
			q.Get("displayName") != "" && !strings.Contains(strings.ToLower(e.rec.DisplayName), strings.ToLower(q.Get("displayName"))) ||
			q.Get("orgUnitXRefCode") != "" && q.Get("orgUnitXRefCode") != a.Location.XRefCode ||
			q.Get("departmentXRefCode") != "" && q.Get("departmentXRefCode") != a.Position.Department.XRefCode ||
			q.Get("jobXRefCode") != "" && q.Get("jobXRefCode") != a.Position.Job.XRefCode ||
			q.Get("positionXRefCode") != "" && q.Get("positionXRefCode") != a.Position.XRefCode ||
			q.Get("employmentStatusXRefCode") != "" && q.Get("employmentStatusXRefCode") != "ACTIVE" ||
			!from.IsZero() && (e.rec.LastModifiedTimestamp.Before(from) || e.rec.LastModifiedTimestamp.After(to)) {
			continue
		}
		out = append(out, ref{e.rec.XRefCode})
	}
	ok(w, out, nil, false, "")
}

// expand returns the employee with the requested collections.
func (s *Server) expand(e *employee, expand string) dayforce.Employee {
	out := e.rec
	for _, x := range strings.Split(expand, ",") {
		switch strings.TrimSpace(x) {
		case "WorkAssignments":
			out.WorkAssignments.Items = []dayforce.EmployeeWorkAssignment{e.assign}
		case "Skills":
			out.Skills.Items = nonNil(e.skills)
		case "EmployeeCertifications":
			out.EmployeeCertifications.Items = nonNil(e.certs)
		case "Locations":
			out.Locations.Items = []dayforce.EmployeeLocation{{IsPrimary: true, Location: e.assign.Location, EffectiveStart: e.assign.EffectiveStart}}
		case "Badges":
			out.Badges.Items = []dayforce.EmployeeBadge{{BadgeNumber: e.badge, EffectiveStart: e.assign.EffectiveStart}}
		case "EmploymentStatuses":
			out.EmploymentStatuses.Items = []dayforce.EmployeeEmploymentStatus{{EffectiveStart: e.assign.EffectiveStart,
				EmploymentStatus: dayforce.EmploymentStatus{XRefCode: "ACTIVE", ShortName: "Active"}}}
		}
	}
	return out
}

// shifts returns the shifts starting in [from, to) (inclusive end when incl).
func shifts(e *employee, from, to time.Time, incl bool) []dayforce.EmployeeSchedule {
	out := []dayforce.EmployeeSchedule{}
	for _, sh := range e.schedules {
		if !sh.TimeStart.Before(from) && (sh.TimeStart.Before(to) || incl && sh.TimeStart.Equal(to)) {
			out = append(out, sh)
		}
	}
	return out
}

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request, q url.Values) {
	from, to := queryTime(q, "filterScheduleStartDate"), queryTime(q, "filterScheduleEndDate")
	var all []dayforce.EmployeeSchedule
	for _, e := range s.employees {
		if x := q.Get("employeeXRefCode"); x != "" && x != e.rec.XRefCode {
			continue
		}
		for _, sh := range shifts(e, from, to, true) {
			if (q.Get("orgUnitXRefCode") == "" || q.Get("orgUnitXRefCode") == sh.OrgUnitXRefCode) &&
				(q.Get("jobXRefCode") == "" || q.Get("jobXRefCode") == sh.JobXRefCode) &&
				(q.Get("positionXRefCode") == "" || q.Get("positionXRefCode") == sh.PositionXRefCode) &&
				(q.Get("departmentXRefCode") == "" || q.Get("departmentXRefCode") == sh.DepartmentXRefCode) &&
				q.Get("unfill") != "true" {
				all = append(all, sh)
			}
		}
	}
	writePage(s, w, r, all)
}

func (s *Server) listDelta(w http.ResponseWriter, r *http.Request, q url.Values) {
	from := queryTime(q, "scheduleChangesFromDate")
	org := q.Get("orgUnitXRefCode")
	var all []dayforce.EmployeeScheduleExtended
	for _, e := range s.employees {
		for _, sh := range e.schedules {
			// schedulePostedOption: 0 All, 1 Posted, 2 Unposted (dayforce-openapi.yaml);
			// excludeNonProductiveShifts is a no-op here (no seeded shift is
			// non-productive); unscheduledEmployeeDays is accepted and not modeled (the
			// document does not show how free days are answered)
			if sh.OrgUnitXRefCode != org || sh.TimeStart.Before(from) ||
				q.Get("schedulePostedOption") == "1" && !sh.Published || q.Get("schedulePostedOption") == "2" && sh.Published {
				continue
			}
			all = append(all, dayforce.EmployeeScheduleExtended{EmployeeScheduleXRefCode: sh.EmployeeScheduleXRefCode,
				EmployeeXRefCode: sh.EmployeeXRefCode, TimeStart: sh.TimeStart, TimeEnd: sh.TimeEnd, NetHours: sh.NetHours,
				OrgUnitXRefCode: org, JobXRefCode: sh.JobXRefCode, DepartmentXRefCode: sh.DepartmentXRefCode, Published: sh.Published,
				Employee: dayforce.ScheduleEmployee{XRefCode: e.rec.XRefCode, BadgeNumber: e.badge, DisplayName: e.rec.DisplayName}})
		}
	}
	writePage(s, w, r, all)
}

func (s *Server) availability(w http.ResponseWriter, e *employee, q url.Values) {
	from, to := queryTime(q, "filterAvailabilityStartDate"), queryTime(q, "filterAvailabilityEndDate")
	out := []dayforce.EmployeeAvailability{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		a := dayforce.EmployeeAvailability{DateOfRequest: dt(d), IsDefault: true}
		off := false
		for _, t := range e.tafw {
			off = off || !d.Before(t.TimeStart.Time) && d.Before(t.TimeEnd.Time)
		}
		switch wd := d.Weekday(); {
		case off, wd == time.Sunday:
			a.UnAvailable, a.IsDefault = true, !off
		case wd == time.Saturday:
			a.StartTime1, a.EndTime1 = dayforce.TimeSpan(8*time.Hour), dayforce.TimeSpan(12*time.Hour)
		default:
			a.StartTime1, a.EndTime1 = dayforce.TimeSpan(6*time.Hour), dayforce.TimeSpan(24*time.Hour) // "1.00:00:00"
		}
		out = append(out, a)
	}
	ok(w, out, nil, false, "")
}

func (s *Server) patchSkill(w http.ResponseWriter, e *employee, body []byte, validateOnly, arr bool) {
	var in dayforce.EmployeeSkill
	if err := json.Unmarshal(body, &in); err != nil {
		results(w, http.StatusBadRequest, arr, result("ERROR", "SYS_DESERIALIZATION_ERROR", "employeeSkill", err.Error()))
		return
	}
	for i := range e.skills {
		sk := &e.skills[i]
		if sk.Skill.XRefCode != in.Skill.XRefCode || !in.EffectiveStart.IsZero() && !sk.EffectiveStart.Equal(in.EffectiveStart.Time) {
			continue
		}
		if validateOnly {
			ok(w, nil, []dayforce.ProcessResult{result("INFO", "SYS_ValidateOnly", "", "Validated; nothing was saved.")}, false, "")
			return
		}
		if in.SkillLevel.XRefCode != "" {
			sk.SkillLevel = in.SkillLevel
		}
		if in.EffectiveEnd.IsSpecified() {
			if in.EffectiveEnd.IsNull() {
				sk.EffectiveEnd = connectors.Clear[dayforce.DateTime]()
			} else {
				sk.EffectiveEnd = in.EffectiveEnd
			}
		}
		sk.LastModifiedTimestamp = dt(s.clk.Now())
		s.emit(dayforce.WebhookEvent{EventType: dayforce.WebhookEventTypeCertificationUpdated, EmployeeXRefCode: e.rec.XRefCode,
			SkillXRefCode: in.Skill.XRefCode, ChangedFields: []string{"SkillLevel", "EffectiveEnd"}})
		w.WriteHeader(http.StatusOK) // Dayforce answers a PATCH with 200 and no body
		return
	}
	results(w, http.StatusBadRequest, arr, result("ERROR", "HR_EmployeeSkill_InvalidXRefCode", "employeeSkill.Skill.XRefCode",
		"The skill XRefCode does not match a skill of the employee."))
}

func (s *Server) listPunches(w http.ResponseWriter, r *http.Request, q url.Values) {
	from, to := queryTime(q, "filterTransactionStartTimeUTC"), queryTime(q, "filterTransactionEndTimeUTC")
	types := map[string]bool{}
	for _, t := range strings.Split(q.Get("punchTypes"), ",") {
		if t != "" && t != "ALL" {
			types[t] = true
		}
	}
	var out []dayforce.EmployeeRawPunch
	for i, p := range s.punches {
		// filterTransactionStart/EndTimeUTC: Dayforce calls them only the
		// "transaction period" (dayforce-openapi.yaml, EmployeeRawPunches). Assumed
		// here: when Dayforce received the punch, not the punch time (the reading under
		// which a back-dated punch is hardest to find again; a seeded punch was received
		// when it was punched)
		at := s.received[i]
		if at.Before(from) || at.After(to) ||
			q.Get("employeeBadge") != "" && q.Get("employeeBadge") != p.EmployeeBadge ||
			q.Get("employeeXRefCode") != "" && q.Get("employeeXRefCode") != p.EmployeeXRefCode ||
			len(types) > 0 && !types[p.PunchType] ||
			q.Get("punchState") != "" && !strings.EqualFold(q.Get("punchState"), "ALL") && !strings.EqualFold(q.Get("punchState"), p.PunchState) {
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RawPunchTime.Before(out[j].RawPunchTime.Time) })
	writePage(s, w, r, out)
}

var punchTypes = map[string]bool{dayforce.PunchIn: true, dayforce.PunchOut: true, dayforce.PunchBreakIn: true, dayforce.PunchBreakOut: true,
	dayforce.PunchMealIn: true, dayforce.PunchMealOut: true, dayforce.PunchJobTransfer: true}

func (s *Server) postPunch(w http.ResponseWriter, body []byte, validateOnly bool) {
	var in dayforce.EmployeeRawPunchForSubmit
	if err := json.Unmarshal(body, &in); err != nil {
		results(w, http.StatusBadRequest, false, result("ERROR", "SYS_DESERIALIZATION_ERROR", "punch", err.Error()))
		return
	}
	e := s.byBadge[in.EmployeeBadge]
	at, err := time.Parse(time.RFC3339, in.RawPunchTime)
	switch {
	case e == nil:
		results(w, http.StatusBadRequest, false, result("ERROR", "TIME_RawPunch_InvalidBadge", "punch.EmployeeBadge", "The badge does not match an employee."))
		return
	case err != nil:
		results(w, http.StatusBadRequest, false, result("ERROR", "TIME_RawPunch_InvalidPunchTime", "punch.RawPunchTime", "RawPunchTime must carry its UTC offset."))
		return
	case !punchTypes[in.PunchType]:
		results(w, http.StatusBadRequest, false, result("ERROR", "TIME_RawPunch_InvalidPunchType", "punch.PunchType", "Unknown punch type."))
		return
	case in.LocationXRefCode != "" && in.LocationClockTransferCode != "":
		results(w, http.StatusBadRequest, false, result("ERROR", "TIME_RawPunch_AmbiguousLocation", "punch.LocationXRefCode", "Give the location by XRefCode or by clock transfer code, not both."))
		return
	}
	var warn []dayforce.ProcessResult
	if len(shifts(e, at.UTC().Add(-12*time.Hour), at.UTC().Add(12*time.Hour), true)) == 0 {
		warn = append(warn, result("WARN", "TIME_RawPunch_OutsideSchedule", "punch.RawPunchTime", "The punch is outside any scheduled shift."))
	}
	p := dayforce.EmployeeRawPunch{EmployeeBadge: e.badge, EmployeeXRefCode: e.rec.XRefCode, PunchType: in.PunchType, RawPunchTime: offset(at),
		PunchDevice: in.PunchDevice, PunchState: "Processed", LocationXRefCode: in.LocationXRefCode, PositionXRefCode: in.PositionXRefCode}
	p.ExtraData.DocketXRefCode, p.ExtraData.ProjectXRefCode, p.ExtraData.Quantity = in.DocketXRefCode, in.ProjectXRefCode, in.Quantity
	if validateOnly {
		if !s.payload { // "Dayforce returns HTTP Code 200" (WSO2 connector docs, isValidateOnly true)
			w.WriteHeader(http.StatusOK)
			return
		}
		// invented: the information result of a validate-only post
		warn = append(warn, result("INFO", "SYS_ValidateOnly", "", "Validated; nothing was saved."))
		ok(w, []dayforce.EmployeeRawPunch{}, warn, true, "")
		return
	}
	// received now by the wall clock, as Dayforce's own clock reads it (the fake's
	// business clock, s.clk, may be anywhere: tests move it)
	stored := s.storeAt(p, time.Now().UTC())
	if !s.payload {
		w.WriteHeader(http.StatusOK) // 200, no body: public integrations' documented answer
		return
	}
	ok(w, []dayforce.EmployeeRawPunch{stored}, warn, true, "")
}
