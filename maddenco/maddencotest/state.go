package maddencotest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/maddenco"
)

var (
	types  = []string{"tire-changer", "wheel-balancer", "vehicle-lift", "compressor", "service-truck", "generator", "torque-wrench"}
	makes  = []string{"Hunter", "Coats", "Rotary", "Ingersoll Rand", "Ford", "Generac", "Snap-on"}
	tasks  = []string{"inspect and lubricate", "calibrate", "replace filters", "safety inspection", "hydraulic service"}
	states = []maddenco.EquipmentStatus{maddenco.EquipmentStatusInService, maddenco.EquipmentStatusInService, maddenco.EquipmentStatusInService,
		maddenco.EquipmentStatusStandby, maddenco.EquipmentStatusInRepair, maddenco.EquipmentStatusOutOfService}
)

// Sites returns the ids of the seeded sites (S001…S040).
func Sites() []string {
	out := make([]string, 40)
	for i := range out {
		out[i] = fmt.Sprintf("S%03d", i+1)
	}
	return out
}

// EquipmentID returns the id of the i-th seeded piece of equipment (1-based).
func EquipmentID(i int) string { return fmt.Sprintf("EQ%05d", i) }

// PartNumber returns the part number of the i-th seeded part (1-based).
func PartNumber(i int) string { return fmt.Sprintf("P-%04d", i) }

func (s *Server) seed(cfg config) {
	r := rand.New(rand.NewPCG(3, 5))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sites := Sites()
	for i := 1; i <= cfg.equipment; i++ {
		id := EquipmentID(i)
		k := r.IntN(len(types))
		site := sites[i%len(sites)]
		at := t0.Add(time.Duration(r.IntN(24*30)) * time.Hour)
		start := t0.AddDate(-r.IntN(3), 0, 0)
		e := &maddenco.Equipment{ID: id, SerialNumber: fmt.Sprintf("SN-%08d", r.IntN(1e8)), Type: types[k], Make: makes[k],
			Model: fmt.Sprintf("M%d", 100+r.IntN(900)), Year: 2015 + r.IntN(11), Status: states[r.IntN(len(states))],
			Location: maddenco.Location{SiteID: site, Description: "Bay " + strconv.Itoa(1+r.IntN(12)),
				Latitude: 43.6 + r.Float64()*0.3, Longitude: -79.6 + r.Float64()*0.4, ReportedAt: at},
			Specifications: map[string]string{"power": []string{"110V", "220V", "diesel"}[r.IntN(3)], "capacity": strconv.Itoa(1000+r.IntN(9000)) + " lb"},
			Warranty:       maddenco.Warranty{Provider: makes[k], StartsOn: openapi_types.Date{Time: start}, EndsOn: openapi_types.Date{Time: start.AddDate(3, 0, 0)}},
			MeterHours:     float64(r.IntN(20000)), UpdatedAt: at}
		s.equipment[id] = e
		s.record(maddenco.ChangeKindEquipment, id, maddenco.ChangeOpUpsert, func(c *maddenco.Change) { c.Equipment = *e })
		sc := &maddenco.MaintenanceSchedule{ID: "MS" + id[2:], EquipmentID: id, Task: tasks[r.IntN(len(tasks))], IntervalDays: 30 * (1 + r.IntN(6)),
			LastDoneOn: openapi_types.Date{Time: t0.AddDate(0, 0, -r.IntN(90))}, UpdatedAt: at}
		sc.NextDueOn = openapi_types.Date{Time: sc.LastDoneOn.AddDate(0, 0, sc.IntervalDays)}
		s.schedules[sc.ID] = sc
		s.record(maddenco.ChangeKindMaintenanceSchedule, sc.ID, maddenco.ChangeOpUpsert, func(c *maddenco.Change) { c.MaintenanceSchedule = *sc })
		lg := &maddenco.MaintenanceLog{ID: "ML" + id[2:], EquipmentID: id, ScheduleID: sc.ID, PerformedAt: sc.LastDoneOn.Add(10 * time.Hour),
			PerformedBy: fmt.Sprintf("T%04d", 1+r.IntN(40)), Description: sc.Task, LaborHours: float64(1 + r.IntN(6)),
			PartsUsed: []maddenco.PartUsed{{PartNumber: PartNumber(1 + r.IntN(cfg.parts)), Quantity: 1 + r.IntN(3)}}}
		s.logs[lg.ID] = lg
		s.record(maddenco.ChangeKindMaintenanceLog, lg.ID, maddenco.ChangeOpUpsert, func(c *maddenco.Change) { c.MaintenanceLog = *lg })
	}
	for i := 1; i <= cfg.parts; i++ {
		pn := PartNumber(i)
		p := &maddenco.Part{PartNumber: pn, Description: "Part " + pn, Location: sites[i%len(sites)], QuantityOnHand: r.IntN(60),
			QuantityReserved: r.IntN(5), ReorderPoint: 10, UnitCostMinor: int64(500 + r.IntN(50000)), Currency: "USD", UpdatedAt: t0}
		s.parts[pn] = p
		s.record(maddenco.ChangeKindPart, pn, maddenco.ChangeOpUpsert, func(c *maddenco.Change) { c.Part = *p })
	}
}

