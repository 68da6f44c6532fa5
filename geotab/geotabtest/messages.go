package geotabtest

import (
	"time"

	"github.com/dispatchcenter/connectors/geotab"
)

// Text messages, driver changes and hours-of-service logs.
//
// TextMessage: an Add with isDirectionToVehicle true is a message to a device; the
// device's reply is a TextMessage with isDirectionToVehicle false and parentMessage
// naming the message, and the message gains a replyMessage (SDK reference,
// TextMessage.ParentMessage and ReplyMessage; SDK sample pollTextMessages, which
// also posts the reply of a test "from the vehicle" the same way). Content types
// Normal, CannedResponse and Location; a Location at 0, 0 clears the stops (SDK
// sample sendTextMessage). Assumption: the fake stamps sent when the message is
// added (MyGeotab stamps it when the device is sent it; the SDK gives no delay).
//
// DriverChange: DriverKey changes come from a key (see [Server.SwipeKey]) and "cannot
// be used to add user-assigned records"; an Add is of type Driver (SDK reference,
// DriverChangeType). The vehicle's driver is the last change's.
//
// DutyStatusLog: added as the SDK's importHosLogs sample adds them. Assumption: a
// driver's log says ON at the start, D when a trip starts and ON when it ends (ELD
// devices record driving by themselves; what a driver records between trips is the
// driver's, added through the API here).

// addTextMessage stores a message to a vehicle, or a reply from one.
func (st *state) addTextMessage(entity any) (any, *rpcErr) {
	var m geotab.TextMessage
	if err := decodeInto(entity, &m); err != nil {
		return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
	}
	if _, ok := st.fleet.devices[m.Device.ID]; !ok {
		return nil, argErr("A text message needs an existing device (got %q)", m.Device.ID)
	}
	switch m.MessageContent.ContentType {
	case geotab.ContentNormal, geotab.ContentCannedResponse, geotab.ContentLocation:
	case "":
		return nil, &rpcErr{code: -32000, exception: geotab.ExArgumentNull, message: "Value cannot be null. Parameter name: messageContent"}
	default:
		return nil, argErr("geotabtest does not send %s messages", m.MessageContent.ContentType)
	}
	return st.putMessage(m, m.ParentMessage.ID)
}

// putMessage stores m as sent now; a reply (parent set) is linked to its parent.
func (st *state) putMessage(m geotab.TextMessage, parent string) (string, *rpcErr) {
	f := st.feed("TextMessage")
	var pm geotab.TextMessage
	if parent != "" {
		i, ok := f.latest[parent]
		if !ok {
			return "", argErr("Text message '%s' does not exist", parent)
		}
		pm = f.items[i].rec.(geotab.TextMessage)
		if !pm.ReplyMessage.IsZero() {
			return "", argErr("Text message '%s' has a reply already", parent)
		}
	}
	m.ID, m.Sent, m.ActiveFrom, m.Version = st.newID("tm"), geotab.NewTime(st.now), geotab.NewTime(st.now), st.nextVersion()
	f.put(m.Version, m.ID, st.now, m)
	if parent != "" {
		pm.ReplyMessage, pm.Version = geotab.NewRef(m.ID), st.nextVersion()
		f.put(pm.Version, pm.ID, st.now, pm)
	}
	return m.ID, nil
}

// Reply posts a driver's reply to a message sent to a vehicle, as the device sends
// it (a Normal message from the vehicle, parentMessage the message); it returns the
// reply's id, or false when the message is unknown or answered.
func (s *Server) Reply(messageID, text string) (string, bool) {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	f := st.feed("TextMessage")
	i, ok := f.latest[messageID]
	if !ok {
		return "", false
	}
	to := f.items[i].rec.(geotab.TextMessage)
	if !to.IsDirectionToVehicle {
		return "", false
	}
	id, e := st.putMessage(geotab.TextMessage{Device: to.Device, ParentMessage: geotab.NewRef(messageID),
		MessageContent: geotab.Text(text, false)}, messageID)
	return id, e == nil
}

// Messages returns the messages sent to a vehicle, oldest first.
func (s *Server) Messages(deviceID string) []geotab.TextMessage {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []geotab.TextMessage
	f := st.feed("TextMessage")
	for i, it := range f.items {
		if m := it.rec.(geotab.TextMessage); f.latest[it.id] == i && m.Device.ID == deviceID && m.IsDirectionToVehicle {
			out = append(out, m)
		}
	}
	return out
}

