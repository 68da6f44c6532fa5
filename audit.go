package connectors

import (
	"context"
	"time"
)

// DataClass says how sensitive the data an operation carried is, for the audit trail.
type DataClass string

// Data classifications, from least to most sensitive.
const (
	// ClassPublic: nothing sensitive.
	ClassPublic DataClass = "public"
	// ClassInternal: business data with no personal fields.
	ClassInternal DataClass = "internal"
	// ClassPersonal: personal data (names, contact details, positions tied to a person).
	ClassPersonal DataClass = "personal_data"
	// ClassPayment: payment data under PCI DSS (tokens, amounts; never card numbers).
	ClassPayment DataClass = "payment"
)

// AuditEvent is one record of the audit trail: one per connector operation, whatever
// its outcome. It holds no payload, only a sanitized summary.
type AuditEvent struct {
	// Time is when the operation started.
	Time time.Time
	// System names the connector ("geotab", …).
	System string
	// Operation names the call ("Get Device", "POST /payments", …).
	Operation string
	// Actor identifies the calling system or user, when the caller set one with
	// [WithActor].
	Actor string
	// Summary describes the request without its content: counts, entity types,
	// identifiers that are not personal. Connectors fill it; it is already redacted.
	Summary map[string]string
	// StatusCode is the HTTP status of the final response (0 if there was none).
	StatusCode int
	// Err is the operation's error, or nil. Its message holds no secrets.
	Err error
	// Duration is the operation's total time, retries included.
	Duration time.Duration
	// Attempts is the number of HTTP attempts made.
	Attempts int
	// Class is the data classification of what the operation carried.
	Class DataClass
}

// Auditor receives one [AuditEvent] per connector operation. Implementations must be
// safe for concurrent use and should return quickly (hand off to a queue if writing is
// slow).
type Auditor interface {
	Audit(ctx context.Context, ev AuditEvent)
}

// AuditFunc adapts a function to [Auditor].
type AuditFunc func(ctx context.Context, ev AuditEvent)

// Audit calls f(ctx, ev).
func (f AuditFunc) Audit(ctx context.Context, ev AuditEvent) { f(ctx, ev) }

type actorKey struct{}

// WithActor returns a context that names the user or system on whose behalf the calls
// made with it run; connectors copy it into [AuditEvent.Actor].
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor set with [WithActor], or "".
func ActorFrom(ctx context.Context) string {
	s, _ := ctx.Value(actorKey{}).(string)
	return s
}
