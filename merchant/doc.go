// Package merchant is the dispatch center's connector to Merchant Partners, its
// payment gateway (PCI DSS). It speaks two interfaces, and says which call goes
// where:
//
//   - Payments go to the gateway's real XML interface (Online Commerce Suite,
//     POST …/cgi-bin/ProcessXML.cgi, as ActiveMerchant's MerchantPartnersGateway
//     speaks it): [Client.Tokenize] (service 7, a stored profile), [Client.Authorize]
//     (1), [Client.Sale] (2, or 8 on a profile), [Client.Capture] (3),
//     [Client.Refund] (4), [Client.Void] (5) and [Client.Credit] (6, or 13 on a
//     profile). Config.AccountID (acctid), MerchantPIN and SubID are the
//     credentials; [TestAccount] ("TEST0") is the shared test account.
//   - Reports go to the dispatch center's own reporting contract with the gateway
//     (openapi.yaml: OAuth 2.0 over mutual TLS 1.3, when Config.BaseURL is set):
//     [Client.Transaction] and [Client.Transactions], settlements
//     ([Client.Settlement], [Client.SettlementLines]), chargebacks and fraud alerts,
//     and the events it pushes ([NewReceiver]). The XML interface has none of them.
//
// One set of models serves both: a [Transaction] is what the XML interface answers
// (its ID is the gateway's historyid, the reference of captures, refunds and voids;
// OrderID, AuthCode, AvsResult, CvvResult, Duplicate, DeclineCode, DeclineMessage
// and DeclineClass typed) and what the reporting contract reports.
//
// # Money and cards
//
// [Money] is minor units with an ISO 4217 code, written in the currency's decimal
// form for the gateway (100 cents is "1.00") and read back exactly from its echo
// ("1.0"); no floating point anywhere. The currency and range are checked against
// the Config before the network. A [Card] prints masked; its number, CVV and track
// data, and the merchant PIN, never reach a log, an error, an audit record or the
// fake's recordings ([Scrub] masks a transcript as ActiveMerchant's scrub does).
// A token is "userprofileid|last4", the profile's id and the card's last four digits.
//
// # Declines and errors
//
// A decline ("DECLINED:<10-digit code>:<message>:") is a [*DeclineError] matching
// [ErrDeclined], with the declined transaction: final, never retried. The code's
// first digit is its [DeclineClass] (PrismPay's reading of the same platform): 0 and
// 1 are network and gateway declines, 2 and 3 network and gateway errors, which are
// returned as retryable connectors.ErrUnavailable instead.
//
// # No duplicate charges, without idempotency keys
//
// The gateway has no idempotency keys. One logical payment keeps one
// merchantordernumber (Payment.OrderNumber) across every retry, and the SDK relies
// on one assumption about the gateway, stated here because no public document
// confirms it: a repeat of an auth, sale or credit with the same merchantordernumber
// (of a capture or refund with the same merchantordernumber and historyid) is
// answered with the original transaction and the duplicate output set, not
// processed again. What supports it: the duplicate output in every answer, and the
// duplicate_override input of the platform's SOAP service. So, after an ambiguous
// failure (no answer, a reset after sending, a 5xx, an answer cut short), a
// payment is sent again, never with another order number, and the repeat's answer
// settles it (Transaction.Duplicate tells an original answered twice). A capture or
// refund without an order number ([WithOrderNumber]) is not sent again: its error
// matches connectors.ErrOutcomeUnknown, and the reporting contract's
// [Client.Transactions] by order number settles it. A void is sent again (voiding
// twice moves no money). Whether the XML interface has a retrieve service is
// unconfirmed; the SOAP service's processTransRetrieve suggests the platform can look
// a transaction up by merchantordernumber.
//
// [WithIdempotencyStore] (Redis in resilience/redisstate) still shares the outcome of
// a call made with the caller's key ([WithIdempotencyKey]) between replicas, so a
// repeat from another process does not reach the gateway at all.
//
// The bundled fake, package merchanttest, serves both interfaces on loopback.
package merchant
