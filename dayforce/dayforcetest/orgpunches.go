package dayforcetest

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
)

// companyOrg is the seeded organisation's root org unit; the branches are its
// children (test data, as a customer's organisation would be).
const companyOrg = "DISPATCH_CO"

// orgUnit is a seeded org unit as GET OrgUnits/{xRefCode} answers it (the vendor's
// Location schema): a branch with its address, time zone, level and parent, or the
// company with its children when includeChildOrgUnits is true.
func orgUnit(x string, children bool) (dayforce.Location, bool) {
	since := dt(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC))
	if x == companyOrg {
		l := dayforce.Location{XRefCode: companyOrg, ShortName: "Dispatch Co", LongName: "Dispatch Company", CountryCode: "CAN", StateCode: "ON",
			OrgLevel: dayforce.OrgLevel{XRefCode: "Corporate", ShortName: "Corporate"}}
		if children {
			for _, b := range orgUnits {
				l.ChildOrgUnits.Items = append(l.ChildOrgUnits.Items, dayforce.ChildLocation{XRefCode: b, ShortName: strings.ReplaceAll(b, "_", " "),
					OrgLevel: dayforce.OrgLevel{XRefCode: "Site", ShortName: "Site"}})
			}
		}
		return l, true
	}
	for i, b := range orgUnits {
		if b != x {
			continue
		}
		return dayforce.Location{XRefCode: b, ShortName: strings.ReplaceAll(b, "_", " "), LongName: "Dispatch " + strings.ReplaceAll(b, "_", " "),
			PhysicalLocation: true, Address: fmt.Sprintf("%d King Street West", 100+i*100), PostalCode: "M5H 1A1", CountryCode: "CAN", StateCode: "ON",
			OrgLevel: dayforce.OrgLevel{XRefCode: "Site", ShortName: "Site"},
			OrgUnitParents: dayforce.OrgUnitParentCollection{Items: []dayforce.OrgUnitParent{{
				ParentOrgUnit: dayforce.HRConfigurationEntity{XRefCode: companyOrg, ShortName: "Dispatch Co"}, EffectiveStart: since}}}}, true
	}
	return dayforce.Location{}, false
}

func (s *Server) listOrgUnits(w http.ResponseWriter) {
	// "A collection of OrgUnit XRefCodes" (dayforce-openapi.yaml, GET OrgUnits)
	out := []dayforce.Location{{XRefCode: companyOrg}}
	for _, b := range orgUnits {
		out = append(out, dayforce.Location{XRefCode: b})
	}
	ok(w, out, nil, false, "")
}

func (s *Server) getOrgUnit(w http.ResponseWriter, x string, q url.Values) {
	l, found := orgUnit(x, q.Get("includeChildOrgUnits") == "true")
	if !found {
		// "otherwise, a bad request (400) error will be returned" (dayforce-openapi.yaml);
		// the ProcessResult's code is invented
		results(w, http.StatusBadRequest, false, result("ERROR", "HR_OrgUnit_InvalidXRefCode", "XRefCode", "The XRefCode is invalid: no org unit matches it."))
		return
	}
	ok(w, l, nil, false, "")
}

