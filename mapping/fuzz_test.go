package mapping

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

type fuzzRecord struct {
	ID    string            `json:"id"`
	Tags  []string          `json:"tags"`
	Inner struct{ N int }   `json:"inner"`
	Ptr   *fuzzRecord       `json:"ptr"`
	Map   map[string]string `json:"map"`
	Any   map[string]any    `json:"any"`
	At    time.Time         `json:"at"`
}

// FuzzPath: any path either fails to parse or compile, or reads without panicking.
func FuzzPath(f *testing.F) {
	for _, s := range []string{"id", "tags[1]", "inner.N", "ptr.ptr.id", "map.k", "any.a[0].b", "tags[", "a..b", "[0]", "x[99999999]"} {
		f.Add(s)
	}
	rec := fuzzRecord{ID: "x", Tags: []string{"a"}, Map: map[string]string{"k": "v"}, Any: map[string]any{"a": []any{map[string]any{"b": 1.5}}}}
	rec.Ptr = &fuzzRecord{}
	t := reflect.TypeFor[fuzzRecord]()
	f.Fuzz(func(t2 *testing.T, p string) {
		if _, err := parsePath(p); err != nil {
			return
		}
		g, _, err := compileSource(t, p)
		if err != nil {
			return
		}
		_ = read(g.get(reflect.ValueOf(rec)))
		_, _, _ = compileTarget(t, p)
	})
}

// FuzzParseSpec: any file either is refused with an error or compiles into a mapping
// that applies without panicking.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte("name: x\nversion: 1\nsource: rec\ntarget: rec\nfields:\n  - {target: id, source: id, pipeline: [trim, id]}\n"))
	f.Add([]byte(`{"name":"x","source":"rec","target":"rec","fields":[{"target":"at","source":"id","pipeline":["date(UTC|2006)"]}]}`))
	f.Add([]byte("name: x\nsource: rec\ntarget: rec\nlookups: {t: {values: {a: b}, reversible: true}}\nfields:\n  - {target: id, source: tags[0], lookup: t, reverse: true}\n"))
	f.Add([]byte("name: [\n"))
	reg := NewRegistry()
	reg.RegisterType("rec", fuzzRecord{})
	rec := fuzzRecord{ID: " 2026 ", Tags: []string{"b"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		spec, err := ParseSpec(b)
		if err != nil {
			return
		}
		m, err := Compile(spec, reg)
		if err != nil {
			return
		}
		var out fuzzRecord
		_ = m.Apply(rec, &out)
	})
}

// FuzzDirCheck: whatever an operator types into the Mappings tab, Check returns a
// mapping or its problems, each with a line within the text (0 when none), and
// never panics.
func FuzzDirCheck(f *testing.F) {
	f.Add([]byte("name: x\nversion: 1\nsource: rec\ntarget: rec\nfields:\n  - {target: id, source: idd, pipeline: [trim, emial]}\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte(`{"name":"x","source":"rec","target":"rec","fields":[{"target":"at","source":"id","pipeline":["date(UTC|2006)"]}]}`))
	f.Add([]byte("fields: 7\n"))
	f.Add([]byte("- a\n- b\n"))
	reg := NewRegistry()
	reg.RegisterType("rec", fuzzRecord{})
	d, err := OpenDir(f.TempDir(), reg, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		m, problems := d.Check(text)
		if m == nil && len(problems) == 0 {
			t.Fatal("neither a mapping nor a problem")
		}
		// YAML breaks lines at \n, \r and \r\n: counting both bytes bounds its count
		lines := bytes.Count(text, []byte("\n")) + bytes.Count(text, []byte("\r")) + 1
		for _, p := range problems {
			if p.Line < 0 || p.Line > lines+1 {
				t.Fatalf("line %d outside the text's %d", p.Line, lines)
			}
		}
	})
}