// record appends to the change feed (called with s.mu held, or while seeding).
func (s *Server) record(kind maddenco.ChangeKind, id string, op maddenco.ChangeOp, fill func(*maddenco.Change)) {
	c := maddenco.Change{Seq: int64(len(s.changes) + 1), Kind: kind, ID: id, Op: op, ChangedAt: s.now().UTC()}
	fill(&c)
	s.changes = append(s.changes, c)
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return string(b), err == nil
}

type pageOf[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// writePage sorts items by key and answers with the page after the cursor.
func writePage[T any](w http.ResponseWriter, q url.Values, items []T, key func(T) string) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	limit := 100
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = l
	}
	after := ""
	if c := q.Get("cursor"); c != "" {
		var ok bool
		if after, ok = decodeCursor(c); !ok {
			problem(w, http.StatusBadRequest, "bad_cursor", "The cursor is not one this API gave out", "")
			return
		}
	}
	i, _ := slices.BinarySearchFunc(items, after, func(it T, k string) int { return strings.Compare(key(it), k) })
	for i < len(items) && after != "" && key(items[i]) <= after {
		i++
	}
	end := min(i+limit, len(items))
	next := ""
	if end < len(items) {
		next = encodeCursor(key(items[end-1]))
	}
	writeJSON(w, pageOf[T]{Data: items[i:end], NextCursor: next})
}

// call is one request to an operation: where its method answers and what it reads.
type call = fakekit.Call

// api answers the contract's operations (operations.gen.go) on the server's state,
// which handle holds locked.
type api struct{ *Server }

func (s *Server) handle(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !dispatch(api{s}, op, fakekit.NewCall(w, r, body), params) {
		problem(w, http.StatusNotImplemented, "not_implemented", "The fake does not implement "+op, "")
	}
}

// ListEquipment answers listEquipment.
func (s api) ListEquipment(req *call) {
	w, q := req.W, req.Q
	var items []maddenco.Equipment
	for _, e := range s.equipment {
		if (q.Get("status") == "" || string(e.Status) == q.Get("status")) && (q.Get("site_id") == "" || e.Location.SiteID == q.Get("site_id")) &&
			(q.Get("type") == "" || e.Type == q.Get("type")) {
			items = append(items, *e)
		}
	}
	writePage(w, q, items, func(e maddenco.Equipment) string { return e.ID })
}

// GetEquipment answers getEquipment.
func (s api) GetEquipment(req *call, id string) {
	w := req.W
	e, ok := s.equipment[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Equipment not found", id)
		return
	}
	writeJSON(w, e)
}

