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
	sv := reflect.ValueOf(src)
	for sv.Kind() == reflect.Pointer && sv.Type().Elem() == m.src {
		if sv.IsNil() {
			return fmt.Errorf("mapping %s: nil source", m.name)
		}
		sv = sv.Elem()
	}
	if !sv.IsValid() || sv.Type() != m.src {
		return fmt.Errorf("mapping %s: the source is a %T, not a %s", m.name, src, m.src)
	}
	dv := reflect.ValueOf(dst)
	if dv.Kind() != reflect.Pointer || dv.IsNil() || dv.Type().Elem() != m.dst {
		return fmt.Errorf("mapping %s: the target is a %T, not a *%s", m.name, dst, m.dst)
	}
	dv = dv.Elem()
	var errs []*FieldError
	for i := range m.fields {
		f := &m.fields[i]
		if f.when != nil && !f.when.holds(sv) {
			continue
		}
		var v Value
		switch {
		case f.get != nil:
			v = read(f.get.get(sv))
		case f.compute != nil:
			var fe *FieldError
			if v, fe = f.compute.eval(f, sv); fe != nil {
				errs = append(errs, fe)
				continue
			}
		}
		if v.Empty() && f.def != nil {
			v = *f.def
		}
		v, fe := f.run(v)
		if fe != nil {
			errs = append(errs, fe)
			continue
		}
		if v.Empty() || v.Kind == KindTime && v.T.IsZero() {
			if f.required {
				errs = append(errs, f.fail("required", CodeRequired, ClassData, v, nil))
			}
			if v.Absent() {
				continue
			}
		}
		if err := set(f.set.target(dv), v, f.targetKind); err != nil {
			errs = append(errs, f.fail("convert", CodeConversion, ClassMapping, v, err))
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

// Map maps src into a new T with m (see [Mapping.Apply]).
func Map[T any](m *Mapping, src any) (T, error) {
	var out T
	err := m.Apply(src, &out)
	return out, err
}

func (c *cond) holds(sv reflect.Value) bool {
	v := read(c.get.get(sv))
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
		args[i] = read(g.get(sv))
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
