package geotabtest

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors/geotab"
)

// The synthetic map: vehicles drive loops around depots spread over a city centre.
const (
	centreLat = 43.6532
	centreLon = -79.3832
	step      = 30 * time.Second
	kmPerDeg  = 111.32
)

// feed holds every version of one type's records, oldest first; latest maps an id to
// its newest version.
type feed struct {
	items  []item
	latest map[string]int
}

type item struct {
	version string
	id      string
	at      time.Time
	rec     any
}

func (f *feed) put(version, id string, at time.Time, rec any) {
	if f.latest == nil {
		f.latest = map[string]int{}
	}
	f.items = append(f.items, item{version: version, id: id, at: at, rec: rec})
	f.latest[id] = len(f.items) - 1
}

type vehicle struct {
	id                 string
	lat, lon           float64 // loop centre
	radiusKm, speedKmh float64
	angle              float64 // position on the loop, radians
	phase              time.Duration
	driving            bool
	tripStart          time.Time
	tripID             string
	tripKm             float64
	lastTripEmit       time.Time
	// inside says, per zone id, whether the vehicle's last position was inside it
	inside map[string]bool
	// open maps a rule id to the ExceptionEvent it has open (InsideArea, ZoneStop)
	open       map[string]string
	visit      *visit
	driver     string
	odometerKm float64
	faulty     bool
}

// visit takes a vehicle off its loop: it drives to a point, stays there stopped, then
// drives back to where it left its loop (see [Server.Visit]).
type visit struct {
	lat, lon       float64 // where the vehicle is now
	toLat, toLon   float64 // where it goes
	stay           time.Duration
	until          time.Time // end of the stay, once arrived
	arrived, going bool      // going: on the way back to the loop
}

type fleet struct {
	vehicles    []*vehicle
	devices     map[string]geotab.Device
	users       map[string]geotab.User
	zones       map[string]geotab.Zone
	rules       map[string]geotab.Rule
	routes      map[string]geotab.Route
	diagnostics map[string]geotab.Diagnostic
	dsi         map[string]geotab.DeviceStatusInfo
	feeds       map[string]*feed // by type name
	// keyed are the drivers with a driver key (NFC/iButton) assigned: every other
	// seeded driver, so that the deprecated isDriver search misses some
	keyed map[string]bool
}

func (st *state) feed(tn string) *feed {
	f, ok := st.fleet.feeds[tn]
	if !ok {
		f = &feed{}
		st.fleet.feeds[tn] = f
	}
	return f
}

func (st *state) seed() {
	r := rand.New(rand.NewPCG(uint64(st.cfg.seed), 0x9e3779b97f4a7c15))
	fl := &st.fleet
	*fl = fleet{devices: map[string]geotab.Device{}, users: map[string]geotab.User{}, zones: map[string]geotab.Zone{}, keyed: map[string]bool{},
		rules: map[string]geotab.Rule{}, routes: map[string]geotab.Route{}, diagnostics: map[string]geotab.Diagnostic{},
		dsi: map[string]geotab.DeviceStatusInfo{}, feeds: map[string]*feed{}}
	since := geotab.NewTime(st.now.Add(-365 * 24 * time.Hour))
	for _, d := range []geotab.Diagnostic{
		{ID: "DiagnosticOdometerId", Name: "Odometer", DiagnosticType: "GoDiagnostic"},
		{ID: "DiagnosticEngineHoursId", Name: "Engine hours", DiagnosticType: "GoDiagnostic"},
		{ID: "DiagnosticIgnitionId", Name: "Ignition", DiagnosticType: "GoDiagnostic"},
		{ID: "DiagnosticLowVoltageId", Name: "Low battery voltage", DiagnosticType: "GoFault"},
	} {
		d.Version = st.nextVersion()
		fl.diagnostics[d.ID] = d
		st.feed("Diagnostic").put(d.Version, d.ID, st.now, d)
	}
	firsts := []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Donald", "Frances", "John"}
	lasts := []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Knuth", "Allen", "Backus"}
	for i := 0; i < st.cfg.vehicles; i++ {
		uid := fmt.Sprintf("u%d", i+1)
		u := geotab.User{ID: uid, Name: fmt.Sprintf("driver%03d@example.com", i+1), FirstName: firsts[i%len(firsts)],
			LastName: lasts[(i/len(firsts))%len(lasts)], EmployeeNo: fmt.Sprintf("E%04d", i+1), IsDriver: true,
			ActiveFrom: since, Version: st.nextVersion()}
		fl.users[uid] = u
		fl.keyed[uid] = i%2 == 0
		st.feed("User").put(u.Version, uid, st.now, u)

		id := fmt.Sprintf("b%X", i+1)
		d := geotab.Device{ID: id, Name: fmt.Sprintf("Truck %03d", i+1), SerialNumber: fmt.Sprintf("G9%010d", 1000+i),
			DeviceType: "GO9", LicensePlate: fmt.Sprintf("DSP-%03d", i+1), VehicleIdentificationNumber: fmt.Sprintf("1FTFW1E5%09d", i),
			ActiveFrom: since, Groups: []geotab.Ref{geotab.NewRef("GroupCompanyId"), geotab.NewRef("GroupVehicleId")},
			TimeZoneID: "America/Toronto", Version: st.nextVersion()}
		fl.devices[id] = d
		st.feed("Device").put(d.Version, id, st.now, d)
		v := &vehicle{id: id, driver: uid, inside: map[string]bool{}, open: map[string]string{},
			lat: centreLat + (r.Float64()-0.5)*0.2, lon: centreLon + (r.Float64()-0.5)*0.3,
			radiusKm: 1 + r.Float64()*3, speedKmh: 35 + r.Float64()*30, angle: r.Float64() * 2 * math.Pi,
			phase: time.Duration(r.IntN(30)) * time.Minute, odometerKm: 20000 + r.Float64()*150000, faulty: i%7 == 3}
		fl.vehicles = append(fl.vehicles, v)
		// the driver took the vehicle with a key, or was assigned it in MyGeotab,
		// and is on duty
		typ := geotab.DriverChangeTypeDriver
		if fl.keyed[uid] {
			typ = geotab.DriverChangeTypeDriverKey
		}
		_ = st.changeDriver(id, uid, typ, st.now)
		st.dutyLog(id, uid, geotab.DutyOn, st.now)
	}
	// job sites on the vehicles' loops, so that vehicles pass through them
	for j := 0; j < st.cfg.zones && len(fl.vehicles) > 0; j++ {
		v := fl.vehicles[j%len(fl.vehicles)]
		a := float64(j) * 1.7
		lat, lon := v.lat+v.radiusKm*math.Sin(a)/kmPerDeg, v.lon+v.radiusKm*math.Cos(a)/(kmPerDeg*math.Cos(v.lat*math.Pi/180))
		displayed := true
		z := geotab.Zone{ID: fmt.Sprintf("z%X", j+1), Name: fmt.Sprintf("Job site %02d", j+1), ExternalReference: fmt.Sprintf("SITE-%04d", j+1),
			Points: square(lat, lon, 0.25), ZoneTypes: []geotab.Ref{geotab.NewRef("ZoneTypeCustomerId")}, MustIdentifyStops: true,
			Displayed: &displayed, ActiveFrom: since, Groups: []geotab.Ref{geotab.NewRef("GroupCompanyId")},
			CentroidLatitude: lat, CentroidLongitude: lon, Version: st.nextVersion()}
		fl.zones[z.ID] = z
		st.feed("Zone").put(z.Version, z.ID, st.now, z)
		st.syncZoneStopRule(z)
		// the seeded database's administrator watches arrivals at every job site: a
		// Custom rule on the zone (test data, as a customer would configure it)
		st.putRule(geotab.Rule{ID: st.newID("ra"), Name: "Arrival at " + z.Name, BaseType: geotab.RuleBaseTypeCustom,
			ActiveFrom: since, Groups: []geotab.Ref{geotab.NewRef("GroupCompanyId")},
			Condition: geotab.Condition{ConditionType: geotab.ConditionEnteringArea, Zone: geotab.NewRef(z.ID)}})
	}
	st.advance(0)
}

