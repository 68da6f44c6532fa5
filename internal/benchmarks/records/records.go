package records

import "time"

// SrcRecord is the record of the mapping benchmarks: 10 fields, 3 of them nested.
type SrcRecord struct {
	ID       string    `json:"id" mapstructure:"id"`
	Name     string    `json:"name" mapstructure:"name"`
	Email    string    `json:"email" mapstructure:"email"`
	Priority string    `json:"priority" mapstructure:"priority"`
	Category string    `json:"category" mapstructure:"category"`
	Amount   int64     `json:"amount" mapstructure:"amount"`
	Active   bool      `json:"active" mapstructure:"active"`
	Created  time.Time `json:"created" mapstructure:"created"`
	Address  struct {
		City  string `json:"city" mapstructure:"city"`
		State string `json:"state" mapstructure:"state"`
		Zip   string `json:"zip" mapstructure:"zip"`
	} `json:"address" mapstructure:"address"`
}

// DstRecord is what it is mapped to.
type DstRecord struct {
	ID         string    `json:"id" mapstructure:"id"`
	Name       string    `json:"name" mapstructure:"name"`
	Email      string    `json:"email" mapstructure:"email"`
	Priority   string    `json:"priority" mapstructure:"priority"`
	Category   string    `json:"category" mapstructure:"category"`
	AmountCent int64     `json:"amount_minor" mapstructure:"amount"`
	Active     bool      `json:"active" mapstructure:"active"`
	CreatedAt  time.Time `json:"created_at" mapstructure:"created"`
	City       string    `json:"city" mapstructure:"city"`
	State      string    `json:"state" mapstructure:"state"`
	PostalCode string    `json:"postal_code" mapstructure:"zip"`
}

// PlainSpec renames and copies.
const PlainSpec = `
name: bench
version: 1
source: src
target: dst
fields:
  - {target: id, source: id, required: true}
  - {target: name, source: name}
  - {target: email, source: email}
  - {target: priority, source: priority}
  - {target: category, source: category}
  - {target: amount_minor, source: amount}
  - {target: active, source: active}
  - {target: created_at, source: created}
  - {target: city, source: address.city}
  - {target: state, source: address.state}
  - {target: postal_code, source: address.zip}
`

// CleanSpec maps the same fields with the cleansers dispatch uses on them.
const CleanSpec = `
name: bench-clean
version: 1
source: src
target: dst
lookups:
  priority: {values: {P1: emergency, P2: high, P3: normal, P4: low}}
fields:
  - {target: id, source: id, required: true, pipeline: [id]}
  - {target: name, source: name, pipeline: [collapse]}
  - {target: email, source: email, pipeline: [trim, lower]}
  - {target: priority, source: priority, lookup: priority}
  - {target: category, source: category, pipeline: [trim, lower]}
  - {target: amount_minor, source: amount, pipeline: ["range(0|100000000)"]}
  - {target: active, source: active}
  - {target: created_at, source: created}
  - {target: city, source: address.city, pipeline: [collapse]}
  - {target: state, source: address.state, pipeline: [us_state]}
  - {target: postal_code, source: address.zip, pipeline: [zip]}
`
