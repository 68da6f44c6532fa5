package mapping

import (
	"fmt"
	"reflect"
	"slices"
	"unsafe"
)

// Apply maps src (a value of, or pointer to, the source type) into dst (a pointer to
// the target type). Every field is attempted; the problems come back together as a
// [*RecordError] (nil when there are none). Fields that failed are left as they were
// in dst.
func (m *Mapping) Apply(src, dst any) error {
	r, err := m.prepare(src, dst)
	if err != nil {
		return err
	}
	var errs []*FieldError
	for i := range m.fields {
		f := &m.fields[i]
		if f.copyP != nil && f.when == nil && r.sp != nil { // the common case, without a call
			f.copyP(unsafe.Add(r.sp, f.srcOff), unsafe.Add(r.dp, f.dstOff))
			continue
		}
		if fe := m.applyField(f, &r); fe != nil {
			errs = append(errs, fe)
		}
	}
	return m.Result(errs)
}

// record is one source and target, ready for the fields.
type record struct {
	sv, dv reflect.Value
	sp, dp unsafe.Pointer // nil sp: the source has no fixed layout (a map)
}

func (m *Mapping) prepare(src, dst any) (record, error) {
	var r record
	isStruct := m.src.Kind() == reflect.Struct
	sv := reflect.ValueOf(src)
	if sv.Kind() == reflect.Pointer && sv.Type().Elem() == m.src {
		if sv.IsNil() {
			return record{}, fmt.Errorf("mapping %s: nil source", m.name)
		}
		if isStruct {
			r.sp = sv.UnsafePointer() // the pointer itself: Addr would look up the pointer type
		}
		sv = sv.Elem()
	}
	if !sv.IsValid() || sv.Type() != m.src {
		return record{}, fmt.Errorf("mapping %s: the source is a %T, not a %s", m.name, src, m.src)
	}
	if r.sp == nil && isStruct {
		if !sv.CanAddr() {
			cp := reflect.New(m.src).Elem() // one copy, so fields read in place
			cp.Set(sv)
			sv = cp
		}
		r.sp = sv.Addr().UnsafePointer()
	}
	dv := reflect.ValueOf(dst)
	if dv.Kind() != reflect.Pointer || dv.IsNil() || dv.Type().Elem() != m.dst {
		return record{}, fmt.Errorf("mapping %s: the target is a %T, not a *%s", m.name, dst, m.dst)
	}
	r.sv, r.dv, r.dp = sv, dv.Elem(), dv.UnsafePointer()
	return r, nil
}

// ApplyField maps field i of the mapping alone, as [Mapping.Apply] does (code from
// [Mapping.Generate] calls it for the fields it does not write in Go itself).
func (m *Mapping) ApplyField(i int, src, dst any) *FieldError {
	f := &m.fields[i]
	r, err := m.prepare(src, dst)
	if err != nil {
		return f.fail("record", CodeConversion, ClassMapping, Value{}, err)
	}
	return m.applyField(f, &r)
}

// Result counts a mapped record and returns its error: nil, or a [*RecordError]
// holding errs (generated code ends with it).
func (m *Mapping) Result(errs []*FieldError) error {
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

// applyField maps one field of one record.
func (m *Mapping) applyField(f *field, r *record) *FieldError {
	sv, dv, sp, dp := r.sv, r.dv, r.sp, r.dp
	if f.when != nil && !f.when.holds(sv) {
		return nil
	}
	if f.copyP != nil && sp != nil {
		f.copyP(unsafe.Add(sp, f.srcOff), unsafe.Add(dp, f.dstOff))
		return nil
	}
	if f.textFast && sp != nil {
		s := *(*string)(unsafe.Add(sp, f.srcOff))
		if s == "" && f.def != nil {
			s = f.def.S
		}
		s, fe := f.runText(s)
		switch {
		case fe != nil:
			return fe
		case s == "":
			if f.required {
				return f.fail("required", CodeRequired, ClassData, Value{}, nil)
			}
		default:
			*(*string)(unsafe.Add(dp, f.dstOff)) = s
		}
		return nil
	}
	if f.direct != nil {
		if rv := f.get.get(sv); rv.IsValid() {
			f.direct(rv, f.set.target(dv))
		}
		return nil
	}
	var v Value
	switch {
	case f.readP != nil && sp != nil:
		v = f.readP(unsafe.Add(sp, f.srcOff))
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
	var err error
	if f.writeP != nil {
		err = f.writeP(unsafe.Add(dp, f.dstOff), v)
	} else {
		err = set(f.set.target(dv), v, f.targetKind)
	}
	if err != nil {
		return f.fail("convert", CodeConversion, ClassMapping, v, err)
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
