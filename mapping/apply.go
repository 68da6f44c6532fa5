package mapping

import (
	"fmt"
	"reflect"
	"slices"
)

// Apply maps src (a value of, or pointer to, the source type) into dst (a pointer to
// the target type). Every field is attempted; the problems come back together as a
// [*RecordError] (nil when there are none). Fields that failed are left as they were
// in dst.
func (m *Mapping) Apply(src, dst any) error {
	sv, dv, err := m.prepare(src, dst)
	if err != nil {
		return err
	}
	var errs []*FieldError
	for i := range m.fields {
		if fe := m.fields[i].apply(sv, dv); fe != nil {
			errs = append(errs, fe)
		}
	}
	m.stats.applied.Add(1)
	if m.outbound {
		m.stats.dropped.Add(int64(len(m.dropped)))
	}
	if len(errs) > 0 {
		m.stats.failed.Add(1)
		return &RecordError{Mapping: m.name, Version: m.version, Errors: errs}
	}
	return nil
}

// prepare checks the records' types and returns the source and the target as
// reflected values. A struct source given by value is copied once, so that its
// fields are addressable (times are then read in place).
func (m *Mapping) prepare(src, dst any) (sv, dv reflect.Value, err error) {
	sv = reflect.ValueOf(src)
	if sv.Kind() == reflect.Pointer && sv.Type().Elem() == m.src {
		if sv.IsNil() {
			return sv, dv, fmt.Errorf("mapping %s: nil source", m.name)
		}
		sv = sv.Elem()
	}
	if !sv.IsValid() || sv.Type() != m.src {
		return sv, dv, fmt.Errorf("mapping %s: the source is a %T, not a %s", m.name, src, m.src)
	}
	if !sv.CanAddr() && m.src.Kind() == reflect.Struct {
		cp := reflect.New(m.src).Elem()
		cp.Set(sv)
		sv = cp
	}
	dv = reflect.ValueOf(dst)
	if dv.Kind() != reflect.Pointer || dv.IsNil() || dv.Type().Elem() != m.dst {
		return sv, dv, fmt.Errorf("mapping %s: the target is a %T, not a *%s", m.name, dst, m.dst)
	}
	return sv, dv.Elem(), nil
}

// apply maps one field of one record: the condition, then the value (read, or
// computed), its default, its pipeline and lookup, the required check, and the
// conversion to the target.
func (f *field) apply(sv, dv reflect.Value) *FieldError {
	if f.when != nil && !f.when.holds(sv) {
		return nil
	}
	if f.direct != nil {
		if rv := f.get.get(sv); rv.IsValid() {
			f.direct(rv, f.set.target(dv))
		}
		return nil
	}
	if f.text {
		return f.applyText(sv, dv)
	}
	var v Value
	switch {
	case f.get != nil:
		if rv := f.get.get(sv); rv.IsValid() {
			v = f.read(rv)
		}
	case f.compute != nil:
		var fe *FieldError
		if v, fe = f.compute.eval(f, sv); fe != nil {
			return fe
		}
	}
	if v.Empty() && f.def != nil {
		v = *f.def
	}
	v, fe := f.run(v)
	if fe != nil {
		return fe
	}
	if v.Empty() || v.Kind == KindTime && v.T.IsZero() {
		if f.required {
			return f.fail("required", CodeRequired, ClassData, v, nil)
		}
		if v.Empty() {
			return nil // nothing to set: the target keeps its zero value
		}
	}
	if err := set(f.set.target(dv), v, f.targetKind); err != nil {
		return f.fail("convert", CodeConversion, ClassMapping, v, err)
	}
	return nil
}

// applyText is apply for a text field (see field.text).
func (f *field) applyText(sv, dv reflect.Value) *FieldError {
	var s string
	if rv := f.get.get(sv); rv.IsValid() {
		s = rv.String()
	}
	if s == "" && f.def != nil {
		s = f.def.S
	}
	s, fe := f.runText(s)
	switch {
	case fe != nil:
		return fe
	case s != "":
		f.set.target(dv).SetString(s)
	case f.required:
		return f.fail("required", CodeRequired, ClassData, Value{}, nil)
	}
	return nil
}

// Map maps src into a new T with m (see [Mapping.Apply]).
func Map[T any](m *Mapping, src any) (T, error) {
	var out T
	err := m.Apply(src, &out)
	return out, err
}

func (c *cond) holds(sv reflect.Value) bool {
	var v Value
	if rv := c.get.get(sv); rv.IsValid() {
		v = c.read(rv)
	}
	switch {
	case c.present != nil:
		return !v.Empty() == *c.present
	case c.equals != nil:
		return !v.Absent() && v.String() == *c.equals
	default:
		return !v.Absent() && slices.Contains(c.in, v.String())
	}
}

func (c *computed) eval(f *field, sv reflect.Value) (Value, *FieldError) {
	args := make([]Value, len(c.args))
	for i, g := range c.args {
		if rv := g.get(sv); rv.IsValid() {
			args[i] = c.reads[i](rv)
		}
		if args[i].Kind == KindInt && c.fn.Args[min(i, len(c.fn.Args)-1)] == KindFloat {
			args[i] = Float(float64(args[i].I))
		}
	}
	if !c.fn.Variadic {
		for _, a := range args {
			if a.Absent() {
				return Value{}, nil // an input is missing: nothing to compute (Required decides)
			}
		}
	}
	v, err := c.fn.Fn(args, c.table)
	if err != nil {
		return Value{}, f.fail(c.name, CodeUnknownValue, ClassData, args[len(args)-1], err)
	}
	return v, nil
}
