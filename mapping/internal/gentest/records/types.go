package records

import (
	_ "embed"
	"time"
)

// EdgeSpec is a mapping with a field of every kind Generate knows: plain copies
// between equal, named and wider types and time wrappers, text with and without
// steps, a default, a required field, a lookup, and fields it leaves to ApplyField
// (a condition, a computation, an indexed, a pointer and a map path, a constant).
//
//go:embed edge.yaml
var EdgeSpec []byte

// Status is a named text type.
type Status string

// Stamp wraps a time.Time, as generated API types do.
type Stamp struct {
	Time time.Time
	Note string
}

// Src is the edge mapping's source.
type Src struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	Code  Status        `json:"code"`
	Count int           `json:"count"`
	Total int64         `json:"total"`
	Ratio float64       `json:"ratio"`
	Flag  bool          `json:"flag"`
	When  time.Time     `json:"when"`
	At    Stamp         `json:"at"`
	Wait  time.Duration `json:"wait"`
	Phone string        `json:"phone"`
	Email string        `json:"email"`
	Prio  string        `json:"prio"`
	Kind  Status        `json:"kind"`
	Addr  struct {
		City  string `json:"city"`
		State string `json:"state"`
		Zip   string `json:"zip"`
	} `json:"addr"`
	Tags  []string          `json:"tags"`
	Ptr   *string           `json:"ptr"`
	Extra map[string]string `json:"extra"`
}

// Dst is the edge mapping's target.
type Dst struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Code     string        `json:"code"`
	Kind     Status        `json:"kind"`
	Count    int64         `json:"count"`
	Total    int64         `json:"total"`
	Ratio    float64       `json:"ratio"`
	Flag     bool          `json:"flag"`
	When     Stamp         `json:"when"`
	At       time.Time     `json:"at"`
	Wait     time.Duration `json:"wait"`
	Phone    string        `json:"phone"`
	Email    string        `json:"email"`
	Priority string        `json:"priority"`
	Country  string        `json:"country"`
	Label    string        `json:"label"`
	Region   Status        `json:"region"`
	Place    struct {
		City  string `json:"city"`
		State string `json:"state"`
		Zip   string `json:"zip"`
	} `json:"place"`
	FirstTag string `json:"first_tag"`
	FromPtr  string `json:"from_ptr"`
	FromMap  string `json:"from_map"`
	Source   string `json:"source"`
}
