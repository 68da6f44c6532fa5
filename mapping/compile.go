package mapping

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Mapping is a compiled [Spec]: every path resolved against the Go types, every step
// built, every kind checked. It is safe for concurrent use.
type Mapping struct {
	name     string
	version  int
	src, dst reflect.Type
	outbound bool
	fields   []field
	dropped  []string
	digest   uint64 // see Digest
	stats    struct{ applied, failed, dropped atomic.Int64 }
}

type field struct {
	source, target string
	get            *getter
	read           func(reflect.Value) Value
	leaf           reflect.Type
	direct         func(src, dst reflect.Value)
	// the fast path (see unsafe.go): offsets into the records, and readers,
	// writers and copies by kind; nil when a path has no fixed offset
	srcOff, dstOff uintptr
	readP          func(unsafe.Pointer) Value
	writeP         func(unsafe.Pointer, Value) error
	copyP          func(src, dst unsafe.Pointer)
	textFast       bool // text in place to text in place, every step with Text
	def            *Value
	steps          []namedStep
	lookup         *Lookup
	reverse        bool
	when           *cond
	compute        *computed
	set            *setter
	targetKind     Kind
	personal       bool
	required       bool
}

type namedStep struct {
	name string
	Step
}

type cond struct {
	get     *getter
	read    func(reflect.Value) Value
	present *bool
	equals  *string
	in      []string
}

type computed struct {
	name  string
	fn    Func
	args  []*getter
	reads []func(reflect.Value) Value
	table *Lookup
}

