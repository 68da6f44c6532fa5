package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors/internal/dotnet"
	"github.com/dispatchcenter/connectors/mapping/normalize"
)

// Step is one cleanser or validator of a field's pipeline, with fixed semantics.
type Step struct {
	// In lists the kinds the step takes (empty: any).
	In []Kind
	// Out is the kind it gives (KindNone: the kind it was given).
	Out Kind
	// Code is the error code of a value the step refuses (the class is data).
	Code string
	// Fn cleanses or checks one value; it is called only with present values.
	Fn func(Value) (Value, error)
	// Text, when set, is Fn for text in and text out without a Value in between: a
	// pipeline of such steps runs on the string alone (the fast path). [TextStep]
	// sets both.
	Text func(string) (string, error)
}

// TextStep makes a step from a function of text to text, refusing with code.
func TextStep(code string, fn func(string) (string, error)) Step {
	return Step{In: strIn, Code: code, Text: fn, Fn: func(v Value) (Value, error) {
		s, err := fn(v.S)
		if err != nil {
			return Value{}, err
		}
		return Str(s), nil
	}}
}

func pure(fn func(string) string) func(string) (string, error) {
	return func(s string) (string, error) { return fn(s), nil }
}

// StepFactory makes a step from the arguments written in the mapping:
// "phone(US)" gives ["US"], "range(0|100000)" gives ["0", "100000"].
type StepFactory func(args []string) (Step, error)

// Func computes a field from other fields' values (and, when the mapping names one,
// a lookup table), e.g. an SLA due time from a creation time and a priority.
type Func struct {
	Args []Kind
	Out  Kind
	// Variadic lets the last argument kind repeat.
	Variadic bool
	// NeedsLookup says the mapping must name a lookup table for it.
	NeedsLookup bool
	Fn          func(args []Value, table *Lookup) (Value, error)
}

// Registry holds the steps, functions and Go types mappings may name. It is safe for
// concurrent reads once set up.
type Registry struct {
	steps map[string]StepFactory
	funcs map[string]Func
	types map[string]reflect.Type
}

// NewRegistry returns a registry with the built-in steps and functions (see the
// package documentation for their semantics) and no types.
func NewRegistry() *Registry {
	r := &Registry{steps: map[string]StepFactory{}, funcs: map[string]Func{}, types: map[string]reflect.Type{}}
	for name, f := range builtinSteps {
		r.steps[name] = f
	}
	for name, f := range builtinFuncs {
		r.funcs[name] = f
	}
	return r
}

// RegisterStep adds (or replaces) a step.
func (r *Registry) RegisterStep(name string, f StepFactory) { r.steps[name] = f }

// RegisterFunc adds (or replaces) a function for computed fields.
func (r *Registry) RegisterFunc(name string, f Func) { r.funcs[name] = f }

// RegisterType makes the Go type of sample known to mappings as name (e.g.
// "reach.Customer").
func (r *Registry) RegisterType(name string, sample any) {
	t := reflect.TypeOf(sample)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	r.types[name] = t
}

// parseStep splits "name(a|b)" into the name and its arguments.
func parseStep(s string) (string, []string, error) {
	s = strings.TrimSpace(s)
	name, rest, hasArgs := strings.Cut(s, "(")
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, ")| ") {
		return "", nil, fmt.Errorf("step %q: want name or name(arg|arg)", s)
	}
	if !hasArgs {
		return name, nil, nil
	}
	if !strings.HasSuffix(rest, ")") {
		return "", nil, fmt.Errorf("step %q: missing ')'", s)
	}
	rest = rest[:len(rest)-1]
	if strings.TrimSpace(rest) == "" {
		return name, nil, nil
	}
	args := strings.Split(rest, "|")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	return name, args, nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

func noArgs(name string, s Step) StepFactory {
	return func(args []string) (Step, error) {
		if len(args) > 0 {
			return Step{}, fmt.Errorf("%s takes no arguments", name)
		}
		return s, nil
	}
}

var strIn = []Kind{KindString}