// The fake evaluates the area conditions geotab.ConditionEnteringArea, ExitingArea,
// InsideArea and ZoneStop on a zone (see zoneEvents); other condition types are kept
// on their rules but never fire here.

// syncZoneStopRule keeps the hidden ZoneStop rule MyGeotab makes for a zone with
// mustIdentifyStops (SDK reference, Zone.MustIdentifyStops). Assumption: a Set that
// turns the flag off removes the rule (Geotab does not say).
func (st *state) syncZoneStopRule(z geotab.Zone) {
	id := "r" + z.ID
	if _, ok := st.fleet.rules[id]; ok == z.MustIdentifyStops {
		return
	}
	if !z.MustIdentifyStops {
		delete(st.fleet.rules, id)
		return
	}
	st.putRule(geotab.Rule{ID: id, Name: "Stop at " + z.Name, BaseType: geotab.RuleBaseTypeZoneStop,
		ActiveFrom: z.ActiveFrom, Condition: geotab.Condition{ConditionType: geotab.ConditionZoneStop, Zone: geotab.NewRef(z.ID)}})
}

// putRule stores a new version of a rule.
func (st *state) putRule(rl geotab.Rule) {
	rl.Version = st.nextVersion()
	st.fleet.rules[rl.ID] = rl
	st.feed("Rule").put(rl.Version, rl.ID, st.now, rl)
}

// square is a closed polygon of side km around a point.
func square(lat, lon, km float64) []geotab.Coordinate {
	dLat := km / 2 / kmPerDeg
	dLon := km / 2 / (kmPerDeg * math.Cos(lat*math.Pi/180))
	return []geotab.Coordinate{{X: lon - dLon, Y: lat - dLat}, {X: lon + dLon, Y: lat - dLat},
		{X: lon + dLon, Y: lat + dLat}, {X: lon - dLon, Y: lat + dLat}, {X: lon - dLon, Y: lat - dLat}}
}