// Compile checks spec against the types registered in reg and returns the compiled
// mapping, or a [*SpecError] listing every problem found (not just the first).
func Compile(spec *Spec, reg *Registry) (*Mapping, error) {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	name := spec.Name
	if name == "" {
		bad("the mapping has no name")
		name = "(unnamed)"
	}
	m := &Mapping{name: name, version: spec.Version}
	var ok bool
	if m.src, ok = reg.types[spec.Source]; !ok {
		bad("source type %q is not registered", spec.Source)
	}
	if m.dst, ok = reg.types[spec.Target]; !ok {
		bad("target type %q is not registered", spec.Target)
	} else if m.dst.Kind() != reflect.Struct {
		bad("target type %q is not a struct", spec.Target)
		m.dst = nil
	}
	switch spec.Direction {
	case "", "inbound":
	case "outbound":
		m.outbound = true
	default:
		bad("direction must be inbound or outbound (not %q)", spec.Direction)
	}
	lookups := map[string]*Lookup{}
	for ln, ls := range spec.Lookups {
		l, ps := compileLookup(ln, ls)
		problems = append(problems, ps...)
		lookups[ln] = l
	}
	if len(spec.Fields) == 0 {
		bad("no fields")
	}
	targets := map[string]bool{}
	usedSources := map[string]bool{}
	for i, fs := range spec.Fields {
		where := fmt.Sprintf("field %d (%s)", i+1, fs.Target)
		before := len(problems)
		f := field{source: fs.Source, target: fs.Target, required: fs.Required, personal: fs.Personal, reverse: fs.Reverse}
		if fs.Target == "" {
			bad("%s: no target", where)
			continue
		}
		if targets[fs.Target] {
			bad("%s: duplicate target %q", where, fs.Target)
		}
		targets[fs.Target] = true
		if m.dst != nil {
			s, personal, err := compileTarget(m.dst, fs.Target)
			if err != nil {
				bad("%s: %v", where, err)
			} else {
				f.set, f.personal = s, f.personal || personal
				k, _, ok := kindOf(s.leaf)
				if !ok || k == KindAny {
					bad("%s: target type %s cannot be set by a mapping", where, s.leaf)
				}
				f.targetKind = k
			}
		}
		kind := KindNone
		switch {
		case fs.Source != "" && fs.Compute != nil:
			bad("%s: a field has a source or a compute, not both", where)
		case fs.Source != "":
			usedSources[firstSegment(fs.Source)] = true
			if m.src != nil {
				g, leaf, err := compileSource(m.src, fs.Source)
				if err != nil {
					bad("%s: %v", where, err)
					break
				}
				k, _, ok := kindOf(leaf)
				if !ok {
					bad("%s: source %q is a %s, which no pipeline reads", where, fs.Source, leaf)
					break
				}
				f.get, f.read, f.leaf, kind = g, reader(leaf), leaf, k
			}
		case fs.Compute != nil:
			c, k, ps := compileCompute(fs.Compute, m.src, reg, lookups)
			for _, p := range ps {
				bad("%s: %s", where, p)
			}
			for _, a := range fs.Compute.Args {
				usedSources[firstSegment(a)] = true
			}
			f.compute, kind = c, k
		case fs.Default == nil:
			bad("%s: no source, compute or default", where)
		}
		if fs.Default != nil {
			d := Str(*fs.Default)
			f.def = &d
			if kind == KindNone {
				kind = KindString
			}
		}
		for _, raw := range fs.Pipeline {
			sn, args, err := parseStep(raw)
			if err != nil {
				bad("%s: %v", where, err)
				continue
			}
			factory, ok := reg.steps[sn]
			if !ok {
				bad("%s: unknown step %q", where, sn)
				continue
			}
			st, err := factory(args)
			if err != nil {
				bad("%s: step %s: %v", where, raw, err)
				continue
			}
			if kind != KindAny && kind != KindNone && len(st.In) > 0 && !slices.Contains(st.In, kind) {
				bad("%s: step %s takes %v, not the %s it is given", where, sn, st.In, kind)
			}
			if st.Out != KindNone {
				kind = st.Out
			}
			f.steps = append(f.steps, namedStep{name: sn, Step: st})
		}
		if fs.Lookup != "" {
			l, ok := lookups[fs.Lookup]
			switch {
			case !ok:
				bad("%s: unknown lookup %q", where, fs.Lookup)
			case fs.Reverse && l.rev == nil:
				bad("%s: lookup %q is used in reverse but is not marked reversible", where, fs.Lookup)
			case kind != KindString && kind != KindAny:
				bad("%s: lookup %q takes text, not %s", where, fs.Lookup, kind)
			default:
				f.lookup, kind = l, KindString
			}
		} else if fs.Reverse {
			bad("%s: reverse without a lookup", where)
		}
		if fs.When != nil {
			c, err := compileCond(fs.When, m.src)
			if err != nil {
				bad("%s: when: %v", where, err)
			}
			usedSources[firstSegment(fs.When.Source)] = true
			f.when = c
		}
		if f.set != nil && kind != KindNone && !convertible(kind, f.targetKind) {
			bad("%s: a %s cannot become the %s of %s without a step (e.g. date, int, format)", where, kind, f.targetKind, fs.Target)
		}
		if f.def != nil && len(problems) == before {
			if _, err := f.run(*f.def); err != nil {
				bad("%s: the default %q fails its own pipeline: %v", where, *fs.Default, err)
			}
		}
		plain := f.get != nil && f.set != nil && len(f.steps) == 0 && f.lookup == nil && f.def == nil && !f.required && len(f.get.dynamic) == 0
		if plain {
			f.direct = copier(f.leaf, f.set.leaf)
		}
		if f.set != nil && m.dst != nil {
			if off, ok := targetOffset(m.dst, f.set); ok {
				f.dstOff, f.writeP = off, writeAt(f.set.leaf, f.targetKind)
			}
		}
		if f.get != nil && m.src != nil {
			if off, ok := sourceOffset(m.src, f.get); ok {
				f.srcOff, f.readP = off, readAt(f.leaf)
			}
		}
		if plain && f.readP != nil && f.writeP != nil {
			f.copyP = copyAt(f.leaf, f.set.leaf)
		}
		if f.readP != nil && f.writeP != nil && f.leaf.Kind() == reflect.String && f.set.leaf.Kind() == reflect.String && f.compute == nil {
			f.textFast = true
			for _, st := range f.steps {
				f.textFast = f.textFast && st.Text != nil
			}
		}
		m.fields = append(m.fields, f)
	}
	if m.outbound && m.src != nil && m.src.Kind() == reflect.Struct {
		for _, sf := range reflect.VisibleFields(m.src) {
			if n, ok := jsonName(sf); ok && len(sf.Index) == 1 && !usedSources[n] {
				m.dropped = append(m.dropped, n)
			}
		}
	}
	if len(problems) > 0 {
		return nil, &SpecError{Mapping: fmt.Sprintf("%s v%d", name, spec.Version), Problems: problems}
	}
	m.digest = m.fingerprint(spec)
	return m, nil
}