var builtinSteps = map[string]StepFactory{
	// trim removes leading and trailing white space.
	"trim": noArgs("trim", TextStep("", pure(strings.TrimSpace))),
	// collapse trims and turns every run of white space inside into one space.
	"collapse": noArgs("collapse", TextStep("", pure(normalize.Collapse))),
	"upper":    noArgs("upper", TextStep("", pure(strings.ToUpper))),
	"lower":    noArgs("lower", TextStep("", pure(strings.ToLower))),
	// id keeps ASCII letters and digits only; nothing left is an error.
	"id": noArgs("id", TextStep(CodeInvalidID, func(s string) (string, error) {
		if alnum(s) {
			return s, nil
		}
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				b = append(b, c)
			}
		}
		if len(b) == 0 {
			return "", errors.New("no letter or digit")
		}
		return string(b), nil
	})),
	"phone":     phoneStep(false),
	"phone_ext": phoneStep(true),
	"email":     noArgs("email", TextStep(CodeInvalidEmail, normalize.Email)),
	"us_street": noArgs("us_street", TextStep("", pure(normalize.USStreet))),
	"us_state": noArgs("us_state", TextStep(CodeInvalidState, func(s string) (string, error) {
		code, ok := normalize.USState(s)
		if !ok {
			return "", errors.New("not a US state")
		}
		return code, nil
	})),
	"zip": noArgs("zip", TextStep(CodeInvalidZIP, func(s string) (string, error) {
		z, ok := normalize.USZIP(s)
		if !ok {
			return "", errors.New("not a ZIP or ZIP+4")
		}
		return z, nil
	})),
	"currency": noArgs("currency", TextStep(CodeCurrency, func(s string) (string, error) {
		c := strings.ToUpper(strings.TrimSpace(s))
		if _, ok := CurrencyMinorUnits(c); !ok {
			return "", errors.New("not an active ISO 4217 code")
		}
		return c, nil
	})),
	"range": rangeStep,
	"date":  dateStep,
	"format": func(args []string) (Step, error) {
		if len(args) != 1 {
			return Step{}, errors.New("format takes one layout")
		}
		layout := args[0]
		return Step{In: []Kind{KindTime}, Out: KindString, Fn: func(v Value) (Value, error) { return Str(v.T.Format(layout)), nil }}, nil
	},
	"timespan": noArgs("timespan", Step{In: strIn, Out: KindDuration, Code: CodeTimeSpan, Fn: func(v Value) (Value, error) {
		d, err := dotnet.ParseTimeSpan(v.S)
		if err != nil {
			return Value{}, err
		}
		return Duration(d), nil
	}}),
	"int": noArgs("int", Step{In: strIn, Out: KindInt, Code: CodeInvalidNumber, Fn: func(v Value) (Value, error) {
		i, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64)
		if err != nil {
			return Value{}, errors.New("not an integer")
		}
		return Int(i), nil
	}}),
	"float": noArgs("float", Step{In: strIn, Out: KindFloat, Code: CodeInvalidNumber, Fn: func(v Value) (Value, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return Value{}, errors.New("not a number")
		}
		return Float(f), nil
	}}),
	"bool": noArgs("bool", Step{In: strIn, Out: KindBool, Code: CodeInvalidNumber, Fn: func(v Value) (Value, error) {
		b, err := strconv.ParseBool(strings.TrimSpace(v.S))
		if err != nil {
			return Value{}, errors.New("not true or false")
		}
		return Bool(b), nil
	}}),
	"minor": minorStep,
	// not negates a bool.
	"not": noArgs("not", Step{In: []Kind{KindBool}, Fn: func(v Value) (Value, error) { return Bool(!v.B), nil }}),
	"enum": func(args []string) (Step, error) {
		if len(args) == 0 {
			return Step{}, errors.New("enum needs its values: enum(a|b|c)")
		}
		allowed := slices.Clone(args)
		return TextStep(CodeEnum, func(s string) (string, error) {
			if !slices.Contains(allowed, s) {
				return "", errors.New("not one of " + strings.Join(allowed, ", "))
			}
			return s, nil
		}), nil
	},
}

// phoneStep: phone(REGION) gives the number in E.164, phone_ext(REGION) its
// extension ("" when none). Both refuse a number libphonenumber does not consider
// valid (it parses many invalid ones without error).
func phoneStep(ext bool) StepFactory {
	return func(args []string) (Step, error) {
		region := "US"
		if len(args) > 1 {
			return Step{}, errors.New("phone takes at most a default region")
		}
		if len(args) == 1 {
			region = strings.ToUpper(args[0])
		}
		if !normalize.KnownRegion(region) {
			return Step{}, fmt.Errorf("unknown region %q", region)
		}
		norm := normalize.Phone
		if ext {
			norm = normalize.PhoneExtension
		}
		return TextStep(CodeInvalidPhone, func(s string) (string, error) {
			out, ok := norm(s, region)
			if !ok {
				return "", errors.New("not a valid phone number")
			}
			return out, nil
		}), nil
	}
}

