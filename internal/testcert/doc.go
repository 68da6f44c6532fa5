// Package testcert makes throwaway certificate authorities and certificates for tests
// of TLS and mutual TLS: the fakes and the connectors' tests use it, nothing else.
package testcert
