package defaults

import (
	"embed"
	"io/fs"
	"time"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/treadnet"
)

//go:embed mappings/*.yaml
var files embed.FS

// FS holds the default mapping files, one per mapping, named after it.
var FS = func() fs.FS {
	sub, err := fs.Sub(files, "mappings")
	if err != nil {
		panic(err)
	}
	return sub
}()

// SettlementTotal is one currency of a merchant settlement batch, with the batch's
// date and id: what the merchant-settlement mapping reads.
type SettlementTotal struct {
	Date    time.Time                `json:"date"`
	BatchID string                   `json:"batch_id"`
	Total   merchant.SettlementTotal `json:"total"`
}

// SettlementTotals splits a batch into its currencies.
func SettlementTotals(s merchant.Settlement) []SettlementTotal {
	out := make([]SettlementTotal, len(s.Totals))
	for i, t := range s.Totals {
		out[i] = SettlementTotal{Date: s.Date.Time, BatchID: s.BatchID, Total: t}
	}
	return out
}

// Registry returns a mapping registry with the built-in steps and every type the
// default mappings name: the connectors' records as "<package>.<Type>" and the
// canonical models as "canonical.<Type>".
func Registry() *mapping.Registry {
	reg := mapping.NewRegistry()
	for name, sample := range map[string]any{
		"reach.Customer": reach.Customer{}, "reach.ServiceRequest": reach.ServiceRequest{}, "reach.NewCustomer": reach.NewCustomer{},
		"geotab.LogRecord": geotab.LogRecord{}, "geotab.DeviceStatusInfo": geotab.DeviceStatusInfo{}, "geotab.GeofenceEvent": geotab.GeofenceEvent{},
		"dayforce.Employee": dayforce.Employee{}, "dayforce.EmployeeSkill": dayforce.EmployeeSkill{},
		"dayforce.EmployeeSchedule": dayforce.EmployeeSchedule{}, "dayforce.EmployeeAvailability": dayforce.EmployeeAvailability{},
		"maddenco.Equipment": maddenco.Equipment{}, "maddenco.MaintenanceLog": maddenco.MaintenanceLog{},
		"treadnet.NetworkEvent": treadnet.NetworkEvent{},
		"merchant.Transaction":  merchant.Transaction{}, "defaults.SettlementTotal": SettlementTotal{},
		"geotab.WebhookEvent": geotab.WebhookEvent{}, "reach.Event": reach.Event{}, "maddenco.Event": maddenco.Event{},
		"merchant.Event": merchant.Event{}, "dayforce.WebhookEvent": dayforce.WebhookEvent{},
		"canonical.Customer": canonical.Customer{}, "canonical.ServiceRequest": canonical.ServiceRequest{},
		"canonical.Technician": canonical.Technician{}, "canonical.Skill": canonical.Skill{}, "canonical.Shift": canonical.Shift{},
		"canonical.Availability": canonical.Availability{}, "canonical.VehiclePosition": canonical.VehiclePosition{},
		"canonical.GeofenceEvent": canonical.GeofenceEvent{}, "canonical.Equipment": canonical.Equipment{},
		"canonical.MaintenanceRecord": canonical.MaintenanceRecord{}, "canonical.NetworkEvent": canonical.NetworkEvent{},
		"canonical.Payment": canonical.Payment{}, "canonical.Settlement": canonical.Settlement{},
	} {
		reg.RegisterType(name, sample)
	}
	return reg
}

// Load compiles the default mappings (a *mapping.Loader over [FS] and [Registry]).
func Load() (*mapping.Loader, error) {
	l := mapping.NewLoader(FS, Registry())
	return l, l.Load()
}
