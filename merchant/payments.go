package merchant

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/resilience"
)

// Payment is a sale, an authorization or a credit: an amount on a stored card (Token,
// from [Client.Tokenize]) or, for one-shot use, on a card.
type Payment struct {
	// Token of a stored card ("userprofileid|last4"), or Card: one of the two.
	Token string
	Card  *Card
	// Amount to charge or credit.
	Amount Money
	// OrderNumber is the dispatch center's unique reference of the payment (e.g. the
	// invoice number): the gateway's merchantordernumber, and the key of its
	// duplicate detection. Every retry of the payment sends the same one.
	OrderNumber string
	// Email and IPAddress of the payer, if known.
	Email, IPAddress string
}

var orderNumber = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// check refuses what the gateway must not see.
func (c *Client) checkPayment(p Payment) error {
	switch {
	case p.Card != nil && p.Token != "":
		return fmt.Errorf("merchant: a payment takes a token or a card, not both: %w", connectors.ErrInvalidRequest)
	case p.Card != nil:
		if err := p.Card.check(); err != nil {
			return err
		}
	default:
		if err := checkToken(p.Token); err != nil {
			return err
		}
	}
	if err := c.checkMoney(p.Amount); err != nil {
		return err
	}
	if !orderNumber.MatchString(p.OrderNumber) {
		return fmt.Errorf("merchant: the order number must be 1-64 letters, digits, '.', '_' or '-': %w", connectors.ErrInvalidRequest)
	}
	return nil
}

// invoice adds amount, merchantordernumber and currency, in ActiveMerchant's order.
func invoice(m Money, order string) ([]field, error) {
	amount, err := decimalAmount(m)
	if err != nil {
		return nil, err
	}
	return []field{{"amount", amount}, {"merchantordernumber", order}, {"currency", m.Currency}}, nil
}

// paymentMethod adds a stored profile (userprofileid, last4digits) or a card
// (ccname, ccnum, cvv2, expmon as two digits, expyear as four).
func paymentMethod(p Payment) []field {
	if p.Card == nil {
		id, last4, _ := strings.Cut(p.Token, "|")
		return []field{{"userprofileid", id}, {"last4digits", last4}}
	}
	k := p.Card
	return []field{{"ccname", k.HolderName}, {"ccnum", k.Number}, {"cvv2", k.CVV},
		{"expmon", fmt.Sprintf("%02d", k.ExpMonth)}, {"expyear", fmt.Sprintf("%04d", k.ExpYear)}}
}

// customer adds the payer's email, IP address and billing postal code
// (ActiveMerchant's spelling, bilzip; the gateway's own is unconfirmed).
func customer(p Payment) []field {
	var f []field
	if p.Email != "" {
		f = append(f, field{"email", p.Email})
	}
	if p.IPAddress != "" {
		f = append(f, field{"ipaddress", p.IPAddress})
	}
	if p.Card != nil && p.Card.PostalCode != "" {
		f = append(f, field{"bilzip", p.Card.PostalCode})
	}
	return f
}

// Tokenize stores a card as a profile (service 7, profileactiontype 3: store only)
// and returns its token, "userprofileid|last4" as ActiveMerchant forms it: the
// profile's id and the card's last four digits, never the card. The card number and
// CVV travel in this one request body and nowhere else (not in logs, errors, audit
// records or the fake's recordings).
func (c *Client) Tokenize(ctx context.Context, card Card, opts ...CallOption) (CardToken, error) {
	if err := card.check(); err != nil {
		return CardToken{}, err
	}
	if err := checkKey(opts); err != nil {
		return CardToken{}, err
	}
	p := Payment{Card: &card}
	fields := append(paymentMethod(p), customer(p)...)
	fields = append(fields, field{"profileactiontype", "3"})
	return shared(ctx, c, "tokenize", opts, func() (CardToken, error) {
		// storing a profile twice moves no money: it is sent again after a lost
		// answer (at worst the account holds two profiles of the card)
		out, err := c.transact(ctx, serviceStore, map[string]string{"last4": card.Last4()}, true, fields)
		if err != nil {
			return CardToken{}, err
		}
		if out["status"] != "Approved" {
			code, msg, class := parseDecline(out["result"])
			return CardToken{}, declineErr(c, "store", code, msg, class, "")
		}
		if out["userprofileid"] == "" {
			return CardToken{}, &connectors.APIError{System: "merchant", Operation: "store", Kind: connectors.ErrOutcomeUnknown,
				Message: "the gateway approved the profile but named none"}
		}
		last4 := cmpOr(out["last4digits"], card.Last4())
		return CardToken{Token: out["userprofileid"] + "|" + last4, Last4: last4, Brand: card.Brand(),
			ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, CreatedAt: c.clk.Now().UTC(), Test: c.test}, nil
	})
}

