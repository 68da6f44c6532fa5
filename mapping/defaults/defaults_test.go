package defaults_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/mapping/defaults"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/treadnet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func load(t *testing.T) *mapping.Loader {
	t.Helper()
	l, err := defaults.Load()
	require.NoError(t, err)
	return l
}

func get(t *testing.T, l *mapping.Loader, name string) *mapping.Mapping {
	t.Helper()
	m, ok := l.Mapping(name)
	require.True(t, ok, name)
	return m
}

func TestEveryDefaultMappingCompiles(t *testing.T) {
	l := load(t)
	assert.Len(t, l.Names(), 20)
}

func TestReachDefaults(t *testing.T) {
	l := load(t)
	created := time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)
	c, err := mapping.Map[canonical.Customer](get(t, l, "reach-customer"), reach.Customer{ID: "C00042", Name: " Ada  Lovelace",
		Phone: "512-555-0142", Email: "ada@Example.com", UpdatedAt: created,
		ServiceAddress: reach.Address{Line1: "100 Congress Avenue", City: "Austin", Region: "Texas", PostalCode: "78701", Latitude: 30.27}})
	require.NoError(t, err)
	assert.Equal(t, "Ada Lovelace", c.Name)
	assert.Equal(t, "+15125550142", c.Phone)
	assert.Equal(t, canonical.Address{Line1: "100 CONGRESS AVE", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}, c.Address)
	assert.Equal(t, canonical.Source{System: "reach", ID: "C00042"}, c.Source)

	sr, err := mapping.Map[canonical.ServiceRequest](get(t, l, "reach-service-request"), reach.ServiceRequest{ID: "SR1", CustomerID: "C00042",
		Description: "no heat", Priority: reach.PriorityEmergency, Status: reach.ServiceRequestStatusNew, CreatedAt: created})
	require.NoError(t, err)
	assert.Equal(t, created.Add(4*time.Hour), sr.DueAt, "the emergency SLA")

	out := get(t, l, "reach-customer-out")
	nc, err := mapping.Map[reach.NewCustomer](out, c)
	require.NoError(t, err)
	assert.Equal(t, "C00042", nc.ExternalID)
	assert.Equal(t, "TX", nc.ServiceAddress.Region)
	assert.Contains(t, out.Dropped(), "location", "what Reach need not see is not sent")
}

func TestOtherDefaults(t *testing.T) {
	l := load(t)
	at := time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)
	pos, err := mapping.Map[canonical.VehiclePosition](get(t, l, "geotab-logrecord"),
		geotab.LogRecord{Device: geotab.NewRef("b12"), DateTime: geotab.NewTime(at), Latitude: 30.27, Longitude: -97.74, Speed: 54})
	require.NoError(t, err)
	assert.Equal(t, canonical.VehiclePosition{VehicleID: "b12", At: at, Latitude: 30.27, Longitude: -97.74, SpeedKPH: 54}, pos)
	_, err = mapping.Map[canonical.VehiclePosition](get(t, l, "geotab-logrecord"), geotab.LogRecord{Device: geotab.NewRef("b12"), DateTime: geotab.NewTime(at), Latitude: 91})
	assert.ErrorIs(t, err, mapping.ErrData)
	geo, err := mapping.Map[canonical.GeofenceEvent](get(t, l, "geotab-geofence"),
		geotab.GeofenceEvent{Kind: geotab.GeofenceExited, EventID: "ee9", ZoneID: "z4", RuleID: "ru2", DeviceID: "b12", At: at})
	require.NoError(t, err)
	assert.Equal(t, canonical.GeofenceEvent{VehicleID: "b12", ZoneID: "z4", Kind: "exited", At: at}, geo)

	tech, err := mapping.Map[canonical.Technician](get(t, l, "dayforce-employee"), dayforce.Employee{XRefCode: "E0001", FirstName: "Grace", LastName: "Hopper"})
	require.NoError(t, err)
	assert.Equal(t, "Grace Hopper", tech.Name)
	assert.True(t, tech.Active)

	day := dayforce.DateTime{Time: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	av, err := mapping.Map[canonical.Availability](get(t, l, "dayforce-availability"),
		dayforce.EmployeeAvailability{DateOfRequest: day, StartTime1: dayforce.TimeSpan(8 * time.Hour), EndTime1: dayforce.TimeSpan(17 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, day.Add(8*time.Hour), av.Start)
	assert.True(t, av.Available)

	ne, err := mapping.Map[canonical.NetworkEvent](get(t, l, "treadnet-event"), treadnet.NetworkEvent{Kind: treadnet.NetworkOutageDetected,
		SiteID: "TN-004", Severity: "CRITICAL", OutageID: "OUT-1", Received: at})
	require.NoError(t, err)
	assert.Equal(t, canonical.NetworkEvent{ID: "OUT-1", Kind: "outage", SiteID: "TN-004", Severity: "critical", OutageID: "OUT-1", At: at}, ne)

	pay, err := mapping.Map[canonical.Payment](get(t, l, "merchant-transaction"), merchant.Transaction{ID: "txn_1", MerchantOrderNumber: "INV-1",
		Amount: 12550, Currency: "USD", Status: merchant.TransactionStatusCaptured, Last4: "6781", CreatedAt: at})
	require.NoError(t, err)
	assert.EqualValues(t, 12550, pay.AmountMinor)
	_, err = mapping.Map[canonical.Payment](get(t, l, "merchant-transaction"), merchant.Transaction{ID: "txn_1", MerchantOrderNumber: "INV-1",
		Amount: 1, Currency: "HRK", Status: merchant.TransactionStatusCaptured, CreatedAt: at})
	var fe *mapping.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, mapping.CodeCurrency, fe.Code)

	set := merchant.Settlement{BatchID: "B20260105", Totals: []merchant.SettlementTotal{{Currency: "USD", Count: 3, Gross: 30000, Fees: 900, Net: 29100}, {Currency: "CAD", Count: 1, Gross: 5000, Net: 4820, Fees: 180}}}
	set.Date.Time = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, st := range defaults.SettlementTotals(set) {
		s, err := mapping.Map[canonical.Settlement](get(t, l, "merchant-settlement"), st)
		require.NoError(t, err)
		assert.Equal(t, s.Gross-s.Fees, s.Net)
	}
}
