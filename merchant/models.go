package merchant

import "github.com/dispatchcenter/connectors/merchant/internal/api"

// The gateway's models, generated from openapi.yaml. Amounts in them are minor units
// of their Currency.
type (
	// CardToken names a tokenized card in every call but tokenization; Last4, Brand and
	// the expiry are safe to show.
	CardToken = api.CardToken
	// CardBrand is visa, mastercard, amex, discover or other.
	CardBrand = api.CardBrand
	// Transaction is a payment as the gateway answers it (its ID is the gateway's
	// historyid, the reference of later calls), or as the reporting contract reports
	// it, with what was captured, refunded or voided since.
	Transaction = api.Transaction
	// TransactionStatus is authorized, captured, partially_refunded, refunded, voided
	// or declined.
	TransactionStatus = api.TransactionStatus
	// Refund is a refund of part or all of a captured payment.
	Refund = api.Refund
	// RefundStatus is pending, completed or failed.
	RefundStatus = api.RefundStatus
	// Settlement is one business day's settlement batch with its totals per currency.
	Settlement = api.Settlement
	// SettlementTotal sums a batch's lines in one currency.
	SettlementTotal = api.SettlementTotal
	// SettlementLine is one capture, refund or chargeback of a batch.
	SettlementLine = api.SettlementLine
	// SettlementLineKind is capture, refund or chargeback.
	SettlementLineKind = api.SettlementLineKind
	// Chargeback is a cardholder's dispute of a payment.
	Chargeback = api.Chargeback
	// ChargebackStatus is open, accepted, disputed, won or lost.
	ChargebackStatus = api.ChargebackStatus
	// FraudAlert is the gateway's fraud screening flagging a transaction.
	FraudAlert = api.FraudAlert
	// Problem is the gateway's error body (RFC 9457).
	Problem = api.Problem
)

// Transaction statuses.
const (
	StatusAuthorized        = api.TransactionStatusAuthorized
	StatusCaptured          = api.TransactionStatusCaptured
	StatusPartiallyRefunded = api.TransactionStatusPartiallyRefunded
	StatusRefunded          = api.TransactionStatusRefunded
	StatusVoided            = api.TransactionStatusVoided
	StatusDeclined          = api.TransactionStatusDeclined
	// StatusCredited is a credit to a card not charged by a sale (Client.Credit).
	StatusCredited = api.TransactionStatusCredited
)

// Chargeback statuses.
const (
	ChargebackOpen     = api.ChargebackStatusOpen
	ChargebackAccepted = api.ChargebackStatusAccepted
	ChargebackDisputed = api.ChargebackStatusDisputed
	ChargebackWon      = api.ChargebackStatusWon
	ChargebackLost     = api.ChargebackStatusLost
)

// Settlement line kinds.
const (
	LineCapture    = api.SettlementLineKindCapture
	LineRefund     = api.SettlementLineKindRefund
	LineChargeback = api.SettlementLineKindChargeback
)
