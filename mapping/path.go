package mapping

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// segment is one step of a path: a field or key name, or an index.
type segment struct {
	name  string
	index int           // -1 for a name
	key   reflect.Value // the name as a map key (made once)
}

// parsePath parses a dotted path with indexes: "service_address.line1",
// "drivers[0].phone", "tags[2]". Names are JSON names (the json tag, or the Go
// field name when there is none).
func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, errors.New("empty path")
	}
	var out []segment
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" && (len(out) == 0 || rest == "") {
			return nil, fmt.Errorf("path %q: empty name", p)
		}
		if name != "" {
			out = append(out, segment{name: name, index: -1, key: reflect.ValueOf(name)})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || n < 0 || n > 1<<20 {
				return nil, fmt.Errorf("path %q: bad index %q", p, num)
			}
			out = append(out, segment{index: n})
			switch {
			case after == "":
				rest = ""
			case strings.HasPrefix(after, "["):
				rest = after[1:]
			default:
				return nil, fmt.Errorf("path %q: unexpected %q after an index", p, after)
			}
		}
	}
	return out, nil
}

// jsonName is the name a field is known by in paths, and whether it is visible.
func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name, true
	}
	return f.Name, true
}

// fieldByName finds a struct's visible field by JSON name (promoted fields of
// embedded structs included), exactly: no case folding.
func fieldByName(t reflect.Type, name string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			continue // its fields are promoted
		}
		if n, ok := jsonName(f); ok && n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// op is one compiled step of a source path.
type op struct {
	kind  opKind
	field []int         // opFields
	key   reflect.Value // opKey, of the map's key type
	index int           // opIndex
}

type opKind uint8

const (
	opField  opKind = iota // one struct field
	opFields               // a promoted field: an index path
	opDeref                // through a pointer (nil: absent)
	opKey                  // a map key (missing: absent)
	opIndex                // a slice or array element (out of range: absent)
)

// getter reads a compiled source path; the value is invalid (absent) when a pointer
// is nil, a key is missing or an index is out of range.
type getter struct {
	ops     []op
	dynamic []segment // resolved at run time below an interface (map[string]any)
}

func (g *getter) get(v reflect.Value) reflect.Value {
	for i := range g.ops {
		o := &g.ops[i]
		switch o.kind {
		case opField:
			v = v.Field(o.index)
		case opFields:
			v = v.FieldByIndex(o.field)
		case opDeref:
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		case opKey:
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.MapIndex(o.key)
			if !v.IsValid() {
				return v
			}
		case opIndex:
			if o.index >= v.Len() {
				return reflect.Value{}
			}
			v = v.Index(o.index)
		}
	}
	if len(g.dynamic) > 0 {
		return dynamicGet(v, g.dynamic)
	}
	return v
}

// dynamicGet walks JSON-shaped data (map[string]any, []any).
func dynamicGet(v reflect.Value, segs []segment) reflect.Value {
	for _, s := range segs {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		switch {
		case s.index < 0 && v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
			k := s.key
			if kt := v.Type().Key(); kt != k.Type() {
				k = k.Convert(kt)
			}
			v = v.MapIndex(k)
		case s.index < 0 && v.Kind() == reflect.Struct:
			f, ok := fieldByName(v.Type(), s.name)
			if !ok {
				return reflect.Value{}
			}
			v = v.FieldByIndex(f.Index)
		case s.index >= 0 && (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && s.index < v.Len():
			v = v.Index(s.index)
		default:
			return reflect.Value{}
		}
		if !v.IsValid() {
			return v
		}
	}
	return v
}

// compileSource resolves a source path against t. It returns the getter and the
// leaf's type (an interface type when the path continues into dynamic data).
func compileSource(t reflect.Type, path string) (*getter, reflect.Type, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, nil, err
	}
	g := &getter{}
	for i, s := range segs {
		for t.Kind() == reflect.Pointer {
			g.ops = append(g.ops, op{kind: opDeref})
			t = t.Elem()
		}
		if t.Kind() == reflect.Interface {
			g.dynamic = segs[i:]
			return g, t, nil
		}
		switch {
		case s.index < 0 && t.Kind() == reflect.Struct:
			f, ok := fieldByName(t, s.name)
			if !ok {
				return nil, nil, fmt.Errorf("source %q: %s has no field %q", path, t, s.name)
			}
			if len(f.Index) == 1 {
				g.ops = append(g.ops, op{kind: opField, index: f.Index[0]})
			} else {
				g.ops = append(g.ops, op{kind: opFields, field: f.Index})
			}
			t = f.Type
		case s.index < 0 && t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
			g.ops = append(g.ops, op{kind: opKey, key: reflect.ValueOf(s.name).Convert(t.Key())})
			t = t.Elem()
		case s.index >= 0 && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
			g.ops = append(g.ops, op{kind: opIndex, index: s.index})
			t = t.Elem()
		default:
			what := "field " + strconv.Quote(s.name)
			if s.index >= 0 {
				what = "index " + strconv.Itoa(s.index)
			}
			return nil, nil, fmt.Errorf("source %q: %s has no %s", path, t, what)
		}
	}
	return g, t, nil
}

// setter writes a compiled target path into a struct, allocating nil pointers on the
// way.
type setter struct {
	steps [][]int // field index paths, split at pointers
	leaf  reflect.Type
}

func (s *setter) target(v reflect.Value) reflect.Value {
	for i, idx := range s.steps {
		v = v.FieldByIndex(idx)
		if i < len(s.steps)-1 {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
	}
	return v
}

// compileTarget resolves a target path against the struct type t. personal reports
// whether a field on the path is tagged personal:"true".
func compileTarget(t reflect.Type, path string) (*setter, bool, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, false, err
	}
	s := &setter{}
	personal := false
	var cur []int
	for i, seg := range segs {
		if seg.index >= 0 || t.Kind() != reflect.Struct {
			return nil, false, fmt.Errorf("target %q: only struct fields can be targets", path)
		}
		f, ok := fieldByName(t, seg.name)
		if !ok {
			return nil, false, fmt.Errorf("target %q: %s has no field %q", path, t, seg.name)
		}
		personal = personal || f.Tag.Get("personal") == "true"
		cur = append(cur, f.Index...)
		t = f.Type
		if i < len(segs)-1 && t.Kind() == reflect.Pointer {
			s.steps = append(s.steps, cur)
			cur = nil
			t = t.Elem()
		}
	}
	s.steps = append(s.steps, cur)
	s.leaf = t
	return s, personal, nil
}
