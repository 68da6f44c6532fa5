package merchant

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/dispatchcenter/connectors/internal/connector"
	"github.com/dispatchcenter/connectors/merchant/internal/api"
)

// Tokenize exchanges a card for a token: the only call that takes card data. The
// card number and CVV travel in this one request body and nowhere else (not in logs,
// errors, audit records or the fake's recordings).
func (c *Client) Tokenize(ctx context.Context, card Card, opts ...CallOption) (CardToken, error) {
	if err := card.check(); err != nil {
		return CardToken{}, err
	}
	key, err := idempotencyKey(opts)
	if err != nil {
		return CardToken{}, err
	}
	in := api.CardInput{Number: card.Number, ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, Cvv: card.CVV,
		HolderName: card.HolderName, PostalCode: card.PostalCode}
	return shared(ctx, c, "tokenize", opts, func() (CardToken, error) {
		return invoke(connector.Mutation(ctx, key), c, "POST /v1/tokens", map[string]string{"last4": card.Last4()}, func(ctx context.Context) (*http.Response, *CardToken, *Problem, error) {
			r, err := c.gen.CreateTokenWithResponse(ctx, &api.CreateTokenParams{IdempotencyKey: key}, in)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON201, r.ApplicationProblemJSONDefault, nil
		})
	})
}

// Authorization is a request to authorize (and optionally capture) an amount on a
// tokenized card.
type Authorization struct {
	// Token of the card (from [Client.Tokenize]); never a card number.
	Token string
	// Amount to authorize.
	Amount Money
	// OrderNumber is the dispatch center's unique reference of the sale (e.g. the
	// invoice number); the gateway's merchant_order_number.
	OrderNumber string
	// Capture captures at once (a sale) instead of only authorizing.
	Capture bool
	// Description appears on the gateway's records (no card data).
	Description string
	// CustomerReference is the dispatch center's customer id.
	CustomerReference string
	// Metadata are at most 20 key-value pairs kept with the transaction.
	Metadata map[string]string
}

var orderNumber = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Authorize authorizes a payment. Every attempt carries the same Idempotency-Key
// (generated, or the caller's [WithIdempotencyKey]), so retries after a lost answer
// never charge twice. A decline returns the declined transaction and a
// [*DeclineError] matching [ErrDeclined]. The amount, currency and order number are
// checked before the network.
func (c *Client) Authorize(ctx context.Context, a Authorization, opts ...CallOption) (Transaction, error) {
	if err := checkToken(a.Token); err != nil {
		return Transaction{}, err
	}
	if err := c.checkMoney(a.Amount); err != nil {
		return Transaction{}, err
	}
	if !orderNumber.MatchString(a.OrderNumber) {
		return Transaction{}, fmt.Errorf("%w: the order number must be 1-64 letters, digits, '.', '_' or '-'", ErrInvalid)
	}
	key, err := idempotencyKey(opts)
	if err != nil {
		return Transaction{}, err
	}
	in := api.AuthorizationRequest{Token: a.Token, Amount: a.Amount.Minor, Currency: a.Amount.Currency, MerchantOrderNumber: a.OrderNumber,
		Capture: a.Capture, Description: a.Description, CustomerReference: a.CustomerReference, Metadata: a.Metadata}
	summary := map[string]string{"order": a.OrderNumber, "amount": a.Amount.String(), "capture": strconv.FormatBool(a.Capture)}
	t, err := shared(ctx, c, "authorize", opts, func() (Transaction, error) {
		return invoke(connector.Mutation(ctx, key), c, "POST /v1/payments/authorizations", summary, func(ctx context.Context) (*http.Response, *Transaction, *Problem, error) {
			r, err := c.gen.AuthorizeWithResponse(ctx, &api.AuthorizeParams{IdempotencyKey: key}, in)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON201, r.ApplicationProblemJSONDefault, nil
		})
	})
	if err == nil && t.Status == StatusDeclined {
		return t, &DeclineError{TransactionID: t.ID, Code: t.DeclineCode, Message: t.DeclineMessage}
	}
	return t, err
}

