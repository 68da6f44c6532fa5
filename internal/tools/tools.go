//go:build tools

// Package tools pins the versions of the code generator and linters the project
// runs, in their own module so that none of them enters the library's go.mod.
//
//	go run -modfile=internal/tools/go.mod github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen …
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "golang.org/x/exp/cmd/apidiff"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