// SwipeKey makes a driver take a vehicle with their driver key: a DriverChange of
// type DriverKey, and the vehicle's records are the driver's from now on. It reports
// false for an unknown device or driver.
func (s *Server) SwipeKey(deviceID, driverID string) bool {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.fleet.users[driverID]; !ok {
		return false
	}
	return st.changeDriver(deviceID, driverID, geotab.DriverChangeTypeDriverKey, st.now) == nil
}

// changeDriver records a DriverChange and gives the vehicle its driver.
func (st *state) changeDriver(deviceID, driverID string, typ geotab.DriverChangeType, at time.Time) *rpcErr {
	for _, v := range st.fleet.vehicles {
		if v.id != deviceID {
			continue
		}
		dc := geotab.DriverChange{ID: st.newID("dc"), Device: geotab.NewRef(deviceID), Driver: geotab.NewRef(driverID),
			DateTime: geotab.NewTime(at), Type: typ, Version: st.nextVersion()}
		st.feed("DriverChange").put(dc.Version, dc.ID, st.now, dc)
		if !at.After(st.now) {
			v.driver = driverID
		}
		return nil
	}
	return argErr("A driver change needs an existing device (got %q)", deviceID)
}

// addDriverChange stores a user-assigned driver change.
func (st *state) addDriverChange(entity any) (any, *rpcErr) {
	var dc geotab.DriverChange
	if err := decodeInto(entity, &dc); err != nil {
		return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
	}
	if dc.Type != geotab.DriverChangeTypeDriver {
		// DriverKey, DriverVehicleChange: "Cannot be used to add user-assigned records"
		return nil, argErr("A DriverChange of type '%s' cannot be added", dc.Type)
	}
	if _, ok := st.fleet.users[dc.Driver.ID]; !ok {
		return nil, argErr("A driver change needs an existing driver (got %q)", dc.Driver.ID)
	}
	at := dc.DateTime.Time
	if at.IsZero() {
		at = st.now
	}
	if e := st.changeDriver(dc.Device.ID, dc.Driver.ID, dc.Type, at); e != nil {
		return nil, e
	}
	f := st.feed("DriverChange")
	return f.items[len(f.items)-1].id, nil
}

// dutyLog records a driver's duty status.
func (st *state) dutyLog(deviceID, driverID, status string, at time.Time) string {
	l := geotab.DutyStatusLog{ID: st.newID("dsl"), Device: geotab.NewRef(deviceID), Driver: geotab.NewRef(driverID),
		DateTime: geotab.NewTime(at), Status: status, Version: st.nextVersion()}
	st.feed("DutyStatusLog").put(l.Version, l.ID, st.now, l)
	return l.ID
}

// addDutyStatusLog stores a log a driver (or an import) records.
func (st *state) addDutyStatusLog(entity any) (any, *rpcErr) {
	var l geotab.DutyStatusLog
	if err := decodeInto(entity, &l); err != nil {
		return nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: err.Error()}
	}
	if _, ok := st.fleet.users[l.Driver.ID]; !ok {
		return nil, argErr("A duty status log needs an existing driver (got %q)", l.Driver.ID)
	}
	if l.Status == "" {
		return nil, &rpcErr{code: -32000, exception: geotab.ExArgumentNull, message: "Value cannot be null. Parameter name: status"}
	}
	at := l.DateTime.Time
	if at.IsZero() {
		at = st.now
	}
	return st.dutyLog(l.Device.ID, l.Driver.ID, l.Status, at), nil
}

// boundary adds, for each key, the newest record before from that the search's dates
// left out (DriverChangeSearch.includeOverlappedChanges, DutyStatusLogSearch.
// includeBoundaryLogs: "the log immediately preceding the from date").
func boundary(recs []item, from time.Time, key func(any) string, match func(any) bool) []any {
	last := map[string]item{}
	var order []string
	for _, it := range recs {
		if !recordDate(it.rec).Before(from) || !match(it.rec) {
			continue
		}
		k := key(it.rec)
		prev, seen := last[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || !recordDate(it.rec).Before(recordDate(prev.rec)) {
			last[k] = it
		}
	}
	out := make([]any, 0, len(order))
	for _, k := range order {
		out = append(out, last[k].rec)
	}
	return out
}
