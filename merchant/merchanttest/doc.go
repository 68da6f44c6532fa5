// Package merchanttest is a fake Merchant Partners gateway for tests, on loopback:
//
//   - its XML interface ([Server.Gateway], POST /cgi-bin/ProcessXML.cgi over TLS),
//     answering as ActiveMerchant's MerchantPartnersGateway and its tests show the
//     real one answering: the shared test account TEST0 (authorization code TEST,
//     card 4003000123456781 approved, 4003000123456782 declined "Invalid account
//     number"), the answer shapes of its unit fixtures (result strings, decline codes,
//     totals echoed as "1.0", zeros for a refused follow-up's ids), and, with
//     [WithQuirks], answers HTML-escaped or with leading spaces; the assumptions the
//     fake makes where no source settles a behaviour (duplicate detection on
//     merchantordernumber, how wrong credentials are refused, …) are listed in
//     xml.go and marked so;
//   - the dispatch center's reporting contract (merchant/openapi.yaml): mutual TLS
//     1.3 with its own CA (a client certificate it signed is required on every
//     connection), an OAuth 2.0 token endpoint, transactions, settlements, refunds,
//     chargebacks and fraud alerts over the same ledger the XML interface writes, and
//     signed events pushed over mutual TLS.
//
// It can fail before or after committing a payment ([Server.Fail], with After),
// keeps seeded settled history, and records requests with card data, account
// numbers and the merchant PIN scrubbed.
package merchanttest
