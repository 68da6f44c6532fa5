package mapping

import (
	"errors"
	"fmt"
	"strings"
)

// Class says who must act on an error.
type Class uint8

// The classes of errors, as the integration design asks ("classified errors ... the required action
// must be available").
const (
	// ClassData: the record is wrong; the customer fixes the data at its source.
	ClassData Class = iota + 1
	// ClassMapping: the mapping is wrong; operations fix the mapping file.
	ClassMapping
	// ClassSystem: something failed on the way (a geocoder down); retry later.
	ClassSystem
)

// String names the class.
func (c Class) String() string {
	switch c {
	case ClassData:
		return "data"
	case ClassMapping:
		return "mapping"
	case ClassSystem:
		return "system"
	}
	return "unknown"
}

// Error codes. Each has an action (see [Action]).
const (
	CodeRequired      = "required_missing"
	CodeInvalidPhone  = "invalid_phone"
	CodeInvalidEmail  = "invalid_email"
	CodeInvalidID     = "invalid_id"
	CodeInvalidState  = "invalid_state"
	CodeInvalidZIP    = "invalid_zip"
	CodeCurrency      = "invalid_currency"
	CodeOutOfRange    = "out_of_range"
	CodeInvalidDate   = "invalid_date"
	CodeInvalidNumber = "invalid_number"
	CodeTimeSpan      = "invalid_timespan"
	CodeEnum          = "not_in_enumeration"
	CodeUnknownValue  = "unknown_lookup_value"
	CodeConversion    = "conversion_failed"
	CodeSpec          = "invalid_mapping"
	CodeUnavailable   = "dependency_unavailable"
)

var actions = map[string]string{
	CodeRequired:      "Fill in the field in the source system, then reprocess the record.",
	CodeInvalidPhone:  "Correct the phone number in the source system (a complete number with its area code; an extension after 'ext'), then reprocess.",
	CodeInvalidEmail:  "Correct the email address in the source system (one address, no name or comment), then reprocess.",
	CodeInvalidID:     "Correct the identifier in the source system: letters and digits only remain after cleansing, and none did.",
	CodeInvalidState:  "Correct the state in the source system (a US state or its two-letter code), then reprocess.",
	CodeInvalidZIP:    "Correct the ZIP code in the source system (5 digits, or ZIP+4), then reprocess.",
	CodeCurrency:      "Correct the currency in the source system to an active ISO 4217 code, then reprocess.",
	CodeOutOfRange:    "Correct the amount in the source system: it is outside the range the mapping allows. If the range is wrong, fix the mapping instead.",
	CodeInvalidDate:   "Correct the date in the source system to one of the formats the mapping lists; if the system changed its format, add it to the mapping.",
	CodeInvalidNumber: "Correct the number in the source system, then reprocess.",
	CodeTimeSpan:      "Correct the duration in the source system (.NET TimeSpan, e.g. 1.02:30:00), then reprocess.",
	CodeEnum:          "Use one of the listed values in the source system; if a new value is legitimate, add it to the mapping.",
	CodeUnknownValue:  "Add the value to the mapping's lookup table (Metadata Mapping), or correct it in the source system, then reprocess.",
	CodeConversion:    "Fix the mapping: the value cannot become the target's type.",
	CodeSpec:          "Fix the mapping file; the last good mapping stays in force meanwhile.",
	CodeUnavailable:   "Nothing to fix: the record is kept and reprocessed when the dependency is back.",
}

// Action is what to do about an error with code (and, when the code is unknown, its
// class).
func Action(code string, class Class) string {
	if a, ok := actions[code]; ok {
		return a
	}
	switch class {
	case ClassData:
		return "Correct the data in the source system, then reprocess the record."
	case ClassMapping:
		return "Fix the mapping; the last good mapping stays in force meanwhile."
	case ClassSystem:
		return "Retry later: the record is kept for reprocessing."
	}
	return "Inform the product team: this error was not classified."
}

// Sentinels matched by [FieldError] through errors.Is, one per class.
var (
	ErrData    = errors.New("mapping: the record's data is wrong")
	ErrMapping = errors.New("mapping: the mapping is wrong")
	ErrSystem  = errors.New("mapping: a dependency failed")
)

// FieldError is one problem of one field of one record.
type FieldError struct {
	// Source and Target are the paths of the field ("" for a computed field's source).
	Source, Target string
	// Rule is the step or check that failed (a cleanser's name, "required", a lookup).
	Rule string
	// Code is stable; [Action] says what to do about it.
	Code  string
	Class Class
	// Value is the value that failed, "[redacted]" when the field is personal.
	Value string
	// Err is the cause, if any.
	Err error
}

// Error describes the problem without unredacted personal data.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Target)
	if e.Source != "" && e.Source != e.Target {
		b.WriteString(" (from " + e.Source + ")")
	}
	b.WriteString(": " + e.Rule + ": " + e.Code)
	if e.Value != "" {
		b.WriteString(" (value " + fmt.Sprintf("%q", e.Value) + ")")
	}
	if e.Err != nil && e.Class != ClassData {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Action is what to do about this error.
func (e *FieldError) Action() string { return Action(e.Code, e.Class) }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Is matches the sentinel of the error's class.
func (e *FieldError) Is(target error) bool {
	switch target {
	case ErrData:
		return e.Class == ClassData
	case ErrMapping:
		return e.Class == ClassMapping
	case ErrSystem:
		return e.Class == ClassSystem
	}
	return false
}

// RecordError holds every problem of one record (never just the first).
type RecordError struct {
	// Mapping and Version name the mapping that applied.
	Mapping string
	Version int
	Errors  []*FieldError
}

// Error lists the problems.
func (e *RecordError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	return fmt.Sprintf("mapping %s v%d: %d problem(s): %s", e.Mapping, e.Version, len(e.Errors), strings.Join(parts, "; "))
}

// Unwrap returns the field errors, so errors.Is/As see each.
func (e *RecordError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		out[i] = fe
	}
	return out
}

// Class is the most urgent class among the problems: system (retry) before mapping
// (fix the mapping) before data (fix the record).
func (e *RecordError) Class() Class {
	best := Class(0)
	for _, fe := range e.Errors {
		if best == 0 || fe.Class == ClassSystem || fe.Class == ClassMapping && best == ClassData {
			best = fe.Class
		}
	}
	return best
}

// SpecError lists every problem of a mapping file found when compiling it. It
// matches [ErrMapping].
type SpecError struct {
	Mapping  string
	Problems []string
}

// Error lists the problems.
func (e *SpecError) Error() string {
	return fmt.Sprintf("mapping %s: %d problem(s): %s", e.Mapping, len(e.Problems), strings.Join(e.Problems, "; "))
}

// Is matches ErrMapping.
func (e *SpecError) Is(target error) bool { return target == ErrMapping }
