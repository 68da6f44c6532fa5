package reach

import "github.com/dispatchcenter/connectors/reach/internal/api"

// The Reach models, generated from openapi.yaml.
type (
	// ServiceRequest is a job in Reach.
	ServiceRequest = api.ServiceRequest
	// NewServiceRequest is what the dispatch center sends to open a job.
	NewServiceRequest = api.NewServiceRequest
	// ServiceRequestPatch is a JSON merge patch: fields left zero stay as they are;
	// connectors.Set(v) changes a nullable field and connectors.Clear clears it.
	ServiceRequestPatch = api.ServiceRequestPatch
	// ServiceRequestStatus is a job's state.
	ServiceRequestStatus = api.ServiceRequestStatus
	// StatusUpdate changes a job's state.
	StatusUpdate = api.StatusUpdate
	// Priority of a job.
	Priority = api.Priority
	// Technician is a field technician.
	Technician = api.Technician
	// AvailabilityWindowState is available, busy or off.
	AvailabilityWindowState = api.AvailabilityWindowState
	// AvailabilityWindow is a span of a technician's time.
	AvailabilityWindow = api.AvailabilityWindow
	// Customer is Reach's minimal customer record.
	Customer = api.Customer
	// NewCustomer is the minimal customer record the dispatch center shares.
	NewCustomer = api.NewCustomer
	// CustomerPatch is a JSON merge patch of a customer.
	CustomerPatch = api.CustomerPatch
	// Communication is an entry of a customer's communication log.
	Communication = api.Communication
	// Address is a postal address with optional coordinates.
	Address = api.Address
	// ExportRecord is one record of the historical export.
	ExportRecord = api.ExportRecord
	// Problem is Reach's error body (RFC 9457).
	Problem = api.Problem
)

// Service request states and priorities.
const (
	StatusNew        = api.ServiceRequestStatusNew
	StatusScheduled  = api.ServiceRequestStatusScheduled
	StatusDispatched = api.ServiceRequestStatusDispatched
	StatusEnRoute    = api.ServiceRequestStatusEnRoute
	StatusOnSite     = api.ServiceRequestStatusOnSite
	StatusCompleted  = api.ServiceRequestStatusCompleted
	StatusCancelled  = api.ServiceRequestStatusCancelled

	PriorityEmergency = api.PriorityEmergency
	PriorityHigh      = api.PriorityHigh
	PriorityNormal    = api.PriorityNormal
	PriorityLow       = api.PriorityLow
)