// Authorize authorizes an amount (service 1) without capturing it: capture it later
// with [Client.Capture], or release it with [Client.Void]. ActiveMerchant sends an
// authorization on a stored profile with the profile's fields; whether the gateway
// takes one is unconfirmed (its service codes list a sale and a credit on a
// profile, not an authorization).
//
// The payment's OrderNumber makes it safe to send again: after an ambiguous failure
// (no answer, a reset after sending, a 5xx, an answer cut short) it is sent again
// with the same merchantordernumber, and the gateway's duplicate detection answers
// the repeat with the original (Transaction.Duplicate). A decline returns the
// declined transaction and a [*DeclineError] matching [ErrDeclined]; a gateway or
// network error (a decline code of class 2 or 3) is a retryable
// connectors.ErrUnavailable.
func (c *Client) Authorize(ctx context.Context, p Payment, opts ...CallOption) (Transaction, error) {
	return c.pay(ctx, "authorize", serviceAuth, serviceAuth, p, opts)
}

// Sale authorizes and captures an amount at once: service 2 on a card, 8 on a stored
// profile. It is sent again after an ambiguous failure as [Client.Authorize] is.
func (c *Client) Sale(ctx context.Context, p Payment, opts ...CallOption) (Transaction, error) {
	return c.pay(ctx, "sale", serviceSale, serviceProfileSale, p, opts)
}

// Credit gives an amount to a card that was not charged by a sale of this gateway
// (service 6 on a card, 13 on a stored profile); a refund of a sale is
// [Client.Refund].
func (c *Client) Credit(ctx context.Context, p Payment, opts ...CallOption) (Transaction, error) {
	return c.pay(ctx, "credit", serviceCredit, serviceProfileCredit, p, opts)
}

func (c *Client) pay(ctx context.Context, name string, onCard, onProfile service, p Payment, opts []CallOption) (Transaction, error) {
	if err := c.checkPayment(p); err != nil {
		return Transaction{}, err
	}
	if err := checkKey(opts); err != nil {
		return Transaction{}, err
	}
	svc := onProfile
	if p.Card != nil {
		svc = onCard
	}
	fields, err := invoice(p.Amount, p.OrderNumber)
	if err != nil {
		return Transaction{}, err
	}
	fields = append(append(fields, paymentMethod(p)...), customer(p)...)
	summary := map[string]string{"order": p.OrderNumber, "amount": p.Amount.String(), "service": serviceNames[svc]}
	t, err := shared(ctx, c, name+"/"+p.OrderNumber, opts, func() (Transaction, error) {
		out, err := c.transact(ctx, svc, summary, true, fields)
		if err != nil {
			return Transaction{}, err
		}
		return c.transaction(out, svc, p.Amount, p.Token, p.OrderNumber)
	})
	return t, err
}

// Capture captures amount of an authorization (service 3 on its historyid). It is
// sent again after an ambiguous failure only with [WithOrderNumber].
func (c *Client) Capture(ctx context.Context, historyID string, amount Money, opts ...CallOption) (Transaction, error) {
	return c.followUp(ctx, "capture", serviceCapture, historyID, &amount, opts)
}

// Refund refunds amount of a sale or capture (service 4 on its historyid); the
// answer is the refund's own transaction. It is sent again after an ambiguous
// failure only with [WithOrderNumber]: a refund sent twice without one could be paid
// twice.
func (c *Client) Refund(ctx context.Context, historyID string, amount Money, opts ...CallOption) (Transaction, error) {
	return c.followUp(ctx, "refund", serviceRefund, historyID, &amount, opts)
}

// Void cancels an authorization or a sale not yet settled (service 5 on its
// historyid; no amount). A void is sent again after an ambiguous failure: voiding
// twice moves no money (at worst the repeat is declined). A void names no currency,
// so the answer's echoed total is not read: the Transaction's Amount is 0.
func (c *Client) Void(ctx context.Context, historyID string, opts ...CallOption) (Transaction, error) {
	return c.followUp(ctx, "void", serviceVoid, historyID, nil, opts)
}

func (c *Client) followUp(ctx context.Context, name string, svc service, historyID string, amount *Money, opts []CallOption) (Transaction, error) {
	if err := checkKey(opts); err != nil {
		return Transaction{}, err
	}
	if historyID == "" {
		return Transaction{}, fmt.Errorf("merchant: %s needs the transaction's historyid: %w", name, connectors.ErrInvalidRequest)
	}
	o := applyCallOptions(opts)
	if o.order != "" && !orderNumber.MatchString(o.order) {
		return Transaction{}, fmt.Errorf("merchant: the order number must be 1-64 letters, digits, '.', '_' or '-': %w", connectors.ErrInvalidRequest)
	}
	var fields []field
	money := Money{}
	if amount != nil {
		if err := c.checkMoney(*amount); err != nil {
			return Transaction{}, err
		}
		var err error
		if fields, err = invoice(*amount, o.order); err != nil {
			return Transaction{}, err
		}
		money = *amount
	}
	fields = append(fields, field{"historykeyid", historyID})
	safe := o.order != "" || svc == serviceVoid
	summary := map[string]string{"transaction": historyID, "amount": money.String(), "service": name}
	return shared(ctx, c, name+"/"+historyID, opts, func() (Transaction, error) {
		out, err := c.transact(ctx, svc, summary, safe, fields)
		if err != nil {
			return Transaction{}, err
		}
		return c.transaction(out, svc, money, "", o.order)
	})
}

