package mapping

import (
	"reflect"
	"strconv"
	"time"
)

// Kind is the kind of a value flowing through a field's pipeline.
type Kind uint8

// The kinds a pipeline knows. KindAny is only for steps that take any kind.
const (
	KindNone Kind = iota
	KindString
	KindInt
	KindFloat
	KindBool
	KindTime
	KindDuration
	KindAny
)

var kindNames = [...]string{"none", "string", "int", "float", "bool", "time", "duration", "any"}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one value in a pipeline, without boxing: the field of its Kind holds it
// (I also holds a duration). The zero Value is absent.
type Value struct {
	Kind Kind
	S    string
	I    int64
	F    float64
	B    bool
	T    time.Time
}

// Absent reports whether there is no value (a missing source, a nil pointer).
func (v Value) Absent() bool { return v.Kind == KindNone }

// Empty reports whether the value is absent or the empty string.
func (v Value) Empty() bool { return v.Kind == KindNone || v.Kind == KindString && v.S == "" }

// String renders the value as text (for errors and lookups).
func (v Value) String() string {
	switch v.Kind {
	case KindString:
		return v.S
	case KindInt:
		return strconv.FormatInt(v.I, 10)
	case KindFloat:
		return strconv.FormatFloat(v.F, 'f', -1, 64)
	case KindBool:
		return strconv.FormatBool(v.B)
	case KindTime:
		return v.T.Format(time.RFC3339Nano)
	case KindDuration:
		return time.Duration(v.I).String()
	}
	return ""
}

// Str makes a text value.
func Str(s string) Value { return Value{Kind: KindString, S: s} }

// Int makes an integer value.
func Int(i int64) Value { return Value{Kind: KindInt, I: i} }

// Float makes a floating-point value.
func Float(f float64) Value { return Value{Kind: KindFloat, F: f} }

// Bool makes a bool value.
func Bool(b bool) Value { return Value{Kind: KindBool, B: b} }

// Time makes a time value.
func Time(t time.Time) Value { return Value{Kind: KindTime, T: t} }

// Duration makes a duration value.
func Duration(d time.Duration) Value { return Value{Kind: KindDuration, I: int64(d)} }

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	durationer   = reflect.TypeFor[interface{ Duration() time.Duration }]()
)

// isDuration: time.Duration, and the vendors' TimeSpan types (an int64 kind with a
// Duration() time.Duration method).
func isDuration(t reflect.Type) bool {
	return t == durationType || t.Kind() == reflect.Int64 && t.Implements(durationer)
}

// timeField is the index of the time.Time a struct type embeds (openapi_types.Date,
// dayforce.DateTime and geotab.Time embed one), or -1: such a type reads and is set
// as that time, its other fields (DateTime.Offset) left as they are.
func timeField(t reflect.Type) int {
	if t.Kind() != reflect.Struct {
		return -1
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.Anonymous && f.Type == timeType && f.IsExported() {
			return i
		}
	}
	return -1
}

// timeAt points at the time.Time of v, a time.Time or a struct that embeds one
// (v addressable: a target, or a source prepare copied when it was not), so that
// a time is read and set in place, never boxed.
func timeAt(v reflect.Value) *time.Time {
	if v.Type() != timeType {
		v = v.Field(timeField(v.Type()))
	}
	return v.Addr().Interface().(*time.Time)
}

// kindOf says which Kind a Go type reads as, and whether it is a struct embedding a
// time.Time (see [timeField]). ok is false for types no pipeline can read.
func kindOf(t reflect.Type) (k Kind, embedsTime bool, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return KindTime, false, true
	case isDuration(t):
		return KindDuration, false, true
	}
	switch t.Kind() {
	case reflect.String:
		return KindString, false, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return KindInt, false, true
	case reflect.Float32, reflect.Float64:
		return KindFloat, false, true
	case reflect.Bool:
		return KindBool, false, true
	case reflect.Struct:
		if timeField(t) >= 0 {
			return KindTime, true, true
		}
	case reflect.Interface:
		return KindAny, false, true
	}
	return KindNone, false, false
}

