// Package merchanttest is a fake Merchant Partners gateway for tests: mutual TLS 1.3
// with its own CA (a client certificate it signed is required on every connection,
// and it issues both sides' certificates), an OAuth 2.0 token endpoint, and the
// payments API on loopback, validating every request against merchant/openapi.yaml.
// It honours idempotency keys as a gateway does (the same key and body: the same
// answer; another body: 422; still running: 409), approves or declines by test card,
// can fail before or after committing a payment, keeps seeded settled history
// (settlements, refunds, chargebacks, fraud alerts), records requests with card data
// masked, and pushes signed events over mutual TLS.
package merchanttest
