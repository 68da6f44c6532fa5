package consumer_test

import (
	"fmt"
	"go/types"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

// TestNoInternalTypeInTheExportedAPI walks every exported declaration of every
// public package of the library (types, their exported fields and methods,
// functions, variables and constants) and reports each internal type it names: an
// importer cannot name it, and go doc shows nothing of it. There is none.
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
	assert.Empty(t, slices.Compact(found), "internal types in the exported API")
}

func isInternal(path string) bool {
	return strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal")
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