// read turns a reflected leaf into a Value.
func read(v reflect.Value) Value {
	if !v.IsValid() {
		return Value{}
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return Value{}
		}
		v = v.Elem()
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return Value{}
		}
		v = v.Elem()
	}
	t := v.Type()
	switch {
	case t == timeType:
		return Time(v.Interface().(time.Time))
	case isDuration(t):
		return Duration(time.Duration(v.Int()))
	}
	switch v.Kind() {
	case reflect.String:
		return Str(v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Int(int64(v.Uint()))
	case reflect.Float32, reflect.Float64:
		return Float(v.Float())
	case reflect.Bool:
		return Bool(v.Bool())
	case reflect.Struct:
		if i := timeField(t); i >= 0 {
			return Time(v.Field(i).Interface().(time.Time))
		}
	}
	return Value{}
}

// convertible reports whether a pipeline's output kind may be set on a target of kind
// to without an explicit step. Text never becomes a number, a bool or a time silently.
func convertible(from, to Kind) bool {
	switch {
	case from == to, from == KindAny:
		return true
	case from == KindInt && to == KindFloat, from == KindFloat && to == KindInt:
		return true
	}
	return false
}

// reader returns a reader specialized for values of type t (no type switch, no
// allocation per read). Values passed to it are valid.
func reader(t reflect.Type) func(reflect.Value) Value {
	switch {
	case t.Kind() == reflect.Pointer:
		inner := reader(t.Elem())
		return func(v reflect.Value) Value {
			if v.IsNil() {
				return Value{}
			}
			return inner(v.Elem())
		}
	case t == timeType:
		return readTime
	case isDuration(t):
		return func(v reflect.Value) Value { return Duration(time.Duration(v.Int())) }
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) Value { return Str(v.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) Value { return Int(v.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) Value { return Int(int64(v.Uint())) }
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value) Value { return Float(v.Float()) }
	case reflect.Bool:
		return func(v reflect.Value) Value { return Bool(v.Bool()) }
	case reflect.Struct:
		if i := timeField(t); i >= 0 {
			return func(v reflect.Value) Value { return readTime(v.Field(i)) }
		}
	}
	return read
}

// readTime reads a time.Time, in place when it can (Interface would copy it to the
// heap on every read; a pointer to it does not).
func readTime(v reflect.Value) Value {
	if v.CanAddr() {
		return Time(*timeAt(v))
	}
	return Time(v.Interface().(time.Time))
}

// copier returns a direct copy from a source leaf of type from to a target of type
// to, for fields with nothing to do on the way (no step, lookup, default, compute or
// required check): no Value in between. nil when the types need the general path.
func copier(from, to reflect.Type) func(src, dst reflect.Value) {
	if from.Kind() == reflect.Pointer || to.Kind() == reflect.Pointer {
		return nil
	}
	switch {
	case from == timeType && to == timeType:
		return func(src, dst reflect.Value) { dst.Set(src) } // Set copies in place, without boxing
	case from.Kind() == reflect.String && to.Kind() == reflect.String:
		return func(src, dst reflect.Value) { dst.SetString(src.String()) }
	case from.Kind() == reflect.Bool && to.Kind() == reflect.Bool:
		return func(src, dst reflect.Value) { dst.SetBool(src.Bool()) }
	case from.Kind() == reflect.Float64 && to.Kind() == reflect.Float64, from.Kind() == reflect.Float32 && to.Kind() == reflect.Float64:
		return func(src, dst reflect.Value) { dst.SetFloat(src.Float()) }
	case from.Kind() == reflect.Int64 && to.Kind() == reflect.Int64 && isDuration(from) == isDuration(to):
		return func(src, dst reflect.Value) { dst.SetInt(src.Int()) }
	case from.Kind() == to.Kind() && from.Kind() >= reflect.Int && from.Kind() <= reflect.Int32:
		return func(src, dst reflect.Value) { dst.SetInt(src.Int()) }
	}
	return nil
}
