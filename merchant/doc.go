// Package merchant is the dispatch center's connector to Merchant Partners, its
// payment gateway (PCI DSS). The gateway's public interfaces are form posts and XML
// services, so the contract is this package's openapi.yaml, written from the
// integration design and keeping the gateway's vocabulary: tokenization,
// authorization, capture, void, refund, transactions, daily settlement reports,
// chargebacks and fraud alerts. The wire client is generated from it (package
// merchant/internal/api); this package adds what generation cannot:
//
//   - OAuth 2.0 client credentials over mutual TLS: every connection, the token
//     request included, presents the client certificate of Config.TLS; TLS 1.3 only;
//     the Critical resilience policy;
//   - a token-only surface: [Client.Tokenize] is the only call that takes a [Card], a
//     card number given where a token belongs is refused before the network, and card
//     numbers and CVVs never reach logs, errors or audit records ([Card] formats
//     masked);
//   - idempotency: every mutating call carries an Idempotency-Key, the caller's
//     ([WithIdempotencyKey]) or one generated per call, and every retry of the call
//     sends the same key, so a retry after a lost answer cannot charge twice; a repeat
//     the gateway is still processing (409 with Retry-After) is retried after the wait;
//   - [Money] in integer minor units, its currency and range checked against the
//     Config before the network; a decline returned as the declined transaction and a
//     [*DeclineError] ([ErrDeclined]);
//   - iterators over every list, settlement lines streamed page by page;
//   - [NewReceiver] for the events the gateway pushes (payment completed or failed,
//     chargeback, refund, fraud alert): the gateway's client certificate and its
//     Standard Webhooks signature both checked, repeats dropped, each event handed to
//     a durable sink before the 2xx;
//   - RFC 9457 problems mapped to *connectors.APIError and its sentinels, and one audit
//     event per operation, classified as payment data.
//
// The bundled fake, package merchanttest, runs the gateway on loopback for tests.
package merchant