func firstSegment(p string) string {
	p, _, _ = strings.Cut(p, ".")
	p, _, _ = strings.Cut(p, "[")
	return p
}

func compileCond(c *Condition, src reflect.Type) (*cond, error) {
	n := 0
	if c.Present != nil {
		n++
	}
	if c.Equals != nil {
		n++
	}
	if len(c.In) > 0 {
		n++
	}
	if n != 1 {
		return nil, fmt.Errorf("give exactly one of present, equals, in")
	}
	out := &cond{present: c.Present, equals: c.Equals, in: c.In}
	if src != nil {
		g, leaf, err := compileSource(src, c.Source)
		if err != nil {
			return nil, err
		}
		if _, _, ok := kindOf(leaf); !ok {
			return nil, fmt.Errorf("source %q is a %s, which cannot be tested", c.Source, leaf)
		}
		out.get, out.read = g, reader(leaf)
	}
	return out, nil
}

func compileCompute(c *Compute, src reflect.Type, reg *Registry, lookups map[string]*Lookup) (*computed, Kind, []string) {
	var ps []string
	fn, ok := reg.funcs[c.Func]
	if !ok {
		return nil, KindNone, []string{fmt.Sprintf("unknown function %q", c.Func)}
	}
	out := &computed{name: c.Func, fn: fn}
	switch {
	case fn.Variadic && len(c.Args) < len(fn.Args):
		ps = append(ps, fmt.Sprintf("%s takes at least %d arguments", c.Func, len(fn.Args)))
	case !fn.Variadic && len(c.Args) != len(fn.Args):
		ps = append(ps, fmt.Sprintf("%s takes %d arguments, not %d", c.Func, len(fn.Args), len(c.Args)))
	}
	for i, a := range c.Args {
		if src == nil {
			break
		}
		g, leaf, err := compileSource(src, a)
		if err != nil {
			ps = append(ps, err.Error())
			continue
		}
		want := fn.Args[min(i, len(fn.Args)-1)]
		if k, _, ok := kindOf(leaf); !ok || !convertible(k, want) {
			ps = append(ps, fmt.Sprintf("%s argument %d (%s) is a %s, not a %s", c.Func, i+1, a, leaf, want))
		}
		out.args, out.reads = append(out.args, g), append(out.reads, reader(leaf))
	}
	if c.Lookup != "" {
		l, ok := lookups[c.Lookup]
		if !ok {
			ps = append(ps, fmt.Sprintf("unknown lookup %q", c.Lookup))
		}
		out.table = l
	} else if fn.NeedsLookup {
		ps = append(ps, fmt.Sprintf("%s needs a lookup table", c.Func))
	}
	return out, fn.Out, ps
}

// Name and Version identify the mapping.
func (m *Mapping) Name() string { return m.name }

// Version is the mapping's version.
func (m *Mapping) Version() int { return m.version }

// Dropped lists the source fields an outbound mapping leaves out (its allowlist's
// complement); empty for an inbound mapping.
func (m *Mapping) Dropped() []string { return slices.Clone(m.dropped) }

// Stats counts the records mapped, those that failed, and the source fields dropped
// by an outbound mapping (per record).
func (m *Mapping) Stats() (applied, failed, dropped int64) {
	return m.stats.applied.Load(), m.stats.failed.Load(), m.stats.dropped.Load()
}

