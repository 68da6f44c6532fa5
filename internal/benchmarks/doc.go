// Package benchmarks compares the SDK's HTTP stack with bare net/http, plain
// go-retryablehttp and failsafe-go, in one process. It is its own module so that peer
// libraries never enter the library's go.mod.
//
//	cd internal/benchmarks && go test -run '^$' -bench . -benchmem
//
// On a small shared machine, rotate.sh runs each sub-benchmark in its own process in
// a shuffled order, round after round, for benchstat: within one process the later
// sub-benchmarks run slower, which biases a comparison by its order.
package benchmarks
