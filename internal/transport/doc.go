// Package transport builds the HTTP plumbing every connector shares: the pooled base
// transport with sane timeouts, TLS configurations (minimum version per system, client
// certificates, extra root CAs) and the SDK's User-Agent.
package transport
