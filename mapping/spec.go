package mapping

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Spec is a mapping as written in its file (YAML or JSON): what operations edit
// without a release (the integration design's Metadata Mapping).
type Spec struct {
	// Name and Version identify the mapping in errors and in the error store.
	Name    string `json:"name" yaml:"name"`
	Version int    `json:"version" yaml:"version"`
	// Source and Target are Go type names registered in the Registry
	// ("reach.Customer", "canonical.Customer").
	Source string `json:"source" yaml:"source"`
	Target string `json:"target" yaml:"target"`
	// Direction is "inbound" (the default) or "outbound": toward an external system a
	// mapping is an allowlist, and the source fields it does not map are dropped and
	// counted.
	Direction string `json:"direction,omitempty" yaml:"direction,omitempty"`
	// Lookups are the value tables, by name.
	Lookups map[string]LookupSpec `json:"lookups,omitempty" yaml:"lookups,omitempty"`
	// Fields are mapped in order.
	Fields []FieldSpec `json:"fields" yaml:"fields"`
}

// LookupSpec is a value table.
type LookupSpec struct {
	Values map[string]string `json:"values" yaml:"values"`
	// Reversible requires the table to be one-to-one, so it can map back.
	Reversible bool `json:"reversible,omitempty" yaml:"reversible,omitempty"`
	// Unknown is what a value missing from the table gives: "error" (the default),
	// "default" (Default) or "pass" (the value itself).
	Unknown string `json:"unknown,omitempty" yaml:"unknown,omitempty"`
	Default string `json:"default,omitempty" yaml:"default,omitempty"`
}

// FieldSpec maps one target field.
type FieldSpec struct {
	// Target is the target field's path ("address.line1").
	Target string `json:"target" yaml:"target"`
	// Source is the source path ("service_address.line1", "drivers[0].phone"); empty
	// for a computed field or a constant (Default alone).
	Source string `json:"source,omitempty" yaml:"source,omitempty"`
	// Default is used when the source is absent or empty (text, converted like a
	// source value: it goes through the pipeline).
	Default *string `json:"default,omitempty" yaml:"default,omitempty"`
	// Required makes an absent or empty result an error (class data).
	Required bool `json:"required,omitempty" yaml:"required,omitempty"`
	// Pipeline lists the cleansers and validators, in order: "trim", "phone(US)",
	// "range(0|100000)", "date(America/Chicago|01/02/2006 15:04)".
	Pipeline []string `json:"pipeline,omitempty" yaml:"pipeline,omitempty"`
	// Lookup names a table the (cleansed) value is looked up in; Reverse looks it up
	// backwards.
	Lookup  string `json:"lookup,omitempty" yaml:"lookup,omitempty"`
	Reverse bool   `json:"reverse,omitempty" yaml:"reverse,omitempty"`
	// When maps the field only when the condition holds.
	When *Condition `json:"when,omitempty" yaml:"when,omitempty"`
	// Compute computes the value with a function of other source values.
	Compute *Compute `json:"compute,omitempty" yaml:"compute,omitempty"`
	// Personal marks personal data: the value is redacted in errors (target fields
	// tagged personal:"true" are personal anyway).
	Personal bool `json:"personal,omitempty" yaml:"personal,omitempty"`
}

// Condition is a test on a source value: Present, Equals or In (one of them).
type Condition struct {
	Source  string   `json:"source" yaml:"source"`
	Present *bool    `json:"present,omitempty" yaml:"present,omitempty"`
	Equals  *string  `json:"equals,omitempty" yaml:"equals,omitempty"`
	In      []string `json:"in,omitempty" yaml:"in,omitempty"`
}

// Compute calls a registered function with source values as arguments.
type Compute struct {
	Func   string   `json:"func" yaml:"func"`
	Args   []string `json:"args" yaml:"args"`
	Lookup string   `json:"lookup,omitempty" yaml:"lookup,omitempty"`
}

// ParseSpec reads a mapping file: JSON when it starts with '{', YAML otherwise.
// Unknown keys are errors (a typo must not silently drop a rule).
func ParseSpec(b []byte) (*Spec, error) {
	var s Spec
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, &SpecError{Mapping: "(unparsed)", Problems: []string{"json: " + err.Error()}}
		}
		return &s, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, &SpecError{Mapping: "(unparsed)", Problems: []string{yamlProblem(err)}}
	}
	return &s, nil
}

// String names the mapping and its version ("reach-customer v3").
func (s *Spec) String() string { return fmt.Sprintf("%s v%d", s.Name, s.Version) }

// yamlProblem is a parse error on one line, said once: the YAML library prefixes
// its own "yaml: ".
func yamlProblem(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	for strings.HasPrefix(msg, "yaml: ") {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return "yaml: " + msg
}