func inside(pts []geotab.Coordinate, lat, lon float64) bool {
	in := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a, b := pts[i], pts[j]
		if (a.Y > lat) != (b.Y > lat) && lon < (b.X-a.X)*(lat-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

func (v *vehicle) position() (float64, float64) {
	if v.visit != nil {
		return v.visit.lat, v.visit.lon
	}
	return v.loopPosition()
}

func (v *vehicle) loopPosition() (float64, float64) {
	return v.lat + v.radiusKm*math.Sin(v.angle)/kmPerDeg,
		v.lon + v.radiusKm*math.Cos(v.angle)/(kmPerDeg*math.Cos(v.lat*math.Pi/180))
}

// drivingAt: 25 minutes driving, 5 minutes stopped, per vehicle phase; on a visit,
// driving except during the stay.
func (v *vehicle) drivingAt(t time.Time) bool {
	if v.visit != nil {
		return !v.visit.arrived || !t.Before(v.visit.until)
	}
	m := (time.Duration(t.Unix())*time.Second + v.phase) % (30 * time.Minute)
	return m < 25*time.Minute
}

// moveVisit drives a visiting vehicle one step towards its target, or back to its
// loop after the stay; it reports the distance driven.
func (v *vehicle) moveVisit(now time.Time) float64 {
	vs := v.visit
	if vs.arrived && now.Before(vs.until) {
		return 0 // staying
	}
	if vs.arrived && !vs.going { // the stay is over: back to the loop
		vs.going = true
		vs.toLat, vs.toLon = v.loopPosition()
	}
	dy := (vs.toLat - vs.lat) * kmPerDeg
	dx := (vs.toLon - vs.lon) * kmPerDeg * math.Cos(vs.lat*math.Pi/180)
	d := math.Hypot(dx, dy)
	km := v.speedKmh * step.Hours()
	if d <= km {
		vs.lat, vs.lon = vs.toLat, vs.toLon
		switch {
		case vs.going:
			v.visit = nil // on the loop again
		case !vs.arrived:
			vs.arrived, vs.until = true, now.Add(vs.stay)
		}
		return d
	}
	vs.lat += (vs.toLat - vs.lat) * km / d
	vs.lon += (vs.toLon - vs.lon) * km / d
	return km
}

// Visit sends a vehicle from its loop to a point (latitude, longitude), at its usual
// speed, to stay there stopped for stay before it drives back: how a test makes a
// vehicle arrive at a job site. It reports false for an unknown device.
func (s *Server) Visit(deviceID string, lat, lon float64, stay time.Duration) bool {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, v := range st.fleet.vehicles {
		if v.id == deviceID {
			la, lo := v.position()
			v.visit = &visit{lat: la, lon: lo, toLat: lat, toLon: lon, stay: stay}
			return true
		}
	}
	return false
}

// advance moves the clock and simulates each 30-second step.
// catchUp runs the fleet up to the clock's time (under st.mu), and reports whether
// it moved.
func (st *state) catchUp() bool {
	d := st.cfg.clk.Now().Sub(st.now)
	if d <= 0 {
		return false
	}
	st.advance(d)
	return true
}

func (st *state) advance(d time.Duration) {
	end := st.now.Add(d)
	for {
		for _, v := range st.fleet.vehicles {
			st.stepVehicle(v)
		}
		if !st.now.Add(step).After(end) {
			st.now = st.now.Add(step)
			continue
		}
		st.now = end
		return
	}
}

func (st *state) stepVehicle(v *vehicle) {
	now := st.now
	driving := v.drivingAt(now)
	switch {
	case driving && !v.driving: // a trip starts
		v.tripStart, v.tripKm, v.tripID, v.lastTripEmit = now, 0, "", now
		st.dutyLog(v.id, v.driver, geotab.DutyDriving, now)
	case !driving && v.driving: // the trip ends
		st.emitTrip(v, true)
		st.dutyLog(v.id, v.driver, geotab.DutyOn, now)
	}
	v.driving = driving
	speed := 0.0
	if driving {
		speed = v.speedKmh
		km := speed * step.Hours()
		if v.visit != nil {
			km = v.moveVisit(now)
		} else {
			v.angle += km / v.radiusKm
		}
		v.tripKm += km
		if now.Sub(v.lastTripEmit) >= 10*time.Minute {
			st.emitTrip(v, false) // an in-progress trip, replaced as it grows
		}
	} else if v.visit != nil {
		v.moveVisit(now)
	}
	lat, lon := v.position()
	if driving || st.fleet.dsi[v.id].IsDriving || st.fleet.dsi[v.id].DateTime.IsZero() {
		lr := geotab.LogRecord{ID: st.newID("lr"), Device: geotab.NewRef(v.id), DateTime: geotab.NewTime(now),
			Latitude: lat, Longitude: lon, Speed: speed, Version: st.nextVersion()}
		st.feed("LogRecord").put(lr.Version, lr.ID, now, lr)
	}
	st.engineData(v, driving)
	dsi := geotab.DeviceStatusInfo{Device: geotab.NewRef(v.id), Driver: geotab.NewRef(v.driver), DateTime: geotab.NewTime(now),
		Latitude: lat, Longitude: lon, Speed: speed, Bearing: int(math.Mod(v.angle*180/math.Pi+90, 360)),
		IsDriving: driving, IsDeviceCommunicating: true, Groups: st.fleet.devices[v.id].Groups}
	if prev, ok := st.fleet.dsi[v.id]; !ok || prev.Latitude != lat || prev.Longitude != lon || prev.IsDriving != driving || prev.Driver.ID != v.driver {
		// the DeviceStatusInfo feed sends a vehicle's state again when it changes
		// (GetFeed DeviceStatusInfo, What's New 5.7.2101); DeviceStatusInfo has no id
		st.feed("DeviceStatusInfo").put(st.nextVersion(), v.id, now, dsi)
	}
	st.fleet.dsi[v.id] = dsi
	st.zoneEvents(v, lat, lon, driving)
}

// engineData reports the odometer and engine hours every 10 minutes while driving, and
// a low-voltage fault on one vehicle in seven every two hours.
func (st *state) engineData(v *vehicle, driving bool) {
	now := st.now
	if driving && now.Unix()%600 == 0 {
		v.odometerKm += v.speedKmh * 10 / 60
		for _, sd := range []geotab.StatusData{
			{Diagnostic: geotab.NewRef("DiagnosticOdometerId"), Data: math.Round(v.odometerKm * 1000)}, // metres
			{Diagnostic: geotab.NewRef("DiagnosticEngineHoursId"), Data: float64(now.Sub(st.cfg.start)/time.Second) + 3.6e6},
		} {
			sd.ID, sd.Device, sd.DateTime, sd.Version = st.newID("sd"), geotab.NewRef(v.id), geotab.NewTime(now), st.nextVersion()
			sd.Controller = stateRef("ControllerNoneId")
			st.feed("StatusData").put(sd.Version, sd.ID, now, sd)
		}
	}
	if v.faulty && now.Unix()%7200 == 0 {
		fd := geotab.FaultData{ID: st.newID("fd"), Device: geotab.NewRef(v.id), Diagnostic: geotab.NewRef("DiagnosticLowVoltageId"),
			Controller: stateRef("ControllerNoneId"), FailureMode: stateRef("NoFailureModeId"), DateTime: geotab.NewTime(now),
			Count: 1, FaultState: "Active", AmberWarningLamp: true, Severity: "Warning", Version: st.nextVersion()}
		st.feed("FaultData").put(fd.Version, fd.ID, now, fd)
		st.emit(geotab.WebhookEvent{ID: "wh-" + fd.ID, Type: geotab.WebhookEventTypeDiagnosticFault, OccurredAt: fd.DateTime,
			Device: fd.Device, Diagnostic: fd.Diagnostic, FaultState: fd.FaultState})
	}
}

func (st *state) emitTrip(v *vehicle, final bool) {
	lat, lon := v.position()
	t := geotab.Trip{ID: st.newID("t"), Device: geotab.NewRef(v.id), Driver: geotab.NewRef(v.driver),
		Start: geotab.NewTime(v.tripStart), Stop: geotab.NewTime(st.now), Distance: math.Round(v.tripKm*100) / 100,
		DrivingDuration: geotab.TimeSpan(st.now.Sub(v.tripStart)), AverageSpeed: v.speedKmh, MaximumSpeed: v.speedKmh + 8,
		StopPoint: geotab.Coordinate{X: lon, Y: lat}, Version: st.nextVersion()}
	if final {
		t.NextTripStart = geotab.NewTime(st.now.Add(5 * time.Minute))
	}
	f := st.feed("Trip")
	if v.tripID != "" { // the in-progress trip is replaced: same device and start, new id
		delete(f.latest, v.tripID)
	}
	f.put(t.Version, t.ID, st.now, t)
	v.tripID, v.lastTripEmit = t.ID, st.now
	if final {
		v.tripID = ""
	}
}

// zoneEvents evaluates the zone rules on a vehicle's new position, as MyGeotab's rule
// engine does on its GPS data (SDK reference, ConditionType):
//   - EnteringArea: the vehicle was outside the zone and is inside now;
//   - ExitingArea: it was inside and is outside now;
//   - InsideArea: an event open from the entry, closed (activeTo, a new version of the
//     same event) at the exit;
//   - ZoneStop: an event open while the vehicle is stopped inside the zone, not when it
//     drives through (SDK reference, ZoneStop; SDK sample get-zone-stop-exceptions).
//
// Assumption: an entry or exit event lasts no time (activeFrom = activeTo = the GPS
// point of the crossing); Geotab documents no duration for them. A zone seen for the
// first time (seeded, or added while the vehicle is inside) is not an entry.
//
// It also feeds the optional relay (see Subscribe), on every zone crossing.
func (st *state) zoneEvents(v *vehicle, lat, lon float64, driving bool) {
	byZone := map[string][]geotab.Rule{}
	for _, rl := range sortedValues(st.fleet.rules, func(r geotab.Rule) string { return r.ID }) {
		if z := rl.Condition.Zone.ID; z != "" {
			byZone[z] = append(byZone[z], rl)
		}
	}
	for _, z := range sortedValues(st.fleet.zones, func(z geotab.Zone) string { return z.ID }) {
		in := inside(z.Points, lat, lon)
		was, seen := v.inside[z.ID]
		if !seen {
			was = in
		}
		v.inside[z.ID] = in
		entered, exited := in && !was, !in && was
		for _, rl := range byZone[z.ID] {
			open := v.open[rl.ID]
			switch rl.Condition.ConditionType {
			case geotab.ConditionEnteringArea:
				if entered {
					st.openEvent(v, rl)
				}
			case geotab.ConditionExitingArea:
				if exited {
					st.openEvent(v, rl)
				}
			case geotab.ConditionInsideArea:
				if entered {
					v.open[rl.ID] = st.openEvent(v, rl)
				} else if exited && open != "" {
					st.closeEvent(v, rl.ID)
				}
			case geotab.ConditionZoneStop:
				stopped := in && !driving
				if stopped && open == "" {
					v.open[rl.ID] = st.openEvent(v, rl)
				} else if !stopped && open != "" {
					st.closeEvent(v, rl.ID)
				}
			}
		}
		if entered || exited {
			typ, suffix := geotab.WebhookEventTypeGeofenceEntered, "in"
			if exited {
				typ, suffix = geotab.WebhookEventTypeGeofenceExited, "out"
			}
			st.emit(geotab.WebhookEvent{ID: fmt.Sprintf("wh-%s-%s-%s-%d", z.ID, v.id, suffix, st.now.Unix()), Type: typ,
				OccurredAt: geotab.NewTime(st.now), Device: geotab.NewRef(v.id), Driver: geotab.NewRef(v.driver),
				Zone: geotab.NewRef(z.ID), Latitude: lat, Longitude: lon})
		}
	}
}

// openEvent adds an ExceptionEvent of rl for v at the current step, ending where it
// starts until it is closed.
func (st *state) openEvent(v *vehicle, rl geotab.Rule) string {
	ev := geotab.ExceptionEvent{ID: st.newID("ee"), Rule: geotab.NewRef(rl.ID), Device: geotab.NewRef(v.id),
		Driver: geotab.NewRef(v.driver), ActiveFrom: geotab.NewTime(st.now), ActiveTo: geotab.NewTime(st.now),
		State: stateRef(geotab.StateValid), LastModifiedDateTime: geotab.NewTime(st.now), Version: st.nextVersion()}
	st.feed("ExceptionEvent").put(ev.Version, ev.ID, st.now, ev)
	return ev.ID
}

// closeEvent ends v's open event of a rule: the same id, a new version (an
// ExceptionEvent keeps its id while it is updated; SDK data feed guide).
func (st *state) closeEvent(v *vehicle, ruleID string) {
	f := st.feed("ExceptionEvent")
	i, ok := f.latest[v.open[ruleID]]
	delete(v.open, ruleID)
	if !ok {
		return
	}
	ev := f.items[i].rec.(geotab.ExceptionEvent)
	ev.ActiveTo, ev.LastModifiedDateTime = geotab.NewTime(st.now), geotab.NewTime(st.now)
	ev.Duration = geotab.TimeSpan(st.now.Sub(ev.ActiveFrom.Time))
	ev.Version = st.nextVersion()
	f.put(ev.Version, ev.ID, st.now, ev)
}

func stateRef(id string) geotab.Ref {
	var r geotab.Ref
	_ = r.UnmarshalJSON([]byte(`"` + id + `"`)) // system entities travel as bare strings
	return r
}

// InvalidateEvent marks an ExceptionEvent invalid (a new version with state
// Invalid), as MyGeotab does when it reprocesses data.
func (s *Server) InvalidateEvent(id string) bool {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	f := st.feed("ExceptionEvent")
	i, ok := f.latest[id]
	if !ok {
		return false
	}
	ev := f.items[i].rec.(geotab.ExceptionEvent)
	ev.State, ev.LastModifiedDateTime, ev.Version = stateRef(geotab.StateInvalid), geotab.NewTime(st.now), st.nextVersion()
	f.put(ev.Version, ev.ID, st.now, ev)
	return true
}

// search is the union of the search objects the fake understands.
type search struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	SerialNumber         string             `json:"serialNumber"`
	LicensePlate         string             `json:"licensePlate"`
	ExternalReference    string             `json:"externalReference"`
	DeviceSearch         *idSearch          `json:"deviceSearch"`
	RuleSearch           *idSearch          `json:"ruleSearch"`
	DiagnosticSearch     *idSearch          `json:"diagnosticSearch"`
	UserSearch           *idSearch          `json:"userSearch"`
	FromDate             geotab.Time        `json:"fromDate"`
	ToDate               geotab.Time        `json:"toDate"`
	Position             *geotab.Coordinate `json:"position"`
	ClosestAssetLimit    int                `json:"closestAssetLimit"`
	IncludeInvalidated   bool               `json:"includeInvalidated"`
	IncludeZoneStopRules bool               `json:"includeZoneStopRules"`
	IsDriver             bool               `json:"isDriver"`
	UserSearchType       string             `json:"userSearchType"`
	RouteType            string             `json:"routeType"`
	BaseType             string             `json:"baseType"`
	ModifiedSinceDate    geotab.Time        `json:"modifiedSinceDate"`
	ParentTextMessageID  string             `json:"parentTextMessageId"`
	Statuses             []string           `json:"statuses"`
	IncludeOverlapped    bool               `json:"includeOverlappedChanges"`
	IncludeBoundaryLogs  bool               `json:"includeBoundaryLogs"`
}

type idSearch struct {
	ID string `json:"id"`
}

// like matches MyGeotab's % wildcards, case-insensitively.
func like(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	parts := strings.Split(strings.ToLower(pattern), "%")
	s = strings.ToLower(s)
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func inRange(t time.Time, s search) bool {
	return (s.FromDate.IsZero() || !t.Before(s.FromDate.Time)) && (s.ToDate.IsZero() || !t.After(s.ToDate.Time))
}

func devMatch(ds *idSearch, ref geotab.Ref) bool { return ds == nil || ds.ID == "" || ds.ID == ref.ID }

// MaxResults is the hard limit of Get and GetFeed.
const MaxResults = 50000

var feedCaps = map[string]int{"Device": 5000, "User": 5000, "Route": 10000, "Rule": 10000, "Zone": 10000}

func (st *state) get(tn string, p map[string]any) (any, *rpcErr) {
	var s search
	if p["search"] != nil {
		if err := decodeInto(p["search"], &s); err != nil {
			return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: "search: " + err.Error()}
		}
	}
	limit := 0
	if l, ok := p["resultsLimit"].(float64); ok {
		limit = int(l)
	}
	if limit > MaxResults {
		return nil, &rpcErr{code: -32000, exception: geotab.ExOverLimit,
			message: fmt.Sprintf("Supplied results limit (%d) exceeds maximum limit (%d).", limit, MaxResults)}
	}
	var out []any
	if p["sort"] != nil {
		var srt geotab.Sort
		if err := decodeInto(p["sort"], &srt); err != nil {
			return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: "sort: " + err.Error()}
		}
		var e *rpcErr
		if out, e = st.sorted(tn, s, srt, limit); e != nil {
			return nil, e
		}
	} else {
		var e *rpcErr
		if out, e = st.query(tn, s); e != nil {
			return nil, e
		}
	}
	if limit == 0 && len(out) > MaxResults {
		// Assumption: the implicit limit of a Get without resultsLimit is the explicit
		// maximum (Geotab says such a Get is refused, not at what size)
		return nil, &rpcErr{code: -32000, exception: geotab.ExOverLimit,
			message: fmt.Sprintf("The results exceed the maximum limit (%d); supply a resultsLimit or narrow the search.", MaxResults)}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		// a Get that matches nothing answers an empty array, never null (Geotab SDK
		// reference, Get: "array of entities"; the official clients return the
		// result as an array)
		out = []any{}
	}
	return out, nil
}

