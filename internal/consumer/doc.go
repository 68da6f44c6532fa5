// Package consumer is a module outside the library's path, kept in the repository
// to use the SDK as an importer does: only the public API compiles here (Go refuses
// a foreign module's internal packages), resolved through a replace of the
// library's directory. Its tests run each connector against its bundled fake on
// one public fake clock.
package consumer
