// Package records holds the record and the specs of the mapping benchmarks, apart
// from the generated code so that its generator never compiles a stale version.
package records