// recordTypes are the record types a Get may sort by date; timeOrdered are those
// whose feed is already in date order (each is written at its own time).
var (
	recordTypes = map[string]bool{"LogRecord": true, "StatusData": true, "FaultData": true, "Trip": true, "ExceptionEvent": true,
		"DriverChange": true, "DutyStatusLog": true}
	timeOrdered = map[string]bool{"LogRecord": true, "StatusData": true, "FaultData": true}
)

// recordDate is the date a record sorts on: dateTime, a trip's start, an exception's
// activeFrom (dev-objects ExceptionEvent: SortByDate sorts on activeFrom).
func recordDate(rec any) time.Time {
	switch r := rec.(type) {
	case geotab.LogRecord:
		return r.DateTime.Time
	case geotab.StatusData:
		return r.DateTime.Time
	case geotab.FaultData:
		return r.DateTime.Time
	case geotab.Trip:
		return r.Start.Time
	case geotab.ExceptionEvent:
		return r.ActiveFrom.Time
	case geotab.DriverChange:
		return r.DateTime.Time
	case geotab.DutyStatusLog:
		return r.DateTime.Time
	}
	return time.Time{}
}

func recordID(rec any) string {
	switch r := rec.(type) {
	case geotab.LogRecord:
		return r.ID
	case geotab.StatusData:
		return r.ID
	case geotab.FaultData:
		return r.ID
	case geotab.Trip:
		return r.ID
	case geotab.ExceptionEvent:
		return r.ID
	case geotab.DriverChange:
		return r.ID
	case geotab.DutyStatusLog:
		return r.ID
	}
	return ""
}