// listProcessedPunches answers GET EmployeePunches: the raw punches of each employee
// made into shifts. Assumptions (Dayforce documents the shapes, not how it makes
// them): a shift runs from a Punch_In to the next Punch_Out (ACTIVE until then,
// COMPLETED after, the PunchStatus values being the shiftStatus filter's words); a
// Meal_Out or Break_Out starts a meal break the next Meal_In or Break_In ends; a
// Job_Transfer is a transfer; the transaction period filters on when the shift's
// first punch was received, as for raw punches.
func (s *Server) listProcessedPunches(w http.ResponseWriter, r *http.Request, q url.Values) {
	from, to := queryTime(q, "filterTransactionStartTimeUTC"), queryTime(q, "filterTransactionEndTimeUTC")
	type raw struct {
		p  dayforce.EmployeeRawPunch
		at time.Time
	}
	byEmp := map[string][]raw{}
	for i, p := range s.punches {
		byEmp[p.EmployeeXRefCode] = append(byEmp[p.EmployeeXRefCode], raw{p, s.received[i]})
	}
	codes := make([]string, 0, len(byEmp))
	for x := range byEmp {
		codes = append(codes, x)
	}
	sort.Strings(codes)
	status := strings.ToUpper(q.Get("shiftStatus"))
	var out []dayforce.EmployeePunch
	for _, x := range codes {
		if q.Get("employeeXRefCode") != "" && q.Get("employeeXRefCode") != x {
			continue
		}
		rs := byEmp[x]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].p.RawPunchTime.Before(rs[j].p.RawPunchTime.Time) })
		var cur *dayforce.EmployeePunch
		var first time.Time
		var mealStart *dayforce.DateTime
		emit := func() {
			if cur == nil {
				return
			}
			end := cur.TimeEnd.Time
			if end.IsZero() {
				cur.PunchStatus = dayforce.ShiftActive
			} else {
				cur.PunchStatus = dayforce.ShiftCompleted
				net := end.Sub(cur.TimeStart.Time)
				for _, m := range cur.MealBreaks {
					net -= m.TimeEnd.Sub(m.TimeStart.Time)
				}
				cur.NetHours = net.Hours()
			}
			keep := !first.Before(from) && !first.After(to) && (status == "" || status == "ALL" || status == cur.PunchStatus) &&
				(q.Get("docketXRefCode") == "" || docketOf(cur) == q.Get("docketXRefCode"))
			if keep {
				out = append(out, *cur)
			}
			cur = nil
		}
		for _, rp := range rs {
			t := rp.p.RawPunchTime
			switch rp.p.PunchType {
			case dayforce.PunchIn:
				emit()
				cur = &dayforce.EmployeePunch{PunchXRefCode: "EP" + strings.TrimPrefix(rp.p.RawPunchXRefCode, "RP"), EmployeeXRefCode: x, TimeStart: t, TimeStartRaw: t,
					LocationXRefCode: rp.p.LocationXRefCode, PositionXRefCode: rp.p.PositionXRefCode, DocketXRefCode: rp.p.ExtraData.DocketXRefCode,
					BusinessDate: dt(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))}
				first = rp.at
			case dayforce.PunchOut:
				if cur != nil {
					cur.TimeEnd, cur.TimeEndRaw = t, t
					emit()
				}
			case dayforce.PunchMealOut, dayforce.PunchBreakOut:
				if cur != nil {
					mt := t
					mealStart = &mt
				}
			case dayforce.PunchMealIn, dayforce.PunchBreakIn:
				if cur != nil && mealStart != nil {
					kind := "Meal"
					if rp.p.PunchType == dayforce.PunchBreakIn {
						kind = "Break"
					}
					cur.MealBreaks = append(cur.MealBreaks, dayforce.MealBreak{Type: kind, TimeStart: *mealStart, TimeEnd: t, TimeStartRaw: *mealStart, TimeEndRaw: t,
						NetHours: t.Sub(mealStart.Time).Hours()})
					mealStart = nil
				}
			case dayforce.PunchJobTransfer:
				if cur != nil {
					cur.Transfers = append(cur.Transfers, dayforce.Transfer{TimeStart: t, TimeStartRaw: t, LocationXRefCode: rp.p.LocationXRefCode,
						PositionXRefCode: rp.p.PositionXRefCode, DocketXRefCode: rp.p.ExtraData.DocketXRefCode, ProjectXRefCode: rp.p.ExtraData.ProjectXRefCode})
				}
			}
		}
		emit()
	}
	writePage(s, w, r, nonNil(out))
}

// docketOf is the docket a shift worked on: its own, or its last transfer's.
func docketOf(p *dayforce.EmployeePunch) string {
	for i := len(p.Transfers) - 1; i >= 0; i-- {
		if p.Transfers[i].DocketXRefCode != "" {
			return p.Transfers[i].DocketXRefCode
		}
	}
	return p.DocketXRefCode
}
