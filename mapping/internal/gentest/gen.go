//go:build ignore

// gen writes the generated mapping functions of package gentest: go generate runs it.
package main

import (
	"bytes"
	"io/fs"
	"log"
	"os"
	"strings"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/defaults"
	"github.com/dispatchcenter/connectors/mapping/internal/gentest/records"
)

const self = "github.com/dispatchcenter/connectors/mapping/internal/gentest"

// imports are the packages the default mappings' type names refer to.
var imports = map[string]string{
	"reach": "github.com/dispatchcenter/connectors/reach", "geotab": "github.com/dispatchcenter/connectors/geotab",
	"dayforce": "github.com/dispatchcenter/connectors/dayforce", "maddenco": "github.com/dispatchcenter/connectors/maddenco",
	"treadnet": "github.com/dispatchcenter/connectors/treadnet", "merchant": "github.com/dispatchcenter/connectors/merchant",
	"defaults": "github.com/dispatchcenter/connectors/mapping/defaults", "canonical": "github.com/dispatchcenter/connectors/mapping/canonical",
}

func main() {
	reg := mapping.NewRegistry()
	reg.RegisterType("src", records.Src{})
	reg.RegisterType("dst", records.Dst{})
	spec, err := mapping.ParseSpec(records.EdgeSpec)
	check(err)
	m, err := mapping.Compile(spec, reg)
	check(err)
	write("edge", m, mapping.GenOptions{})

	l, err := defaults.Load()
	check(err)
	for _, name := range l.Names() {
		b, err := fs.ReadFile(defaults.FS, name+".yaml")
		check(err)
		spec, err := mapping.ParseSpec(b)
		check(err)
		m, _ := l.Mapping(name)
		o := mapping.GenOptions{Source: spec.Source, Target: spec.Target}
		for _, t := range []string{spec.Source, spec.Target} {
			pkg, _, _ := strings.Cut(t, ".")
			o.Imports = append(o.Imports, imports[pkg])
		}
		write(name, m, o)
	}
}

func write(name string, m *mapping.Mapping, o mapping.GenOptions) {
	o.Package, o.PkgPath, o.Generator = "gentest", self, "gen.go"
	o.Func = "Map"
	for w := range strings.SplitSeq(name, "-") {
		o.Func += strings.ToUpper(w[:1]) + w[1:]
	}
	var b bytes.Buffer
	check(m.Generate(&b, o))
	check(os.WriteFile(strings.ReplaceAll(name, "-", "_")+".gen.go", b.Bytes(), 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