// sorted answers a Get with a sort: the records in date order (ties in the order they
// were recorded), after the offset date and, among the records of that date, after
// lastId — Geotab's "infinite scroll" paging with resultsLimit (.NET object model,
// ISort and SortByDate). Assumption: the field is named "date" on the wire, and a
// sort by anything else is refused here.
func (st *state) sorted(tn string, s search, srt geotab.Sort, limit int) ([]any, *rpcErr) {
	if !recordTypes[tn] || !strings.EqualFold(srt.SortBy, "date") {
		return nil, argErr("geotabtest sorts only records (LogRecord, StatusData, FaultData, Trip, ExceptionEvent, DriverChange, DutyStatusLog) by date, not %s by '%s'", tn, srt.SortBy)
	}
	var off time.Time
	if srt.Offset != "" {
		var t geotab.Time
		if err := t.UnmarshalJSON([]byte(`"` + srt.Offset + `"`)); err != nil {
			return nil, argErr("sort offset: %v", err)
		}
		off = t.Time
	}
	desc := strings.EqualFold(string(srt.SortDirection), "desc")
	f := st.feed(tn)
	var out []any
	passed := srt.Offset == ""
	keep := func(rec any) bool { // reports whether the page is full
		if !passed {
			d := recordDate(rec)
			if (!desc && d.Before(off)) || (desc && d.After(off)) {
				return false
			}
			if d.Equal(off) {
				passed = srt.LastID != "" && recordID(rec) == srt.LastID
				return false
			}
			passed = true
		}
		out = append(out, rec)
		return limit > 0 && len(out) > limit // one more than asked: the caller trims
	}
	if timeOrdered[tn] && !desc {
		// one pass in the order the records were written, holding one page
		for i, it := range f.items {
			if f.latest[it.id] == i && st.matchRecord(tn, it, s) && keep(it.rec) {
				break
			}
		}
		return out, nil
	}
	all, e := st.query(tn, s)
	if e != nil {
		return nil, e
	}
	sort.SliceStable(all, func(i, j int) bool {
		if desc {
			return recordDate(all[i]).After(recordDate(all[j]))
		}
		return recordDate(all[i]).Before(recordDate(all[j]))
	})
	for _, rec := range all {
		if keep(rec) {
			break
		}
	}
	return out, nil
}