// Capture captures an authorized payment: amount minor units of its currency, or all
// of it when amount is 0.
func (c *Client) Capture(ctx context.Context, id string, amount int64, opts ...CallOption) (Transaction, error) {
	if amount != 0 {
		if err := c.checkAmount(amount); err != nil {
			return Transaction{}, err
		}
	}
	key, err := idempotencyKey(opts)
	if err != nil {
		return Transaction{}, err
	}
	return shared(ctx, c, "capture/"+id, opts, func() (Transaction, error) {
		return invoke(connector.Mutation(ctx, key), c, "POST /v1/payments/{id}/capture", map[string]string{"transaction": id, "amount": strconv.FormatInt(amount, 10)},
			func(ctx context.Context) (*http.Response, *Transaction, *Problem, error) {
				r, err := c.gen.CaptureWithResponse(ctx, id, &api.CaptureParams{IdempotencyKey: key}, api.CaptureRequest{Amount: amount})
				if err != nil {
					return nil, nil, nil, err
				}
				return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
			})
	})
}

// Void releases an authorization that was not captured.
func (c *Client) Void(ctx context.Context, id, reason string, opts ...CallOption) (Transaction, error) {
	key, err := idempotencyKey(opts)
	if err != nil {
		return Transaction{}, err
	}
	return shared(ctx, c, "void/"+id, opts, func() (Transaction, error) {
		return invoke(connector.Mutation(ctx, key), c, "POST /v1/payments/{id}/void", map[string]string{"transaction": id},
			func(ctx context.Context) (*http.Response, *Transaction, *Problem, error) {
				r, err := c.gen.VoidWithResponse(ctx, id, &api.VoidParams{IdempotencyKey: key}, api.VoidRequest{Reason: reason})
				if err != nil {
					return nil, nil, nil, err
				}
				return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
			})
	})
}

// Refund refunds amount minor units of a captured payment, or all that is not yet
// refunded when amount is 0.
func (c *Client) Refund(ctx context.Context, id string, amount int64, reason string, opts ...CallOption) (Refund, error) {
	if amount != 0 {
		if err := c.checkAmount(amount); err != nil {
			return Refund{}, err
		}
	}
	key, err := idempotencyKey(opts)
	if err != nil {
		return Refund{}, err
	}
	return shared(ctx, c, "refund/"+id, opts, func() (Refund, error) {
		return invoke(connector.Mutation(ctx, key), c, "POST /v1/payments/{id}/refunds", map[string]string{"transaction": id, "amount": strconv.FormatInt(amount, 10)},
			func(ctx context.Context) (*http.Response, *Refund, *Problem, error) {
				r, err := c.gen.RefundWithResponse(ctx, id, &api.RefundParams{IdempotencyKey: key}, api.RefundRequest{Amount: amount, Reason: reason})
				if err != nil {
					return nil, nil, nil, err
				}
				return r.HTTPResponse, r.JSON201, r.ApplicationProblemJSONDefault, nil
			})
	})
}

// Transaction returns one transaction with its refunds.
func (c *Client) Transaction(ctx context.Context, id string) (Transaction, error) {
	return invoke(ctx, c, "GET /v1/transactions/{id}", map[string]string{"transaction": id},
		func(ctx context.Context) (*http.Response, *Transaction, *Problem, error) {
			r, err := c.gen.GetTransactionWithResponse(ctx, id)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// TransactionFilter narrows [Client.Transactions]; zero fields do not filter.
type TransactionFilter struct {
	// From and To bound the creation time (From inclusive, To exclusive).
	From, To time.Time
	Status   TransactionStatus
	// OrderNumber finds the transactions of one sale (e.g. to reconcile after a
	// failure whose outcome is unknown).
	OrderNumber string
	// PageSize per request (default 100, at most 500).
	PageSize int
}

// Transactions lists transactions oldest first, page by page.
func (c *Client) Transactions(ctx context.Context, f TransactionFilter) iter.Seq2[Transaction, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Transaction, string, error) {
		p, err := invoke(ctx, c, "GET /v1/transactions", nil, func(ctx context.Context) (*http.Response, *api.TransactionPage, *Problem, error) {
			r, err := c.gen.ListTransactionsWithResponse(ctx, &api.ListTransactionsParams{Cursor: connector.Opt(cursor), Limit: connector.Opt(f.PageSize),
				CreatedFrom: connector.OptTime(f.From), CreatedTo: connector.OptTime(f.To), Status: connector.Opt(f.Status), MerchantOrderNumber: connector.Opt(f.OrderNumber)})
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
		return p.Data, p.NextCursor, err
	})
}
