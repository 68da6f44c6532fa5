package consumer_test

import (
	"bufio"
	"fmt"
	"go/types"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

// internalTypesFile lists the exported declarations that still name an internal
// type, one "package.Declaration: internal type" per line: issue #20's record types
// declared in reach/internal/api and its peers, to be moved where go doc shows them.
// The list only shrinks.
const internalTypesFile = "testdata/internal-types.txt"

const listHeader = `# Exported declarations that still name an internal type (issue #20, 5): the record
# types the connectors alias from their generated internal/api packages. This list only
# shrinks: TestNoInternalTypeInTheExportedAPI fails on a new entry and on a stale one
# (UPDATE_INTERNAL_TYPES=1 go test -run TestNoInternalTypeInTheExportedAPI rewrites it).
`

// TestNoInternalTypeInTheExportedAPI walks every exported declaration of every
// public package of the library (types, their exported fields and methods,
// functions, variables and constants) and reports each internal type it names: an
// importer cannot name it, and go doc shows nothing of it. A new one fails the test;
// so does one that is gone but still listed (remove it from the list).
func TestNoInternalTypeInTheExportedAPI(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes, Dir: "../.."}, "./...") // the library, in its own module
	require.NoError(t, err)
	var found []string
	for _, p := range pkgs {
		require.Empty(t, p.Errors, p.PkgPath)
		if isInternal(p.PkgPath) {
			continue
		}
		found = append(found, internalTypesOf(p.Types)...)
	}
	sort.Strings(found)
	found = slices.Compact(found)
	listed := readList(t)
	for _, f := range found {
		assert.True(t, slices.Contains(listed, f), "a new internal type in the exported API: %s", f)
	}
	for _, l := range listed {
		assert.True(t, slices.Contains(found, l), "no longer found, remove it from %s: %s", internalTypesFile, l)
	}
	if os.Getenv("UPDATE_INTERNAL_TYPES") != "" {
		require.NoError(t, os.WriteFile(internalTypesFile, []byte(listHeader+strings.Join(found, "\n")+"\n"), 0o644))
	}
}

func isInternal(path string) bool {
	return strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal")
}

func readList(t *testing.T) []string {
	f, err := os.Open(internalTypesFile)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// internalTypesOf returns "pkg.Decl: type" for each internal type an exported
// declaration of pkg names.
func internalTypesOf(pkg *types.Package) []string {
	var out []string
	report := func(decl string, typ types.Type) {
		for _, n := range internalNamed(typ, map[types.Type]bool{}) {
			out = append(out, fmt.Sprintf("%s.%s: %s", pkg.Path(), decl, n))
		}
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch o := obj.(type) {
		case *types.TypeName:
			if o.IsAlias() {
				report(name, types.Unalias(o.Type()))
				continue
			}
			named, ok := o.Type().(*types.Named)
			if !ok {
				continue
			}
			switch u := named.Underlying().(type) {
			case *types.Struct:
				for i := range u.NumFields() {
					if f := u.Field(i); f.Exported() {
						report(name+"."+f.Name(), f.Type())
					}
				}
			case *types.Interface:
				for i := range u.NumMethods() {
					if m := u.Method(i); m.Exported() {
						report(name+"."+m.Name(), m.Type())
					}
				}
			default:
				report(name, u)
			}
			for _, recv := range []types.Type{named, types.NewPointer(named)} {
				ms := types.NewMethodSet(recv)
				for i := range ms.Len() {
					m := ms.At(i).Obj()
					if m.Exported() && m.Pkg() == pkg {
						report(name+"."+m.Name(), m.Type())
					}
				}
			}
		default:
			report(name, obj.Type())
		}
	}
	return out
}

// internalNamed returns the internal named types t is made of, without going into
// named types' own definitions (each is checked where it is declared).
func internalNamed(t types.Type, seen map[types.Type]bool) []string {
	if t == nil || seen[t] {
		return nil
	}
	seen[t] = true
	switch x := t.(type) {
	case *types.Alias:
		return internalNamed(types.Unalias(x), seen)
	case *types.Named:
		var out []string
		if p := x.Obj().Pkg(); p != nil && isInternal(p.Path()) {
			out = append(out, p.Path()+"."+x.Obj().Name())
		}
		if args := x.TypeArgs(); args != nil {
			for i := range args.Len() {
				out = append(out, internalNamed(args.At(i), seen)...)
			}
		}
		return out
	case *types.Pointer:
		return internalNamed(x.Elem(), seen)
	case *types.Slice:
		return internalNamed(x.Elem(), seen)
	case *types.Array:
		return internalNamed(x.Elem(), seen)
	case *types.Map:
		return append(internalNamed(x.Key(), seen), internalNamed(x.Elem(), seen)...)
	case *types.Chan:
		return internalNamed(x.Elem(), seen)
	case *types.Signature:
		var out []string
		for _, tup := range []*types.Tuple{x.Params(), x.Results()} {
			for i := range tup.Len() {
				out = append(out, internalNamed(tup.At(i).Type(), seen)...)
			}
		}
		return out
	case *types.Struct:
		var out []string
		for i := range x.NumFields() {
			if f := x.Field(i); f.Exported() {
				out = append(out, internalNamed(f.Type(), seen)...)
			}
		}
		return out
	}
	return nil
}