func (st *state) query(tn string, s search) ([]any, *rpcErr) {
	fl := &st.fleet
	var out []any
	switch tn {
	case "Device":
		for _, d := range sortedValues(fl.devices, func(d geotab.Device) string { return d.ID }) {
			if (s.ID == "" || s.ID == d.ID) && like(s.Name, d.Name) && like(s.SerialNumber, d.SerialNumber) && like(s.LicensePlate, d.LicensePlate) {
				out = append(out, d)
			}
		}
	case "User":
		for _, u := range sortedValues(fl.users, func(u geotab.User) string { return u.ID }) {
			// userSearchType "Driver" finds every driver; the deprecated isDriver only
			// "users who have a driver key assigned" (MyGeotab UserSearch reference;
			// userSearchType since 5.7.2102, mygeotab-python #16)
			match := true
			switch {
			case s.UserSearchType == "Driver":
				match = u.IsDriver
			case s.IsDriver:
				match = u.IsDriver && fl.keyed[u.ID]
			}
			if (s.ID == "" || s.ID == u.ID) && like(s.Name, u.Name) && match {
				out = append(out, u)
			}
		}
	case "Zone":
		for _, z := range sortedValues(fl.zones, func(z geotab.Zone) string { return z.ID }) {
			if (s.ID == "" || s.ID == z.ID) && like(s.Name, z.Name) && like(s.ExternalReference, z.ExternalReference) {
				out = append(out, z)
			}
		}
	case "Rule":
		for _, r := range sortedValues(fl.rules, func(r geotab.Rule) string { return r.ID }) {
			// hidden ZoneStop rules only with includeZoneStopRules (SDK reference,
			// RuleSearch), or by id
			if (s.ID == "" || s.ID == r.ID) && like(s.Name, r.Name) && (s.BaseType == "" || s.BaseType == string(r.BaseType)) &&
				(r.BaseType != geotab.RuleBaseTypeZoneStop || s.IncludeZoneStopRules || s.ID != "") {
				out = append(out, r)
			}
		}
	case "Route":
		for _, r := range sortedValues(fl.routes, func(r geotab.Route) string { return r.ID }) {
			if (s.ID == "" || s.ID == r.ID) && like(s.Name, r.Name) && devMatch(s.DeviceSearch, r.Device) && (s.RouteType == "" || string(r.RouteType) == s.RouteType) {
				out = append(out, r)
			}
		}
	case "Diagnostic":
		for _, d := range sortedValues(fl.diagnostics, func(d geotab.Diagnostic) string { return d.ID }) {
			if s.ID == "" || s.ID == d.ID {
				out = append(out, d)
			}
		}
	case "DeviceStatusInfo":
		all := sortedValues(fl.dsi, func(d geotab.DeviceStatusInfo) string { return d.Device.ID })
		var ds []geotab.DeviceStatusInfo
		for _, d := range all {
			if devMatch(s.DeviceSearch, d.Device) {
				ds = append(ds, d)
			}
		}
		if s.Position != nil {
			sort.SliceStable(ds, func(i, j int) bool {
				return dist(*s.Position, ds[i]) < dist(*s.Position, ds[j])
			})
			if s.ClosestAssetLimit > 0 && len(ds) > s.ClosestAssetLimit {
				ds = ds[:s.ClosestAssetLimit]
			}
		}
		for _, d := range ds {
			out = append(out, d)
		}
	case "LogRecord", "Trip", "StatusData", "FaultData", "ExceptionEvent", "TextMessage", "DriverChange", "DutyStatusLog":
		f := st.feed(tn)
		var latest []item
		for i, it := range f.items {
			if f.latest[it.id] != i {
				continue
			}
			if st.matchRecord(tn, it, s) {
				out = append(out, it.rec)
			}
			if (s.IncludeOverlapped || s.IncludeBoundaryLogs) && !s.FromDate.IsZero() {
				latest = append(latest, it)
			}
		}
		if len(latest) > 0 { // the change or log in force at fromDate comes first
			before := s
			before.FromDate, before.ToDate = geotab.Time{}, geotab.Time{}
			key := func(r any) string { return r.(geotab.DriverChange).Device.ID }
			if tn == "DutyStatusLog" {
				key = func(r any) string { return r.(geotab.DutyStatusLog).Driver.ID }
			}
			out = append(boundary(latest, s.FromDate.Time, key, func(r any) bool { return st.matchRecord(tn, item{rec: r}, before) }), out...)
		}
	case "RoutePlanItem":
		for _, r := range sortedValues(fl.routes, func(r geotab.Route) string { return r.ID }) {
			for _, pi := range r.RoutePlanItemCollection {
				out = append(out, pi)
			}
		}
	default:
		return nil, argErr("Unknown type '%s'", tn)
	}
	return out, nil
}

func (st *state) matchRecord(tn string, it item, s search) bool {
	switch r := it.rec.(type) {
	case geotab.LogRecord:
		return (s.ID == "" || s.ID == r.ID) && devMatch(s.DeviceSearch, r.Device) && inRange(r.DateTime.Time, s)
	case geotab.Trip:
		return (s.ID == "" || s.ID == r.ID) && devMatch(s.DeviceSearch, r.Device) && devMatch(s.UserSearch, r.Driver) &&
			(s.FromDate.IsZero() || !r.Stop.Before(s.FromDate.Time)) && (s.ToDate.IsZero() || !r.Start.After(s.ToDate.Time))
	case geotab.StatusData:
		return devMatch(s.DeviceSearch, r.Device) && devMatch(s.DiagnosticSearch, r.Diagnostic) && inRange(r.DateTime.Time, s)
	case geotab.FaultData:
		return devMatch(s.DeviceSearch, r.Device) && devMatch(s.DiagnosticSearch, r.Diagnostic) && inRange(r.DateTime.Time, s)
	case geotab.TextMessage:
		// modifiedSinceDate: "delivered/sent/read since" (SDK reference,
		// TextMessageSearch); a record's feed time is when it last changed
		return devMatch(s.DeviceSearch, r.Device) && inRange(r.Sent.Time, s) &&
			(s.ModifiedSinceDate.IsZero() || !it.at.Before(s.ModifiedSinceDate.Time)) &&
			(s.ParentTextMessageID == "" || s.ParentTextMessageID == r.ParentMessage.ID)
	case geotab.DriverChange:
		return devMatch(s.DeviceSearch, r.Device) && devMatch(s.UserSearch, r.Driver) && inRange(r.DateTime.Time, s)
	case geotab.DutyStatusLog:
		return devMatch(s.DeviceSearch, r.Device) && devMatch(s.UserSearch, r.Driver) && inRange(r.DateTime.Time, s) &&
			(len(s.Statuses) == 0 || slices.Contains(s.Statuses, r.Status))
	case geotab.ExceptionEvent:
		return (s.ID == "" || s.ID == r.ID) && devMatch(s.DeviceSearch, r.Device) && devMatch(s.RuleSearch, r.Rule) &&
			(s.IncludeInvalidated || r.State.ID != geotab.StateInvalid) &&
			(s.FromDate.IsZero() || !r.ActiveTo.Before(s.FromDate.Time)) && (s.ToDate.IsZero() || !r.ActiveFrom.After(s.ToDate.Time))
	}
	return false
}

