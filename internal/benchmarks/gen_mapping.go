//go:build ignore

// gen_mapping writes the mapping benchmarks' generated functions (go generate).
package main

import (
	"bytes"
	"log"
	"os"

	"github.com/dispatchcenter/connectors/internal/benchmarks/records"
	"github.com/dispatchcenter/connectors/mapping"
)

func main() {
	reg := mapping.NewRegistry()
	reg.RegisterType("src", records.SrcRecord{})
	reg.RegisterType("dst", records.DstRecord{})
	for _, g := range []struct{ spec, fn, file string }{
		{records.PlainSpec, "mapPlain", "mapping_plain.gen.go"},
		{records.CleanSpec, "mapClean", "mapping_clean.gen.go"},
	} {
		spec, err := mapping.ParseSpec([]byte(g.spec))
		check(err)
		m, err := mapping.Compile(spec, reg)
		check(err)
		var b bytes.Buffer
		check(m.Generate(&b, mapping.GenOptions{Package: "benchmarks", PkgPath: "github.com/dispatchcenter/connectors/internal/benchmarks",
			Func: g.fn, Generator: "gen_mapping.go"}))
		check(os.WriteFile(g.file, b.Bytes(), 0o644))
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
