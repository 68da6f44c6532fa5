package mapping

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
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
	stats    struct{ applied, failed, dropped atomic.Int64 }
}

type field struct {
	source, target string
	get            *getter
	read           func(reflect.Value) Value
	leaf           reflect.Type
	direct         func(src, dst reflect.Value) // a plain copy, nothing on the way
	// text: text to text through steps that all have a Text function, run on the
	// string alone, without a Value in between
	text       bool
	def        *Value
	steps      []namedStep
	lookup     *Lookup
	reverse    bool
	when       *cond
	compute    *computed
	set        *setter
	targetKind Kind
	personal   bool
	required   bool
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
	c := &compiler{reg: reg, usedSources: map[string]bool{}}
	m := c.header(spec)
	lookups := c.lookups(spec)
	if len(spec.Fields) == 0 {
		c.bad("no fields")
	}
	targets := map[string]bool{}
	for i, fs := range spec.Fields {
		where := fmt.Sprintf("field %d (%s)", i+1, fs.Target)
		switch {
		case fs.Target == "":
			c.bad("%s: no target", where)
			continue
		case targets[fs.Target]:
			c.bad("%s: duplicate target %q", where, fs.Target)
		}
		targets[fs.Target] = true
		m.fields = append(m.fields, c.field(m, fs, lookups, where))
	}
	if m.outbound && m.src != nil && m.src.Kind() == reflect.Struct {
		m.dropped = c.unused(m.src)
	}
	if len(c.problems) > 0 {
		return nil, &SpecError{Mapping: fmt.Sprintf("%s v%d", m.name, spec.Version), Problems: c.problems}
	}
	return m, nil
}

// compiler collects the problems of one spec as it compiles it.
type compiler struct {
	reg         *Registry
	problems    []string
	usedSources map[string]bool // the top-level source fields the fields read
}

func (c *compiler) bad(format string, a ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, a...))
}

// header compiles the name, the types and the direction.
func (c *compiler) header(spec *Spec) *Mapping {
	m := &Mapping{name: spec.Name, version: spec.Version}
	if m.name == "" {
		c.bad("the mapping has no name")
		m.name = "(unnamed)"
	}
	var ok bool
	if m.src, ok = c.reg.types[spec.Source]; !ok {
		c.bad("source type %q is not registered", spec.Source)
	}
	if m.dst, ok = c.reg.types[spec.Target]; !ok {
		c.bad("target type %q is not registered", spec.Target)
	} else if m.dst.Kind() != reflect.Struct {
		c.bad("target type %q is not a struct", spec.Target)
		m.dst = nil
	}
	switch spec.Direction {
	case "", "inbound":
	case "outbound":
		m.outbound = true
	default:
		c.bad("direction must be inbound or outbound (not %q)", spec.Direction)
	}
	return m
}

func (c *compiler) lookups(spec *Spec) map[string]*Lookup {
	lookups := map[string]*Lookup{}
	for ln, ls := range spec.Lookups {
		l, ps := compileLookup(ln, ls)
		c.problems = append(c.problems, ps...)
		lookups[ln] = l
	}
	return lookups
}

// field compiles one field: its target, where its value comes from, its pipeline,
// lookup and condition, the kind checks between them, and how Apply runs it.
func (c *compiler) field(m *Mapping, fs FieldSpec, lookups map[string]*Lookup, where string) field {
	before := len(c.problems)
	f := field{source: fs.Source, target: fs.Target, required: fs.Required, personal: fs.Personal, reverse: fs.Reverse}
	if m.dst != nil {
		c.target(&f, m.dst, where)
	}
	kind := c.value(&f, m.src, fs, lookups, where)
	kind = c.pipeline(&f, fs.Pipeline, kind, where)
	kind = c.lookup(&f, fs, lookups, kind, where)
	if fs.When != nil {
		cd, err := compileCond(fs.When, m.src)
		if err != nil {
			c.bad("%s: when: %v", where, err)
		}
		c.usedSources[firstSegment(fs.When.Source)] = true
		f.when = cd
	}
	if f.set != nil && kind != KindNone && !convertible(kind, f.targetKind) {
		c.bad("%s: a %s cannot become the %s of %s without a step (e.g. date, int, format)", where, kind, f.targetKind, fs.Target)
	}
	if f.def != nil && len(c.problems) == before {
		if _, err := f.run(*f.def); err != nil {
			c.bad("%s: the default %q fails its own pipeline: %v", where, *fs.Default, err)
		}
	}
	f.plan()
	return f
}

// target resolves the field's target path.
func (c *compiler) target(f *field, dst reflect.Type, where string) {
	s, personal, err := compileTarget(dst, f.target)
	if err != nil {
		c.bad("%s: %v", where, err)
		return
	}
	f.set, f.personal = s, f.personal || personal
	k, _, ok := kindOf(s.leaf)
	if !ok || k == KindAny {
		c.bad("%s: target type %s cannot be set by a mapping", where, s.leaf)
	}
	f.targetKind = k
}

