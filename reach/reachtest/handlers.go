package reachtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/reach"
)

var skills = []string{"hvac", "electrical", "plumbing", "tires", "network", "generator"}

func (s *Server) seed(cfg config) {
	r := rand.New(rand.NewPCG(7, 11))
	t0 := cfg.start.Add(-30 * 24 * time.Hour)
	for i := 1; i <= cfg.techs; i++ {
		id := fmt.Sprintf("T%04d", i)
		s.techs[id] = &reach.Technician{ID: id, EmployeeXref: fmt.Sprintf("E%04d", i), Name: fmt.Sprintf("Technician %d", i),
			Skills: []string{skills[i%len(skills)], skills[(i+2)%len(skills)]}, Certifications: []string{"safety-" + strconv.Itoa(2024+i%3)},
			Active: true, UpdatedAt: t0.Add(time.Duration(r.IntN(720)) * time.Hour)}
	}
	for i := 1; i <= cfg.customers; i++ {
		id := fmt.Sprintf("C%05d", i)
		at := t0.Add(time.Duration(r.IntN(720)) * time.Hour)
		s.customers[id] = &reach.Customer{ID: id, Name: fmt.Sprintf("Customer %d", i), Phone: fmt.Sprintf("+1416555%04d", i),
			Email:          fmt.Sprintf("customer%d@example.com", i),
			ServiceAddress: reach.Address{Line1: fmt.Sprintf("%d King St W", i), City: "Toronto", Region: "ON", Country: "CA"},
			CreatedAt:      at, UpdatedAt: at, Version: 1}
		s.comms[id] = []reach.Communication{{ID: "M" + id, CustomerID: id, Channel: "phone", Direction: "inbound", Summary: "Reported a fault", At: at}}
	}
	statuses := []reach.ServiceRequestStatus{reach.ServiceRequestStatusNew, reach.ServiceRequestStatusScheduled, reach.ServiceRequestStatusDispatched, reach.ServiceRequestStatusCompleted}
	prios := []reach.Priority{reach.PriorityNormal, reach.PriorityHigh, reach.PriorityLow, reach.PriorityEmergency}
	for i := 1; i <= cfg.srs; i++ {
		s.seq++
		id := fmt.Sprintf("SR%06d", s.seq)
		at := t0.Add(time.Duration(r.IntN(720*60)) * time.Minute)
		cust := fmt.Sprintf("C%05d", 1+r.IntN(max(cfg.customers, 1)))
		s.srs[id] = &reach.ServiceRequest{ID: id, CustomerID: cust, Description: "Service visit " + id, Priority: prios[i%len(prios)],
			Status: statuses[i%len(statuses)], CreatedAt: at, UpdatedAt: at, Version: 1}
	}
}

// call is one request to an operation: where its method answers and what it reads.
type call = fakekit.Call

// api answers the contract's operations (operations.gen.go) on the server's state,
// which handle holds locked.
type api struct{ *Server }

// handle answers a request the contract matched to operation op.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !dispatch(api{s}, op, fakekit.NewCall(w, r, body), params) {
		problem(w, http.StatusNotImplemented, "not_implemented", "Not implemented by reachtest", op)
	}
}

// ListServiceRequests answers listServiceRequests.
func (s api) ListServiceRequests(req *call) {
	w, q := req.W, req.Q
	var items []reach.ServiceRequest
	for _, sr := range s.srs {
		if (q.Get("status") == "" || string(sr.Status) == q.Get("status")) && (q.Get("customer_id") == "" || sr.CustomerID == q.Get("customer_id")) {
			items = append(items, *sr)
		}
	}
	writePage(w, items, func(x reach.ServiceRequest) (time.Time, string) { return x.UpdatedAt, x.ID }, q)
}

// GetServiceRequest answers getServiceRequest.
func (s api) GetServiceRequest(req *call, id string) {
	w := req.W
	sr, ok := s.srs[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Service request not found", id)
		return
	}
	writeJSON(w, http.StatusOK, etagOf(sr.Version), sr)
}

// CreateServiceRequest answers createServiceRequest.
func (s api) CreateServiceRequest(req *call) {
	w, r, body := req.W, req.R, req.Body
	s.idempotent(w, r, body, func() (int, string, any) {
		var in reach.NewServiceRequest
		_ = json.Unmarshal(body, &in)
		if _, ok := s.customers[in.CustomerID]; !ok {
			return http.StatusUnprocessableEntity, "", problemBody(http.StatusUnprocessableEntity, "unknown_customer", "The customer does not exist", in.CustomerID)
		}
		s.seq++
		now := s.clk.Now()
		sr := &reach.ServiceRequest{ID: fmt.Sprintf("SR%06d", s.seq), CustomerID: in.CustomerID, Description: in.Description,
			Priority: in.Priority, Category: in.Category, ExternalID: in.ExternalID, Site: in.Site, WindowStart: in.WindowStart,
			WindowEnd: in.WindowEnd, Status: reach.ServiceRequestStatusNew, CreatedAt: now, UpdatedAt: now, Version: 1}
		s.srs[sr.ID] = sr
		if sr.Priority == reach.PriorityEmergency {
			s.emit(reach.EventTypeEmergencyAlert, sr, "new emergency request")
		}
		return http.StatusCreated, etagOf(sr.Version), sr
	})
}

