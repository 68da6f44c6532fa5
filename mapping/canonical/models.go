package canonical

import "time"

// Source names the system and id a record came from.
type Source struct {
	// System is "reach", "dayforce", "geotab", "maddenco", "treadnet" or "merchant".
	System string `json:"system"`
	// ID is the record's id in that system.
	ID string `json:"id"`
}

// Address is a postal address, normalized (USPS abbreviations for US addresses).
type Address struct {
	Line1      string `json:"line1" personal:"true"`
	Line2      string `json:"line2,omitempty" personal:"true"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code" personal:"true"`
	// Country is the ISO 3166-1 alpha-2 code.
	Country string `json:"country"`
}

// GeoPoint is a WGS 84 position.
type GeoPoint struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Customer is the integration design's CustomerMaster: one customer, whatever system knew it first.
type Customer struct {
	ID     string `json:"id"`
	Source Source `json:"source"`
	Name   string `json:"name" personal:"true"`
	// Phone is E.164 (+15125550100); PhoneExt the extension, kept apart.
	Phone    string   `json:"phone,omitempty" personal:"true"`
	PhoneExt string   `json:"phone_ext,omitempty" personal:"true"`
	Email    string   `json:"email,omitempty" personal:"true"`
	Address  Address  `json:"address"`
	Location GeoPoint `json:"location"`
	// UpdatedAt is when the source last changed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// Priority levels of a service request.
const (
	PriorityEmergency = "emergency"
	PriorityHigh      = "high"
	PriorityNormal    = "normal"
	PriorityLow       = "low"
)

// ServiceRequest is a job to dispatch.
type ServiceRequest struct {
	ID         string `json:"id"`
	Source     Source `json:"source"`
	CustomerID string `json:"customer_id"`
	// Description is the customer's words.
	Description string `json:"description" personal:"true"`
	// Priority is emergency, high, normal or low.
	Priority string `json:"priority"`
	Category string `json:"category,omitempty"`
	Status   string `json:"status"`
	SiteID   string `json:"site_id,omitempty"`
	Area     string `json:"area,omitempty"`
	// CreatedAt is when it was raised; DueAt when the SLA of its priority ends.
	CreatedAt    time.Time `json:"created_at"`
	DueAt        time.Time `json:"due_at"`
	TechnicianID string    `json:"technician_id,omitempty"`
}

// Skill is something a technician can do, at a level.
type Skill struct {
	Code  string `json:"code"`
	Name  string `json:"name,omitempty"`
	Level string `json:"level,omitempty"`
}

// Certification is a technician's certification, valid until ExpiresAt (zero: no end).
type Certification struct {
	Code      string    `json:"code"`
	Name      string    `json:"name,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Technician is a field technician.
type Technician struct {
	ID             string          `json:"id"`
	Source         Source          `json:"source"`
	Name           string          `json:"name" personal:"true"`
	Phone          string          `json:"phone,omitempty" personal:"true"`
	Email          string          `json:"email,omitempty" personal:"true"`
	HomeArea       string          `json:"home_area,omitempty"`
	Active         bool            `json:"active"`
	Skills         []Skill         `json:"skills,omitempty"`
	Certifications []Certification `json:"certifications,omitempty"`
}

// Shift is scheduled work time of a technician.
type Shift struct {
	TechnicianID string    `json:"technician_id"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Area         string    `json:"area,omitempty"`
}

// Availability is a window in which a technician is (or is not) available.
type Availability struct {
	TechnicianID string    `json:"technician_id"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Available    bool      `json:"available"`
	// Reason is the time-off or time type code when not available.
	Reason string `json:"reason,omitempty"`
}

// Vehicle is a service vehicle.
type Vehicle struct {
	ID           string `json:"id"`
	Source       Source `json:"source"`
	Name         string `json:"name"`
	VIN          string `json:"vin,omitempty"`
	Plate        string `json:"plate,omitempty"`
	TechnicianID string `json:"technician_id,omitempty"`
}

// VehiclePosition is where a vehicle was.
type VehiclePosition struct {
	VehicleID string    `json:"vehicle_id"`
	At        time.Time `json:"at"`
	Latitude  float64   `json:"latitude"`
	Longitude float64   `json:"longitude"`
	SpeedKPH  float64   `json:"speed_kph"`
	Bearing   float64   `json:"bearing,omitempty"`
}

// GeofenceEvent is a vehicle entering or leaving a zone (a customer site).
type GeofenceEvent struct {
	VehicleID string `json:"vehicle_id"`
	ZoneID    string `json:"zone_id"`
	// Kind is entered or exited.
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
}

// Assignment is a service request given to a technician and a vehicle: the job
// site, with its coordinates, and the zone the vehicle's arrival is seen in.
type Assignment struct {
	ServiceRequestID string    `json:"service_request_id"`
	TechnicianID     string    `json:"technician_id"`
	VehicleID        string    `json:"vehicle_id"`
	ZoneID           string    `json:"zone_id"`
	Site             GeoPoint  `json:"site"`
	At               time.Time `json:"at"`
}

// Equipment is a piece of equipment at a site.
type Equipment struct {
	ID           string    `json:"id"`
	Source       Source    `json:"source"`
	SerialNumber string    `json:"serial_number,omitempty"`
	Type         string    `json:"type"`
	Status       string    `json:"status"`
	SiteID       string    `json:"site_id"`
	Location     GeoPoint  `json:"location"`
	WarrantyEnds time.Time `json:"warranty_ends"`
}

// MaintenanceRecord is maintenance done or due on a piece of equipment.
type MaintenanceRecord struct {
	ID           string    `json:"id"`
	EquipmentID  string    `json:"equipment_id"`
	Task         string    `json:"task"`
	DoneAt       time.Time `json:"done_at"`
	DueOn        time.Time `json:"due_on"`
	TechnicianID string    `json:"technician_id,omitempty"`
}

// NetworkEvent is a network outage, restoration or degradation.
type NetworkEvent struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	SiteID   string    `json:"site_id,omitempty"`
	Area     string    `json:"area,omitempty"`
	Severity string    `json:"severity,omitempty"`
	Message  string    `json:"message,omitempty"`
	OutageID string    `json:"outage_id,omitempty"`
	At       time.Time `json:"at"`
}

// Payment is a card payment for a job.
type Payment struct {
	ID          string `json:"id"`
	Source      Source `json:"source"`
	OrderNumber string `json:"order_number"`
	// AmountMinor is in minor units of Currency (ISO 4217).
	AmountMinor   int64     `json:"amount_minor"`
	CapturedMinor int64     `json:"captured_minor"`
	RefundedMinor int64     `json:"refunded_minor"`
	Currency      string    `json:"currency"`
	Status        string    `json:"status"`
	CardLast4     string    `json:"card_last4,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// Settlement is one business day's settlement in one currency.
type Settlement struct {
	Date        time.Time `json:"date"`
	BatchID     string    `json:"batch_id"`
	Currency    string    `json:"currency"`
	Count       int       `json:"count"`
	Gross       int64     `json:"gross"`
	Refunds     int64     `json:"refunds"`
	Chargebacks int64     `json:"chargebacks"`
	Fees        int64     `json:"fees"`
	Net         int64     `json:"net"`
}