// value compiles where the field's value comes from (a source path, a computed
// value, a default) and returns its kind.
func (c *compiler) value(f *field, src reflect.Type, fs FieldSpec, lookups map[string]*Lookup, where string) Kind {
	kind := KindNone
	switch {
	case fs.Source != "" && fs.Compute != nil:
		c.bad("%s: a field has a source or a compute, not both", where)
	case fs.Source != "":
		c.usedSources[firstSegment(fs.Source)] = true
		if src == nil {
			break
		}
		g, leaf, err := compileSource(src, fs.Source)
		if err != nil {
			c.bad("%s: %v", where, err)
			break
		}
		k, _, ok := kindOf(leaf)
		if !ok {
			c.bad("%s: source %q is a %s, which no pipeline reads", where, fs.Source, leaf)
			break
		}
		f.get, f.read, f.leaf, kind = g, reader(leaf), leaf, k
	case fs.Compute != nil:
		cp, k, ps := compileCompute(fs.Compute, src, c.reg, lookups)
		for _, p := range ps {
			c.bad("%s: %s", where, p)
		}
		for _, a := range fs.Compute.Args {
			c.usedSources[firstSegment(a)] = true
		}
		f.compute, kind = cp, k
	case fs.Default == nil:
		c.bad("%s: no source, compute or default", where)
	}
	if fs.Default != nil {
		d := Str(*fs.Default)
		f.def = &d
		if kind == KindNone {
			kind = KindString
		}
	}
	return kind
}

// pipeline builds the field's steps, checking that each takes the kind the one
// before gives; it returns the kind the last gives.
func (c *compiler) pipeline(f *field, pipeline []string, kind Kind, where string) Kind {
	for _, raw := range pipeline {
		sn, args, err := parseStep(raw)
		if err != nil {
			c.bad("%s: %v", where, err)
			continue
		}
		factory, ok := c.reg.steps[sn]
		if !ok {
			c.bad("%s: unknown step %q", where, sn)
			continue
		}
		st, err := factory(args)
		if err != nil {
			c.bad("%s: step %s: %v", where, raw, err)
			continue
		}
		if kind != KindAny && kind != KindNone && len(st.In) > 0 && !slices.Contains(st.In, kind) {
			c.bad("%s: step %s takes %v, not the %s it is given", where, sn, st.In, kind)
		}
		if st.Out != KindNone {
			kind = st.Out
		}
		f.steps = append(f.steps, namedStep{name: sn, Step: st})
	}
	return kind
}

// lookup attaches the field's lookup table, used forward or in reverse.
func (c *compiler) lookup(f *field, fs FieldSpec, lookups map[string]*Lookup, kind Kind, where string) Kind {
	if fs.Lookup == "" {
		if fs.Reverse {
			c.bad("%s: reverse without a lookup", where)
		}
		return kind
	}
	l, ok := lookups[fs.Lookup]
	switch {
	case !ok:
		c.bad("%s: unknown lookup %q", where, fs.Lookup)
	case fs.Reverse && l.rev == nil:
		c.bad("%s: lookup %q is used in reverse but is not marked reversible", where, fs.Lookup)
	case kind != KindString && kind != KindAny:
		c.bad("%s: lookup %q takes text, not %s", where, fs.Lookup, kind)
	default:
		f.lookup, kind = l, KindString
	}
	return kind
}

// plan picks how Apply runs the field: a direct copy when there is nothing on the
// way, a text path when text goes to text through text steps, otherwise through
// a [Value].
func (f *field) plan() {
	if f.get == nil || f.set == nil || len(f.get.dynamic) > 0 {
		return
	}
	if len(f.steps) == 0 && f.lookup == nil && f.def == nil && !f.required {
		f.direct = copier(f.leaf, f.set.leaf)
	}
	f.text = f.leaf.Kind() == reflect.String && f.set.leaf.Kind() == reflect.String &&
		!slices.ContainsFunc(f.steps, func(st namedStep) bool { return st.Text == nil })
}

// unused lists the top-level fields of src that no field reads (an outbound
// mapping's dropped fields).
func (c *compiler) unused(src reflect.Type) []string {
	var out []string
	for _, sf := range reflect.VisibleFields(src) {
		if n, ok := jsonName(sf); ok && len(sf.Index) == 1 && !c.usedSources[n] {
			out = append(out, n)
		}
	}
	return out
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

// runText is run for a text pipeline (see field.text), on the string alone.
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
		*timeAt(t) = v.T
	case KindDuration:
		if v.Kind != KindDuration {
			return fmt.Errorf("a %s is not a duration", v.Kind)
		}
		t.SetInt(v.I)
	}
	return nil
}