// PutUsageReport answers putUsageReport.
func (s api) PutUsageReport(req *call, id string, date string) {
	w, body := req.W, req.Body
	e, ok := s.equipment[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Equipment not found", id)
		return
	}
	var u maddenco.UsageReport
	_ = json.Unmarshal(body, &u)
	key := e.ID + "/" + date
	e.MeterHours += u.Hours - s.usage[key].Hours // a replaced report replaces its hours
	e.UpdatedAt = s.now().UTC()
	s.usage[key] = u
	s.record(maddenco.ChangeKindEquipment, e.ID, maddenco.ChangeOpUpsert, func(c *maddenco.Change) { c.Equipment = *e })
	writeJSON(w, u)
}

// ListMaintenanceSchedules answers listMaintenanceSchedules.
func (s api) ListMaintenanceSchedules(req *call) {
	w, q := req.W, req.Q
	var items []maddenco.MaintenanceSchedule
	due, _ := time.Parse(time.DateOnly, q.Get("due_before"))
	for _, sc := range s.schedules {
		if (q.Get("equipment_id") == "" || sc.EquipmentID == q.Get("equipment_id")) && (due.IsZero() || sc.NextDueOn.Before(due)) {
			items = append(items, *sc)
		}
	}
	writePage(w, q, items, func(m maddenco.MaintenanceSchedule) string { return m.NextDueOn.Format(time.DateOnly) + "|" + m.ID })
}

// ListMaintenanceLogs answers listMaintenanceLogs.
func (s api) ListMaintenanceLogs(req *call) {
	w, q := req.W, req.Q
	var items []maddenco.MaintenanceLog
	since, _ := time.Parse(time.RFC3339Nano, q.Get("since"))
	for _, l := range s.logs {
		if (q.Get("equipment_id") == "" || l.EquipmentID == q.Get("equipment_id")) && !l.PerformedAt.Before(since) {
			items = append(items, *l)
		}
	}
	writePage(w, q, items, func(l maddenco.MaintenanceLog) string {
		return l.PerformedAt.UTC().Format(time.RFC3339Nano) + "|" + l.ID
	})
}

// ListParts answers listParts.
func (s api) ListParts(req *call) {
	w, q := req.W, req.Q
	var items []maddenco.Part
	low := q.Get("below_reorder_point") == "true"
	for _, p := range s.parts {
		if (q.Get("location") == "" || p.Location == q.Get("location")) && (!low || p.QuantityOnHand <= p.ReorderPoint) {
			items = append(items, *p)
		}
	}
	writePage(w, q, items, func(p maddenco.Part) string { return p.PartNumber })
}

// GetPart answers getPart.
func (s api) GetPart(req *call, partNumber string) {
	w := req.W
	p, ok := s.parts[partNumber]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Part not found", partNumber)
		return
	}
	writeJSON(w, p)
}

// PutWorkOrderCompletion answers putWorkOrderCompletion.
func (s api) PutWorkOrderCompletion(req *call, workOrderID string) {
	w, body := req.W, req.Body
	var wc maddenco.WorkOrderCompletion
	_ = json.Unmarshal(body, &wc)
	for _, id := range wc.EquipmentIDs {
		if _, ok := s.equipment[id]; !ok {
			problem(w, http.StatusUnprocessableEntity, "unknown_equipment", "The work order names equipment Maddenco does not know", id)
			return
		}
	}
	s.completions[workOrderID] = wc
	writeJSON(w, wc)
}

// ListChanges answers listChanges.
func (s api) ListChanges(req *call) {
	w, q := req.W, req.Q
	after := int64(0)
	if c := q.Get("cursor"); c != "" {
		v, ok := decodeCursor(c)
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || n < 0 || n > int64(len(s.changes)) {
			problem(w, http.StatusBadRequest, "bad_cursor", "The cursor is not one this API gave out", "")
			return
		}
		after = n
	}
	limit := 100
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = l
	}
	end := min(int(after)+limit, len(s.changes))
	data := s.changes[after:end]
	writeJSON(w, map[string]any{"data": data, "cursor": encodeCursor(strconv.Itoa(end)), "more": end < len(s.changes)})
}
