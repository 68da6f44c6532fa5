package mapping

import (
	"fmt"
	"math"
	"reflect"
	"time"
	"unsafe"
)

// The fast path: a source or target path made only of struct fields (no pointer, map,
// slice or interface on the way) is a fixed offset from the start of the record, so
// a field is read and written in place by kind, without reflect.Value. The offsets
// and kinds come from reflect at compile time, for exactly the compiled types (Apply
// checks the types before using them).

// offsetOf sums the offsets along an index path; false if the path goes through
// anything but plain struct fields.
func offsetOf(t reflect.Type, index []int) (uintptr, bool) {
	var off uintptr
	for _, i := range index {
		if t.Kind() != reflect.Struct {
			return 0, false
		}
		f := t.Field(i)
		off += f.Offset
		t = f.Type
	}
	return off, true
}

// sourceOffset is the offset of a compiled source path, when it has one.
func sourceOffset(t reflect.Type, g *getter) (uintptr, bool) {
	idx, ok := g.fieldPath()
	if !ok || t.Kind() != reflect.Struct {
		return 0, false
	}
	return offsetOf(t, idx)
}

// fieldPath is a compiled source path as struct field indexes; false if it has any
// other step (an index, a map key, a pointer).
func (g *getter) fieldPath() ([]int, bool) {
	if len(g.dynamic) > 0 {
		return nil, false
	}
	var idx []int
	for _, o := range g.ops {
		switch o.kind {
		case opField:
			idx = append(idx, o.index)
		case opFields:
			idx = append(idx, o.field...)
		default:
			return nil, false
		}
	}
	return idx, true
}

// targetOffset is the offset of a compiled target path, when it has one.
func targetOffset(t reflect.Type, s *setter) (uintptr, bool) {
	if len(s.steps) != 1 {
		return 0, false
	}
	return offsetOf(t, s.steps[0])
}

// readAt returns a reader of a value of type t at a pointer; nil when t has no fast
// reader.
func readAt(t reflect.Type) func(p unsafe.Pointer) Value {
	switch {
	case t == timeType:
		return func(p unsafe.Pointer) Value { return Time(*(*time.Time)(p)) }
	case t.Kind() == reflect.Struct && t.NumField() > 0 && t.Field(0).Type == timeType:
		return func(p unsafe.Pointer) Value { return Time(*(*time.Time)(p)) } // the first field is at offset 0
	case isDuration(t):
		return func(p unsafe.Pointer) Value { return Duration(time.Duration(*(*int64)(p))) }
	}
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) Value { return Str(*(*string)(p)) }
	case reflect.Int:
		return func(p unsafe.Pointer) Value { return Int(int64(*(*int)(p))) }
	case reflect.Int64:
		return func(p unsafe.Pointer) Value { return Int(*(*int64)(p)) }
	case reflect.Int32:
		return func(p unsafe.Pointer) Value { return Int(int64(*(*int32)(p))) }
	case reflect.Float64:
		return func(p unsafe.Pointer) Value { return Float(*(*float64)(p)) }
	case reflect.Float32:
		return func(p unsafe.Pointer) Value { return Float(float64(*(*float32)(p))) }
	case reflect.Bool:
		return func(p unsafe.Pointer) Value { return Bool(*(*bool)(p)) }
	}
	return nil
}

// writeAt returns a writer of a value of kind k into a target of type t at a pointer;
// nil when t has no fast writer.
func writeAt(t reflect.Type, k Kind) func(p unsafe.Pointer, v Value) error {
	switch {
	case k == KindTime && (t == timeType || t.Kind() == reflect.Struct):
		return func(p unsafe.Pointer, v Value) error {
			if v.Kind != KindTime {
				return fmt.Errorf("a %s is not a time", v.Kind)
			}
			*(*time.Time)(p) = v.T
			return nil
		}
	case k == KindDuration && t.Kind() == reflect.Int64:
		return func(p unsafe.Pointer, v Value) error {
			if v.Kind != KindDuration {
				return fmt.Errorf("a %s is not a duration", v.Kind)
			}
			*(*int64)(p) = v.I
			return nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer, v Value) error {
			if v.Kind != KindString {
				return fmt.Errorf("a %s is not text", v.Kind)
			}
			*(*string)(p) = v.S
			return nil
		}
	case reflect.Int64, reflect.Int:
		wide := t.Kind() == reflect.Int64 || unsafe.Sizeof(int(0)) == 8
		return func(p unsafe.Pointer, v Value) error {
			i, err := wholeNumber(v)
			if err != nil {
				return err
			}
			if !wide && (i > math.MaxInt32 || i < math.MinInt32) {
				return fmt.Errorf("%d does not fit", i)
			}
			if t.Kind() == reflect.Int64 {
				*(*int64)(p) = i
			} else {
				*(*int)(p) = int(i)
			}
			return nil
		}
	case reflect.Float64:
		return func(p unsafe.Pointer, v Value) error {
			switch v.Kind {
			case KindFloat:
				*(*float64)(p) = v.F
			case KindInt:
				*(*float64)(p) = float64(v.I)
			default:
				return fmt.Errorf("a %s is not a number", v.Kind)
			}
			return nil
		}
	case reflect.Bool:
		return func(p unsafe.Pointer, v Value) error {
			if v.Kind != KindBool {
				return fmt.Errorf("a %s is not true or false", v.Kind)
			}
			*(*bool)(p) = v.B
			return nil
		}
	}
	return nil
}

func wholeNumber(v Value) (int64, error) {
	switch v.Kind {
	case KindInt:
		return v.I, nil
	case KindFloat:
		if v.F != math.Trunc(v.F) || v.F > math.MaxInt64 || v.F < math.MinInt64 {
			return 0, fmt.Errorf("%v is not a whole number", v.F)
		}
		return int64(v.F), nil
	}
	return 0, fmt.Errorf("a %s is not a number", v.Kind)
}

// copyAt returns a direct copy between two fast fields of the same representation;
// nil otherwise.
func copyAt(from, to reflect.Type) func(src, dst unsafe.Pointer) {
	fk, tk := from.Kind(), to.Kind()
	switch {
	case (from == timeType || fk == reflect.Struct && readAt(from) != nil) && (to == timeType || tk == reflect.Struct && to.NumField() > 0 && to.Field(0).Type == timeType):
		return func(s, d unsafe.Pointer) { *(*time.Time)(d) = *(*time.Time)(s) }
	case fk == reflect.String && tk == reflect.String:
		return func(s, d unsafe.Pointer) { *(*string)(d) = *(*string)(s) }
	case fk == reflect.Bool && tk == reflect.Bool:
		return func(s, d unsafe.Pointer) { *(*bool)(d) = *(*bool)(s) }
	case fk == reflect.Float64 && tk == reflect.Float64:
		return func(s, d unsafe.Pointer) { *(*float64)(d) = *(*float64)(s) }
	case fk == reflect.Int64 && tk == reflect.Int64 && isDuration(from) == isDuration(to),
		fk == reflect.Int && tk == reflect.Int, fk == reflect.Int && tk == reflect.Int64 && unsafe.Sizeof(int(0)) == 8,
		fk == reflect.Int64 && tk == reflect.Int && unsafe.Sizeof(int(0)) == 8 && !isDuration(from):
		return func(s, d unsafe.Pointer) { *(*int64)(d) = *(*int64)(s) }
	}
	return nil
}