// UpdateServiceRequest answers updateServiceRequest.
func (s api) UpdateServiceRequest(req *call, id string) {
	w, r, body := req.W, req.R, req.Body
	sr, ok := s.srs[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Service request not found", id)
		return
	}
	if r.Header.Get("If-Match") != etagOf(sr.Version) {
		problem(w, http.StatusPreconditionFailed, "version_conflict", "The service request changed since it was read", "current "+etagOf(sr.Version))
		return
	}
	var patch map[string]json.RawMessage
	_ = json.Unmarshal(body, &patch)
	cur, _ := json.Marshal(sr)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(cur, &m)
	for k, v := range patch { // RFC 7396: null removes
		if string(v) == "null" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	merged, _ := json.Marshal(m)
	var next reach.ServiceRequest
	_ = json.Unmarshal(merged, &next)
	next.Version, next.UpdatedAt = sr.Version+1, s.clk.Now()
	*sr = next
	writeJSON(w, http.StatusOK, etagOf(sr.Version), sr)
}

// UpdateServiceRequestStatus answers updateServiceRequestStatus.
func (s api) UpdateServiceRequestStatus(req *call, id string) {
	w, r, body := req.W, req.R, req.Body
	if _, ok := s.srs[id]; !ok {
		problem(w, http.StatusNotFound, "not_found", "Service request not found", id)
		return
	}
	s.idempotent(w, r, body, func() (int, string, any) {
		sr := s.srs[id]
		var u reach.StatusUpdate
		_ = json.Unmarshal(body, &u)
		sr.Status = u.Status
		if u.TechnicianID != "" {
			sr.TechnicianID = u.TechnicianID
		}
		if u.Status == reach.ServiceRequestStatusCompleted {
			sr.CompletedAt = s.clk.Now()
		}
		sr.Version, sr.UpdatedAt = sr.Version+1, s.clk.Now()
		s.emit(reach.EventTypeServiceRequestStatusChanged, sr, u.Note)
		if u.Status == reach.ServiceRequestStatusCompleted {
			s.emit(reach.EventTypeServiceRequestCompleted, sr, u.Note)
		}
		return http.StatusOK, etagOf(sr.Version), sr
	})
}

// ListTechnicians answers listTechnicians.
func (s api) ListTechnicians(req *call) {
	w, q := req.W, req.Q
	var items []reach.Technician
	for _, t := range s.techs {
		if sk := q.Get("skill"); sk == "" || contains(t.Skills, sk) {
			items = append(items, *t)
		}
	}
	writePage(w, items, func(x reach.Technician) (time.Time, string) { return x.UpdatedAt, x.ID }, q)
}

// GetTechnician answers getTechnician.
func (s api) GetTechnician(req *call, id string) {
	w := req.W
	t, ok := s.techs[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Technician not found", id)
		return
	}
	writeJSON(w, http.StatusOK, "", t)
}

// GetTechnicianAvailability answers getTechnicianAvailability.
func (s api) GetTechnicianAvailability(req *call, id string) {
	w, q := req.W, req.Q
	if _, ok := s.techs[id]; !ok {
		problem(w, http.StatusNotFound, "not_found", "Technician not found", id)
		return
	}
	from, _ := time.Parse(time.RFC3339Nano, q.Get("from"))
	to, _ := time.Parse(time.RFC3339Nano, q.Get("to"))
	writeJSON(w, http.StatusOK, "", availability(id, from, to))
}

// ListCustomers answers listCustomers.
func (s api) ListCustomers(req *call) {
	w, q := req.W, req.Q
	var items []reach.Customer
	for _, c := range s.customers {
		items = append(items, *c)
	}
	writePage(w, items, func(x reach.Customer) (time.Time, string) { return x.UpdatedAt, x.ID }, q)
}

// GetCustomer answers getCustomer.
func (s api) GetCustomer(req *call, id string) {
	w := req.W
	c, ok := s.customers[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Customer not found", id)
		return
	}
	writeJSON(w, http.StatusOK, etagOf(c.Version), c)
}

// CreateCustomer answers createCustomer.
func (s api) CreateCustomer(req *call) {
	w, r, body := req.W, req.R, req.Body
	s.idempotent(w, r, body, func() (int, string, any) {
		var in reach.NewCustomer
		_ = json.Unmarshal(body, &in)
		now := s.clk.Now()
		c := &reach.Customer{ID: fmt.Sprintf("C%05d", len(s.customers)+1), ExternalID: in.ExternalID, Name: in.Name, Phone: in.Phone,
			Email: in.Email, ServiceAddress: in.ServiceAddress, CreatedAt: now, UpdatedAt: now, Version: 1}
		s.customers[c.ID] = c
		return http.StatusCreated, etagOf(c.Version), c
	})
}

// UpdateCustomer answers updateCustomer.
func (s api) UpdateCustomer(req *call, id string) {
	w, r, body := req.W, req.R, req.Body
	c, ok := s.customers[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Customer not found", id)
		return
	}
	if r.Header.Get("If-Match") != etagOf(c.Version) {
		problem(w, http.StatusPreconditionFailed, "version_conflict", "The customer changed since it was read", "")
		return
	}
	var patch map[string]json.RawMessage
	_ = json.Unmarshal(body, &patch)
	for k, v := range patch {
		null := string(v) == "null"
		switch k {
		case "name":
			_ = json.Unmarshal(v, &c.Name)
		case "phone":
			c.Phone = ""
			if !null {
				_ = json.Unmarshal(v, &c.Phone)
			}
		case "email":
			c.Email = ""
			if !null {
				_ = json.Unmarshal(v, &c.Email)
			}
		case "service_address":
			_ = json.Unmarshal(v, &c.ServiceAddress)
		}
	}
	c.Version, c.UpdatedAt = c.Version+1, s.clk.Now()
	writeJSON(w, http.StatusOK, etagOf(c.Version), c)
}

// ListCommunications answers listCommunications.
func (s api) ListCommunications(req *call, id string) {
	w := req.W
	if _, ok := s.customers[id]; !ok {
		problem(w, http.StatusNotFound, "not_found", "Customer not found", id)
		return
	}
	writeJSON(w, http.StatusOK, "", map[string]any{"data": s.comms[id]})
}

// ExportHistory answers exportHistory.
func (s api) ExportHistory(req *call) {
	w, q := req.W, req.Q
	s.exportPage(w, q.Get("cursor"), q.Get("limit"))
}

// writePage answers a keyset page of items, or 400 for a cursor that is not valid.
func writePage[T any](w http.ResponseWriter, items []T, key func(T) (time.Time, string), q map[string][]string) {
	out, next, ok := page(items, key, q)
	if !ok {
		problem(w, http.StatusBadRequest, "bad_cursor", "The cursor is not valid", "")
		return
	}
	writeJSON(w, http.StatusOK, "", map[string]any{"data": out, "next_cursor": omit(next)})
}

func omit(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func problemBody(status int, code, title, detail string) reach.Problem {
	return reach.Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Code: code}
}

// idempotent runs create once per Idempotency-Key (see fakekit.Idempotency).
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte, create func() (int, string, any)) {
	s.idem.Do(w, r, body, func(w http.ResponseWriter) {
		status, etag, v := create()
		if p, ok := v.(reach.Problem); ok {
			problem(w, p.Status, p.Code, p.Title, p.Detail)
			return
		}
		writeJSON(w, status, etag, v)
	})
}

