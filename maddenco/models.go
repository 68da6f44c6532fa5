package maddenco

import "github.com/dispatchcenter/connectors/maddenco/internal/api"

// The Maddenco models, generated from openapi.yaml.
type (
	// Equipment is one piece of equipment with its status, location, specifications
	// and warranty.
	Equipment = api.Equipment
	// EquipmentStatus is in_service, out_of_service, in_repair, standby or retired.
	EquipmentStatus = api.EquipmentStatus
	// Location is where a piece of equipment is.
	Location = api.Location
	// Warranty is a piece of equipment's warranty.
	Warranty = api.Warranty
	// MaintenanceSchedule is a recurring maintenance task of one piece of equipment.
	MaintenanceSchedule = api.MaintenanceSchedule
	// MaintenanceLog is one maintenance done.
	MaintenanceLog = api.MaintenanceLog
	// Part is a part in inventory with its stock.
	Part = api.Part
	// PartUsed is a part consumed by maintenance or a work order.
	PartUsed = api.PartUsed
	// UsageReport is a piece of equipment's use on one day.
	UsageReport = api.UsageReport
	// WorkOrderCompletion is how a work order on Maddenco equipment ended.
	WorkOrderCompletion = api.WorkOrderCompletion
	// WorkOrderCompletionStatus is completed, incomplete or cancelled.
	WorkOrderCompletionStatus = api.WorkOrderCompletionStatus
	// Change is one change of the change feed; the field named by Kind holds the
	// record (empty for a deletion).
	Change = api.Change
	// ChangeKind is equipment, maintenance_schedule, maintenance_log or part.
	ChangeKind = api.ChangeKind
	// ChangeOp is upsert or delete.
	ChangeOp = api.ChangeOp
	// Problem is Maddenco's error body (RFC 9457).
	Problem = api.Problem
)

// Equipment statuses.
const (
	StatusInService    = api.EquipmentStatusInService
	StatusOutOfService = api.EquipmentStatusOutOfService
	StatusInRepair     = api.EquipmentStatusInRepair
	StatusStandby      = api.EquipmentStatusStandby
	StatusRetired      = api.EquipmentStatusRetired
)

// Work-order outcomes.
const (
	WorkOrderCompleted  = api.WorkOrderCompletionStatusCompleted
	WorkOrderIncomplete = api.WorkOrderCompletionStatusIncomplete
	WorkOrderCancelled  = api.WorkOrderCompletionStatusCancelled
)

// Change kinds and operations.
const (
	KindEquipment           = api.ChangeKindEquipment
	KindMaintenanceSchedule = api.ChangeKindMaintenanceSchedule
	KindMaintenanceLog      = api.ChangeKindMaintenanceLog
	KindPart                = api.ChangeKindPart
	OpUpsert                = api.ChangeOpUpsert
	OpDelete                = api.ChangeOpDelete
)
