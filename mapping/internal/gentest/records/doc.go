// Package records holds the types and the spec of the edge mapping that package
// gentest generates code for (apart, so that the generator never compiles stale
// generated code).
package records