func dist(p geotab.Coordinate, d geotab.DeviceStatusInfo) float64 {
	dy := (d.Latitude - p.Y) * kmPerDeg
	dx := (d.Longitude - p.X) * kmPerDeg * math.Cos(p.Y*math.Pi/180)
	return dx*dx + dy*dy
}

func sortedValues[T any](m map[string]T, key func(T) string) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

type feedResult struct {
	Data      []any  `json:"data"`
	ToVersion string `json:"toVersion"`
}

// feedTypes are the types whose data feed the fake serves.
var feedTypes = map[string]bool{"LogRecord": true, "Trip": true, "StatusData": true, "FaultData": true,
	"ExceptionEvent": true, "Device": true, "User": true, "Zone": true, "Rule": true, "Diagnostic": true,
	"TextMessage": true, "DriverChange": true, "DutyStatusLog": true, "DeviceStatusInfo": true}

func (st *state) getFeed(tn string, p map[string]any) (any, *rpcErr) {
	if !feedTypes[tn] {
		return nil, argErr("GetFeed is not supported for '%s'", tn)
	}
	limit := MaxResults
	if c, ok := feedCaps[tn]; ok {
		limit = c
	}
	if l, ok := p["resultsLimit"].(float64); ok && int(l) < limit {
		limit = int(l) // larger values are clamped silently, as MyGeotab does
	}
	var s search
	if p["search"] != nil {
		_ = decodeInto(p["search"], &s)
	}
	head := fmt.Sprintf("%016x", st.version)
	from, _ := p["fromVersion"].(string)
	f := st.feed(tn)
	res := feedResult{Data: []any{}, ToVersion: head}
	if from == "" && s.FromDate.IsZero() {
		return res, nil // a new feed starts at the present
	}
	for _, it := range f.items {
		if from != "" && it.version <= from {
			continue
		}
		if from == "" && it.at.Before(s.FromDate.Time) {
			continue
		}
		if ev, ok := it.rec.(geotab.ExceptionEvent); ok && !s.IncludeInvalidated && ev.State.ID == geotab.StateInvalid {
			continue
		}
		res.Data = append(res.Data, it.rec)
		res.ToVersion = it.version
		if len(res.Data) == limit {
			return res, nil
		}
	}
	res.ToVersion = head
	return res, nil
}

func (st *state) countOf(tn string) (any, *rpcErr) {
	out, e := st.query(tn, search{IncludeInvalidated: true, IncludeZoneStopRules: true})
	if e != nil {
		return nil, e
	}
	return len(out), nil
}

func (st *state) add(tn string, entity any) (any, *rpcErr) {
	switch tn {
	case "Zone":
		var z geotab.Zone
		if err := decodeInto(entity, &z); err != nil {
			return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
		}
		if e := st.checkZone(z); e != nil {
			return nil, e
		}
		if m, ok := entity.(map[string]any); ok {
			if _, sent := m["mustIdentifyStops"]; !sent {
				// MyGeotab's default is true, which adds the hidden ZoneStop rule
				// (SDK reference, Zone: mustIdentifyStops)
				z.MustIdentifyStops = true
			}
		}
		for _, other := range st.fleet.zones {
			if strings.EqualFold(other.Name, z.Name) {
				return nil, &rpcErr{code: -32000, exception: geotab.ExDuplicate, message: fmt.Sprintf("Zone '%s' already exists", z.Name)}
			}
		}
		z.ID = st.newID("z")
		st.putZone(z)
		for _, v := range st.fleet.vehicles { // where each vehicle is when the zone appears
			la, lo := v.position()
			v.inside[z.ID] = inside(z.Points, la, lo)
		}
		return z.ID, nil
	case "Rule":
		var rl geotab.Rule
		if err := decodeInto(entity, &rl); err != nil {
			return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
		}
		if e := st.checkRule(rl); e != nil {
			return nil, e
		}
		rl.ID = st.newID("ru")
		if rl.ActiveFrom.IsZero() {
			rl.ActiveFrom = geotab.NewTime(st.now)
		}
		st.putRule(rl)
		return rl.ID, nil
	case "Route":
		var r geotab.Route
		if err := decodeInto(entity, &r); err != nil {
			return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
		}
		if e := st.checkRoute(r); e != nil {
			return nil, e
		}
		r.ID = st.newID("rt")
		for i := range r.RoutePlanItemCollection {
			r.RoutePlanItemCollection[i].ID = st.newID("rpi")
			r.RoutePlanItemCollection[i].Route = geotab.NewRef(r.ID)
			r.RoutePlanItemCollection[i].DateTime = r.RoutePlanItemCollection[i].ActiveFrom
		}
		r.Version = st.nextVersion()
		st.fleet.routes[r.ID] = r
		return r.ID, nil
	case "TextMessage":
		return st.addTextMessage(entity)
	case "DriverChange":
		return st.addDriverChange(entity)
	case "DutyStatusLog":
		return st.addDutyStatusLog(entity)
	}
	return nil, &rpcErr{code: -32000, exception: "InvalidApiOperationException", message: fmt.Sprintf("Add is not supported for '%s' by geotabtest", tn)}
}

func (st *state) checkZone(z geotab.Zone) *rpcErr {
	if z.Name == "" {
		return &rpcErr{code: -32000, exception: geotab.ExArgumentNull, message: "Value cannot be null. Parameter name: name"}
	}
	if len(z.Points) < 3 {
		return argErr("A zone needs at least 3 points")
	}
	for _, pt := range z.Points {
		if pt.Y < -90 || pt.Y > 90 || pt.X < -180 || pt.X > 180 {
			return &rpcErr{code: -32000, exception: geotab.ExArgumentOutOfRange, message: "Zone points must be valid coordinates (x: longitude, y: latitude)"}
		}
	}
	if len(z.Groups) == 0 {
		return argErr("A zone must belong to at least one group")
	}
	return nil
}

