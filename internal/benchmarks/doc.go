// Package benchmarks compares the SDK's HTTP stack with bare net/http, plain
// go-retryablehttp and failsafe-go, in one process. It is its own module so that peer
// libraries never enter the library's go.mod.
//
//	cd internal/benchmarks && go test -run '^$' -bench . -benchmem
package benchmarks

//go:generate go run gen_mapping.go