// transact sends one transaction and reads its outputs. The account's credentials
// and the service code end the inputs. A retry-safe call (one the gateway's
// duplicate detection makes safe, or one that moves no money) is retried by the
// resilience policy after any failure, an answer cut short included; any other is
// sent once, and an ambiguous failure matches connectors.ErrOutcomeUnknown.
func (c *Client) transact(ctx context.Context, svc service, summary map[string]string, retrySafe bool, fields []field) (outputs, error) {
	op := "ProcessXML.cgi " + serviceNames[svc]
	fields = append(append(fields, c.account...), field{"service", string(svc)})
	body := xmlRequest(fields)
	if retrySafe {
		ctx = resilience.Idempotent(ctx)
	} else {
		ctx = connector.Mutation(ctx, "")
	}
	out, _, err := connector.Invoke[outputs](ctx, &c.xml, connector.Request{Op: op, Method: http.MethodPost, URL: c.xml.Base.String(),
		Raw: body, ContentType: "application/xml", Class: connectors.ClassPayment, Summary: summary,
		Decode: func(b []byte, out any) (err error) {
			*out.(*outputs), err = parseAnswer(b)
			return err
		}})
	if err != nil {
		return nil, connector.OutcomeUnknown("merchant", op, "", err)
	}
	return out, nil
}

// checkAnswer is the XML interface's response check: an answer of 200 whose body is
// not the gateway's outputs (cut short, or another format) is a failure the
// resilience layer retries for retry-safe calls, and whose outcome is unknown for the
// others. The body is put back for the caller, which parses it again.
func checkAnswer(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_ = resp.Body.Close()
	if err == nil {
		_, err = parseAnswer(b)
	}
	if err != nil {
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return badAnswer{err}
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}

// badAnswer is an answer that did not read: retryable for calls safe to repeat.
type badAnswer struct{ err error }

func (e badAnswer) Error() string   { return e.err.Error() }
func (e badAnswer) Unwrap() error   { return e.err }
func (e badAnswer) Retryable() bool { return true }

// Undecodable says the answer did not read: a payment's outcome is then unknown.
func (e badAnswer) Undecodable() bool { return true }

// transaction types an answer. A decline is returned with the declined transaction
// and a *DeclineError; a gateway or network error (class 2 or 3) as a retryable
// ErrUnavailable; an answer whose status is neither Approved nor Declined as an
// outcome the SDK cannot tell.
func (c *Client) transaction(out outputs, svc service, m Money, token, order string) (Transaction, error) {
	now := c.clk.Now().UTC()
	t := Transaction{ID: nonZero(out["historyid"]), OrderID: nonZero(out["orderid"]), RefCode: nonZero(out["refcode"]),
		MerchantOrderNumber: cmpOr(out["merchantordernumber"], order), Currency: m.Currency, Amount: m.Minor,
		AuthCode: out["authcode"], AvsResult: out["avsresult"], CvvResult: out["cvv2result"], Last4: out["last4digits"],
		Brand: brandOf(out["paytype"]), Duplicate: out["duplicate"] == "1", Token: token, Test: c.test, CreatedAt: now, UpdatedAt: now}
	if total, err := minorAmount(out["total"], m.Currency); err == nil && total != 0 {
		t.Amount = total // the gateway echoes the amount ("1.0" for 1.00)
	}
	op := "ProcessXML.cgi " + serviceNames[svc]
	switch out["status"] {
	case "Approved":
		switch svc {
		case serviceAuth:
			t.Status = TransactionStatusAuthorized
		case serviceSale, serviceProfileSale, serviceCapture:
			t.Status, t.CapturedAmount = TransactionStatusCaptured, t.Amount
		case serviceVoid:
			t.Status = TransactionStatusVoided
		case serviceRefund:
			t.Status, t.RefundedAmount = TransactionStatusRefunded, t.Amount
		case serviceCredit, serviceProfileCredit:
			t.Status = TransactionStatusCredited
		}
		return t, nil
	case "Declined":
		code, msg, class := parseDecline(out["result"])
		t.Status, t.DeclineCode, t.DeclineMessage, t.DeclineClass = TransactionStatusDeclined, code, msg, TransactionDeclineClass(class)
		return t, declineErr(c, op, code, msg, class, t.ID)
	}
	return t, &connectors.APIError{System: "merchant", Operation: op, Kind: connectors.ErrOutcomeUnknown,
		Message: "the gateway answered a status that is neither Approved nor Declined"}
}

// declineErr is a decline's error: ErrDeclined for a decline (class 0 or 1), a
// retryable ErrUnavailable for a gateway or network error (class 2 or 3).
func declineErr(c *Client, op, code, msg string, class DeclineClass, id string) error {
	if class.IsError() {
		return &connectors.APIError{System: "merchant", Operation: op, StatusCode: http.StatusOK, Kind: connectors.ErrUnavailable,
			Retryable: true, Code: code, Message: msg}
	}
	return &DeclineError{TransactionID: id, Code: code, Message: msg, Class: class}
}

func nonZero(s string) string {
	if s == "0" {
		return ""
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
