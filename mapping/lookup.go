package mapping

import (
	"fmt"
	"slices"
)

// Unknown values of a lookup table.
const (
	// UnknownError refuses a value the table does not list (the default).
	UnknownError = "error"
	// UnknownDefault gives the table's Default instead.
	UnknownDefault = "default"
	// UnknownPass passes the value through unchanged.
	UnknownPass = "pass"
)

// Lookup is a compiled value table (the integration design's time-type codes, priority levels),
// usable both ways when it is one-to-one.
type Lookup struct {
	name    string
	fwd     map[string]string
	rev     map[string]string // nil unless reversible
	unknown string
	def     string
}

func compileLookup(name string, ls LookupSpec) (*Lookup, []string) {
	var problems []string
	l := &Lookup{name: name, fwd: map[string]string{}, unknown: ls.Unknown, def: ls.Default}
	if l.unknown == "" {
		l.unknown = UnknownError
	}
	switch l.unknown {
	case UnknownError, UnknownPass:
	case UnknownDefault:
		if ls.Default == "" {
			problems = append(problems, fmt.Sprintf("lookup %s: unknown: default needs a default", name))
		}
	default:
		problems = append(problems, fmt.Sprintf("lookup %s: unknown must be error, default or pass (not %q)", name, ls.Unknown))
	}
	if len(ls.Values) == 0 {
		problems = append(problems, fmt.Sprintf("lookup %s: no values", name))
	}
	for k, v := range ls.Values {
		l.fwd[k] = v
	}
	if ls.Reversible {
		l.rev = map[string]string{}
		keys := make([]string, 0, len(ls.Values))
		for k := range ls.Values {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := ls.Values[k]
			if prev, dup := l.rev[v]; dup {
				problems = append(problems, fmt.Sprintf("lookup %s: not one-to-one: %q and %q both give %q, so it cannot be reversed", name, prev, k, v))
				continue
			}
			l.rev[v] = k
		}
	}
	return l, problems
}

// Forward looks a value up (the table's unknown policy applies).
func (l *Lookup) Forward(v string) (string, error) { return l.find(l.fwd, v) }

// Reverse looks a value up backwards; only reversible tables can.
func (l *Lookup) Reverse(v string) (string, error) {
	if l.rev == nil {
		return "", fmt.Errorf("lookup %s is not reversible", l.name)
	}
	return l.find(l.rev, v)
}

func (l *Lookup) find(m map[string]string, v string) (string, error) {
	if out, ok := m[v]; ok {
		return out, nil
	}
	switch l.unknown {
	case UnknownDefault:
		return l.def, nil
	case UnknownPass:
		return v, nil
	}
	return "", fmt.Errorf("lookup %s has no entry for the value", l.name)
}