func (st *state) checkRoute(r geotab.Route) *rpcErr {
	if r.RouteType == geotab.RouteRouteTypePlan {
		if _, ok := st.fleet.devices[r.Device.ID]; !ok {
			return argErr("A Plan route needs an existing device (got %q)", r.Device.ID)
		}
	}
	for _, pi := range r.RoutePlanItemCollection {
		if _, ok := st.fleet.zones[pi.Zone.ID]; !ok {
			return argErr("Every route stop must be an existing zone (got %q)", pi.Zone.ID)
		}
	}
	return nil
}

func (st *state) putZone(z geotab.Zone) {
	if len(z.Points) > 0 {
		var la, lo float64
		for _, pt := range z.Points {
			la, lo = la+pt.Y, lo+pt.X
		}
		z.CentroidLatitude, z.CentroidLongitude = la/float64(len(z.Points)), lo/float64(len(z.Points))
	}
	z.Version = st.nextVersion()
	st.fleet.zones[z.ID] = z
	st.feed("Zone").put(z.Version, z.ID, st.now, z)
	st.syncZoneStopRule(z)
}

// checkRule refuses a rule without a name or a condition, and an area condition
// without an existing zone (MyGeotab Rule reference: a rule is its condition tree;
// the area conditions take a zone or a zone type).
func (st *state) checkRule(rl geotab.Rule) *rpcErr {
	if rl.Name == "" {
		return &rpcErr{code: -32000, exception: geotab.ExArgumentNull, message: "Value cannot be null. Parameter name: name"}
	}
	c := rl.Condition
	if c.ConditionType == "" {
		return &rpcErr{code: -32000, exception: geotab.ExArgumentNull, message: "Value cannot be null. Parameter name: condition"}
	}
	switch c.ConditionType {
	case geotab.ConditionEnteringArea, geotab.ConditionExitingArea, geotab.ConditionInsideArea, geotab.ConditionZoneStop, "OutsideArea":
		if c.Zone.ID == "" && c.ZoneType.ID == "" {
			return argErr("A %s condition needs a zone or a zone type", c.ConditionType)
		}
		if _, ok := st.fleet.zones[c.Zone.ID]; c.Zone.ID != "" && !ok {
			return argErr("Zone '%s' does not exist", c.Zone.ID)
		}
	}
	return nil
}

func (st *state) set(tn string, entity any) *rpcErr {
	switch tn {
	case "Zone":
		var z geotab.Zone
		if err := decodeInto(entity, &z); err != nil {
			return &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
		}
		if _, ok := st.fleet.zones[z.ID]; !ok {
			return argErr("Zone '%s' does not exist", z.ID)
		}
		if e := st.checkZone(z); e != nil {
			return e
		}
		st.putZone(z)
		return nil
	case "Route":
		var r geotab.Route
		if err := decodeInto(entity, &r); err != nil {
			return &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
		}
		if _, ok := st.fleet.routes[r.ID]; !ok {
			return argErr("Route '%s' does not exist", r.ID)
		}
		if e := st.checkRoute(r); e != nil {
			return e
		}
		r.Version = st.nextVersion()
		st.fleet.routes[r.ID] = r
		return nil
	case "Rule":
		var rl geotab.Rule
		if err := decodeInto(entity, &rl); err != nil {
			return &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
		}
		if _, ok := st.fleet.rules[rl.ID]; !ok {
			return argErr("Rule '%s' does not exist", rl.ID)
		}
		if e := st.checkRule(rl); e != nil {
			return e
		}
		st.putRule(rl)
		return nil
	}
	return &rpcErr{code: -32000, exception: "InvalidApiOperationException", message: fmt.Sprintf("Set is not supported for '%s' by geotabtest", tn)}
}

func (st *state) remove(tn string, entity any) *rpcErr {
	var ref struct {
		ID string `json:"id"`
	}
	_ = decodeInto(entity, &ref)
	switch tn {
	case "Zone":
		if _, ok := st.fleet.zones[ref.ID]; !ok {
			return argErr("Zone '%s' does not exist", ref.ID)
		}
		delete(st.fleet.zones, ref.ID)
		delete(st.fleet.rules, "r"+ref.ID) // the hidden stop rule goes with it
		return nil
	case "Route":
		if _, ok := st.fleet.routes[ref.ID]; !ok {
			return argErr("Route '%s' does not exist", ref.ID)
		}
		delete(st.fleet.routes, ref.ID)
		return nil
	case "Rule":
		if _, ok := st.fleet.rules[ref.ID]; !ok {
			return argErr("Rule '%s' does not exist", ref.ID)
		}
		delete(st.fleet.rules, ref.ID)
		return nil
	}
	return &rpcErr{code: -32000, exception: "InvalidApiOperationException", message: fmt.Sprintf("Remove is not supported for '%s' by geotabtest", tn)}
}

// geocode places an address deterministically near the city centre; addresses that
// contain "nowhere" are not found (null), as MyGeotab answers unknown addresses.
func (st *state) geocode(v any) any {
	addrs, _ := v.([]any)
	out := make([]any, len(addrs))
	for i, a := range addrs {
		s, _ := a.(string)
		if s == "" || strings.Contains(strings.ToLower(s), "nowhere") {
			continue
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte(strings.ToLower(strings.TrimSpace(s))))
		x := h.Sum64()
		out[i] = geotab.Coordinate{X: centreLon + (float64(x%10000)/10000-0.5)*0.3, Y: centreLat + (float64((x/10000)%10000)/10000-0.5)*0.2}
	}
	return out
}

// reverseGeocode names a point and the zones that contain it.
func (st *state) reverseGeocode(v any) any {
	pts, _ := v.([]any)
	out := make([]geotab.ReverseGeocodeAddress, len(pts))
	for i, p := range pts {
		var c geotab.Coordinate
		_ = decodeInto(p, &c)
		street := fmt.Sprintf("%d Dispatch Street", 1+int(math.Abs(c.Y*1e4))%900)
		a := geotab.ReverseGeocodeAddress{FormattedAddress: street + ", Toronto, ON, Canada", Street: street,
			StreetName: "Dispatch Street", City: "Toronto", Region: "ON", Country: "Canada", PostalCode: "M5V 2T6"}
		for _, z := range sortedValues(st.fleet.zones, func(z geotab.Zone) string { return z.ID }) {
			if inside(z.Points, c.Y, c.X) {
				a.Zones = append(a.Zones, geotab.NewRef(z.ID))
			}
		}
		out[i] = a
	}
	return out
}
