package connectors

import "github.com/oapi-codegen/nullable"

// Nullable is a field of a JSON merge patch (RFC 7396), such as those of
// reach.ServiceRequestPatch and dayforce.EmployeeSkill: its zero value leaves the
// field as it is (nothing is sent), [Set] changes it, [Clear] removes it (JSON null).
// Build one with these two; no other import is needed.
type Nullable[T any] = nullable.Nullable[T]

// Set returns a patch field that sets the value v.
func Set[T any](v T) Nullable[T] { return nullable.NewNullableWithValue(v) }

// Clear returns a patch field that removes the value (sends null).
func Clear[T any]() Nullable[T] { return nullable.NewNullNullable[T]() }