// run puts v through the field's steps and lookup.
func (f *field) run(v Value) (Value, *FieldError) {
	for _, st := range f.steps {
		if v.Empty() {
			return v, nil // nothing to cleanse: Required decides whether that is wrong
		}
		if len(st.In) > 0 && !slices.Contains(st.In, v.Kind) {
			return v, f.fail(st.name, CodeConversion, ClassMapping, v, fmt.Errorf("the step takes %v, the value is a %s", st.In, v.Kind))
		}
		out, err := st.Fn(v)
		if err != nil {
			code := st.Code
			if code == "" {
				code = CodeConversion
			}
			return v, f.fail(st.name, code, ClassData, v, err)
		}
		v = out
	}
	if f.lookup != nil && !v.Empty() {
		var s string
		var err error
		if f.reverse {
			s, err = f.lookup.Reverse(v.String())
		} else {
			s, err = f.lookup.Forward(v.String())
		}
		if err != nil {
			return v, f.fail("lookup "+f.lookup.name, CodeUnknownValue, ClassData, v, err)
		}
		v = Str(s)
	}
	return v, nil
}

// runText is run for a text-only pipeline, on the string alone.
func (f *field) runText(s string) (string, *FieldError) {
	for _, st := range f.steps {
		if s == "" {
			return s, nil
		}
		out, err := st.Text(s)
		if err != nil {
			code := st.Code
			if code == "" {
				code = CodeConversion
			}
			return s, f.fail(st.name, code, ClassData, Str(s), err)
		}
		s = out
	}
	if f.lookup != nil && s != "" {
		var out string
		var err error
		if f.reverse {
			out, err = f.lookup.Reverse(s)
		} else {
			out, err = f.lookup.Forward(s)
		}
		if err != nil {
			return s, f.fail("lookup "+f.lookup.name, CodeUnknownValue, ClassData, Str(s), err)
		}
		s = out
	}
	return s, nil
}

func (f *field) fail(rule, code string, class Class, v Value, err error) *FieldError {
	val := v.String()
	if f.personal && val != "" {
		val = "[redacted]"
	}
	return &FieldError{Source: f.source, Target: f.target, Rule: rule, Code: code, Class: class, Value: val, Err: err}
}

// set converts v to the target's kind and stores it.
func set(t reflect.Value, v Value, k Kind) error {
	if t.Kind() == reflect.Pointer {
		if t.IsNil() {
			t.Set(reflect.New(t.Type().Elem()))
		}
		t = t.Elem()
	}
	switch k {
	case KindString:
		if v.Kind != KindString {
			return fmt.Errorf("a %s is not text", v.Kind)
		}
		t.SetString(v.S)
	case KindInt:
		var i int64
		switch v.Kind {
		case KindInt:
			i = v.I
		case KindFloat:
			if v.F != math.Trunc(v.F) || v.F > math.MaxInt64 || v.F < math.MinInt64 {
				return fmt.Errorf("%v is not a whole number", v.F)
			}
			i = int64(v.F)
		default:
			return fmt.Errorf("a %s is not a number", v.Kind)
		}
		if t.CanUint() {
			if i < 0 || t.OverflowUint(uint64(i)) {
				return fmt.Errorf("%d does not fit", i)
			}
			t.SetUint(uint64(i))
			return nil
		}
		if t.OverflowInt(i) {
			return fmt.Errorf("%d does not fit", i)
		}
		t.SetInt(i)
	case KindFloat:
		switch v.Kind {
		case KindFloat:
			t.SetFloat(v.F)
		case KindInt:
			t.SetFloat(float64(v.I))
		default:
			return fmt.Errorf("a %s is not a number", v.Kind)
		}
	case KindBool:
		if v.Kind != KindBool {
			return fmt.Errorf("a %s is not true or false", v.Kind)
		}
		t.SetBool(v.B)
	case KindTime:
		if v.Kind != KindTime {
			return fmt.Errorf("a %s is not a time", v.Kind)
		}
		if t.Type() != timeType {
			t = t.Field(0)
		}
		*(*time.Time)(t.Addr().UnsafePointer()) = v.T // targets are addressable; Set would box
	case KindDuration:
		if v.Kind != KindDuration {
			return fmt.Errorf("a %s is not a duration", v.Kind)
		}
		t.SetInt(v.I)
	}
	return nil
}