// availability: 08-12 available, 12-13 off, 13-17 busy on even days for odd-numbered
// technicians, available otherwise.
func availability(id string, from, to time.Time) []reach.AvailabilityWindow {
	out := []reach.AvailabilityWindow{}
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "T"))
	for day := from.Truncate(24 * time.Hour); day.Before(to); day = day.Add(24 * time.Hour) {
		afternoon := "available"
		if n%2 == 1 && day.YearDay()%2 == 0 {
			afternoon = "busy"
		}
		for _, w := range []reach.AvailabilityWindow{
			{Start: day.Add(8 * time.Hour), End: day.Add(12 * time.Hour), State: "available"},
			{Start: day.Add(12 * time.Hour), End: day.Add(13 * time.Hour), State: "off"},
			{Start: day.Add(13 * time.Hour), End: day.Add(17 * time.Hour), State: reach.AvailabilityWindowState(afternoon)},
		} {
			if w.End.After(from) && w.Start.Before(to) {
				out = append(out, w)
			}
		}
	}
	return out
}

// exportPage generates records seq..seq+limit from their numbers alone.
func (s *Server) exportPage(w http.ResponseWriter, cursor, limitS string) {
	start := int64(0)
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 36, 64)
		if err != nil || v < 0 {
			problem(w, http.StatusBadRequest, "bad_cursor", "The cursor is not valid", "")
			return
		}
		start = v
	}
	limit := int64(1000)
	if l, err := strconv.ParseInt(limitS, 10, 64); err == nil && l > 0 {
		limit = l
	}
	end := min(start+limit, s.export)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	var b strings.Builder
	b.WriteString(`{"data":[`)
	kinds := []string{"service_request", "customer", "technician", "communication"}
	for i := start; i < end; i++ {
		if i > start {
			b.WriteByte(',')
		}
		k := kinds[i%4]
		fmt.Fprintf(&b, `{"seq":%d,"kind":%q,"id":"X%09d","payload":{"id":"X%09d","note":"historical %s %d","created_at":"2019-01-01T00:00:00Z"}}`,
			i, k, i, i, k, i)
		if b.Len() > 64<<10 {
			_, _ = w.Write([]byte(b.String()))
			b.Reset()
		}
	}
	b.WriteString(`]`)
	if end < s.export {
		fmt.Fprintf(&b, `,"next_cursor":%q`, strconv.FormatInt(end, 36))
	}
	fmt.Fprintf(&b, `,"total":%d}`, s.export)
	_, _ = w.Write([]byte(b.String()))
}
