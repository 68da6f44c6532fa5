// Package app is the dispatch service of examples/dispatch: the SDK's connectors,
// receivers, mappings and resilience assembled around a JetStream bus. It holds no
// business logic the SDK should own: each flow is a few lines of assembly.
package app
