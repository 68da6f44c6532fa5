// Package webhook verifies, de-duplicates, acknowledges and hands off inbound
// webhooks. It is usable without any connector.
//
// A [Verifier] checks a delivery against the exact bytes received (never re-serialised
// JSON) with constant-time comparisons: Standard Webhooks ([NewStandard]: v1 HMAC-SHA256
// and v1a Ed25519, whsec_ secrets, several keys and signatures at once, replay window
// on both sides), a configurable HMAC scheme for vendors that sign differently
// ([NewHMAC]), API keys in a header ([NewAPIKey]), JWT bearer tokens checked against
// keys or a JWKS URL with issuer, audience and expiry ([NewBearer]), client
// certificates checked in VerifyConnection so resumed TLS sessions are checked too
// ([NewClientCert]), and IP allowlists with an explicit count of trusted proxy hops
// ([NewIPAllowlist]); [All] combines them. Constructors
// refuse empty secrets (fail closed), and errors are typed ([ErrSignature],
// [ErrTooOld], …) and never contain a computed signature or a secret.
//
// A [Receiver] is the http.Handler around a verifier: it caps the body (413), checks
// the content type (415), verifies (401, or 403 for an address outside the
// allowlist), de-duplicates on signed material (the signed id, or a hash of the body
// when the id is not signed) for a TTL as long as the sender's retry horizon, and hands
// the event to a durable [Sink] before answering 2xx; when the sink refuses, it
// answers 503 so the sender retries. Nothing is acknowledged that was not handed off.
//
// The matching signers ([StandardSigner], [HMACSigner], and [JWTSigner] with [JWKS]
// for bearer tokens) serve the bundled fakes and anyone sending webhooks.
package webhook