// rangeStep: range(min|max) accepts a number within [min, max]; either bound may be
// empty (open).
func rangeStep(args []string) (Step, error) {
	if len(args) != 2 {
		return Step{}, errors.New("range takes min|max")
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	var err error
	if args[0] != "" {
		if lo, err = strconv.ParseFloat(args[0], 64); err != nil {
			return Step{}, fmt.Errorf("range min %q: %w", args[0], err)
		}
	}
	if args[1] != "" {
		if hi, err = strconv.ParseFloat(args[1], 64); err != nil {
			return Step{}, fmt.Errorf("range max %q: %w", args[1], err)
		}
	}
	if lo > hi {
		return Step{}, errors.New("range min is above max")
	}
	return Step{In: []Kind{KindInt, KindFloat}, Code: CodeOutOfRange, Fn: func(v Value) (Value, error) {
		f := v.F
		if v.Kind == KindInt {
			f = float64(v.I)
		}
		if f < lo || f > hi {
			return Value{}, fmt.Errorf("outside [%s, %s]", args[0], args[1])
		}
		return v, nil
	}}, nil
}

// dateStep: date(ZONE|layout|layout…) parses text in the first layout that fits
// (RFC 3339, 2006-01-02T15:04:05 and 2006-01-02 when none are listed); a layout
// without an offset is read in ZONE (an IANA name; "" or UTC for UTC). The result is
// in UTC.
func dateStep(args []string) (Step, error) {
	loc := time.UTC
	if len(args) > 0 && args[0] != "" {
		l, err := time.LoadLocation(args[0])
		if err != nil {
			return Step{}, fmt.Errorf("date zone %q: %w", args[0], err)
		}
		loc = l
	}
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}
	if len(args) > 1 {
		layouts = args[1:]
	}
	return Step{In: strIn, Out: KindTime, Code: CodeInvalidDate, Fn: func(v Value) (Value, error) {
		s := strings.TrimSpace(v.S)
		for _, l := range layouts {
			if t, err := time.ParseInLocation(l, s, loc); err == nil {
				return Time(t.UTC()), nil
			}
		}
		return Value{}, errors.New("in none of the formats " + strings.Join(layouts, ", "))
	}}, nil
}

// minorStep: minor(EXP) turns a decimal amount ("12.34", "-5", "1,234.50") into
// integer minor units with EXP decimals (default 2), exactly (no floating point);
// more decimals than EXP is an error. A number is taken as major units.
func minorStep(args []string) (Step, error) {
	exp := 2
	if len(args) == 1 {
		e, err := strconv.Atoi(args[0])
		if err != nil || e < 0 || e > 4 {
			return Step{}, errors.New("minor(EXP): EXP is 0 to 4")
		}
		exp = e
	} else if len(args) > 1 {
		return Step{}, errors.New("minor takes one argument")
	}
	scale := int64(math.Pow10(exp))
	return Step{In: []Kind{KindString, KindInt}, Out: KindInt, Code: CodeInvalidNumber, Fn: func(v Value) (Value, error) {
		if v.Kind == KindInt {
			if v.I > math.MaxInt64/scale || v.I < math.MinInt64/scale {
				return Value{}, errors.New("too large")
			}
			return Int(v.I * scale), nil
		}
		s := strings.ReplaceAll(strings.TrimSpace(v.S), ",", "")
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		whole, frac, _ := strings.Cut(s, ".")
		if whole == "" && frac == "" || len(frac) > exp {
			return Value{}, fmt.Errorf("not an amount with at most %d decimals", exp)
		}
		frac += strings.Repeat("0", exp-len(frac))
		w, err1 := strconv.ParseInt(cmp.Or(whole, "0"), 10, 64)
		f, err2 := strconv.ParseInt(cmp.Or(frac, "0"), 10, 64)
		if err1 != nil || err2 != nil || w < 0 || f < 0 || w > (math.MaxInt64-f)/scale {
			return Value{}, errors.New("not an amount")
		}
		n := w*scale + f
		if neg {
			n = -n
		}
		return Int(n), nil
	}}, nil
}

var builtinFuncs = map[string]Func{
	// due adds the duration the lookup table gives for a key (e.g. a priority → "4h")
	// to a time: an SLA due time.
	"due": {Args: []Kind{KindTime, KindString}, Out: KindTime, NeedsLookup: true, Fn: func(a []Value, l *Lookup) (Value, error) {
		s, err := l.Forward(a[1].S)
		if err != nil {
			return Value{}, err
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return Value{}, fmt.Errorf("lookup %s: %q is not a duration: %w", l.name, s, err)
		}
		return Time(a[0].T.Add(d)), nil
	}},
	// add adds a duration to a time (a day plus a .NET TimeSpan: a shift's start).
	"add": {Args: []Kind{KindTime, KindDuration}, Out: KindTime, Fn: func(a []Value, _ *Lookup) (Value, error) {
		return Time(a[0].T.Add(time.Duration(a[1].I))), nil
	}},
	// join joins the non-empty texts with one space (a name from its parts).
	"join": {Args: []Kind{KindString}, Variadic: true, Out: KindString, Fn: func(a []Value, _ *Lookup) (Value, error) {
		parts := make([]string, 0, len(a))
		for _, v := range a {
			if s := normalize.Collapse(v.S); s != "" {
				parts = append(parts, s)
			}
		}
		return Str(strings.Join(parts, " ")), nil
	}},
	// coalesce gives the first present, non-empty text.
	"coalesce": {Args: []Kind{KindString}, Variadic: true, Out: KindString, Fn: func(a []Value, _ *Lookup) (Value, error) {
		for _, v := range a {
			if !v.Empty() {
				return v, nil
			}
		}
		return Value{}, nil
	}},
}
