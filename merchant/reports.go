package merchant

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/merchant/internal/api"
)

func day(t time.Time) openapi_types.Date {
	return openapi_types.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// Settlement returns the settlement batch of one business day (the date of d in its
// location) with its totals per currency; the lines come from [Client.SettlementLines].
func (c *Client) Settlement(ctx context.Context, d time.Time) (Settlement, error) {
	date := day(d)
	return invoke(ctx, c, "GET /v1/settlements/{date}", map[string]string{"date": date.String()},
		func(ctx context.Context) (*http.Response, *Settlement, *Problem, error) {
			r, err := c.gen.GetSettlementWithResponse(ctx, date)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// SettlementLines streams the lines of one business day's batch, page by page (500
// per request), so a day of any size is reconciled in constant memory.
func (c *Client) SettlementLines(ctx context.Context, d time.Time) iter.Seq2[SettlementLine, error] {
	date := day(d)
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]SettlementLine, string, error) {
		p, err := invoke(ctx, c, "GET /v1/settlements/{date}/lines", map[string]string{"date": date.String()},
			func(ctx context.Context) (*http.Response, *api.SettlementLinePage, *Problem, error) {
				r, err := c.gen.ListSettlementLinesWithResponse(ctx, date, &api.ListSettlementLinesParams{Cursor: connector.Opt(cursor), Limit: connector.Opt(500)})
				if err != nil {
					return nil, nil, nil, err
				}
				return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
			})
		return p.Data, p.NextCursor, err
	})
}

// ChargebackFilter narrows [Client.Chargebacks]; zero fields do not filter.
type ChargebackFilter struct {
	// Since keeps chargebacks received or changed at or after it.
	Since  time.Time
	Status ChargebackStatus
}

// Chargebacks lists chargebacks oldest first, page by page.
func (c *Client) Chargebacks(ctx context.Context, f ChargebackFilter) iter.Seq2[Chargeback, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Chargeback, string, error) {
		p, err := invoke(ctx, c, "GET /v1/chargebacks", nil, func(ctx context.Context) (*http.Response, *api.ChargebackPage, *Problem, error) {
			r, err := c.gen.ListChargebacksWithResponse(ctx, &api.ListChargebacksParams{Cursor: connector.Opt(cursor), Since: connector.OptTime(f.Since), Status: connector.Opt(f.Status)})
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
		return p.Data, p.NextCursor, err
	})
}

// Chargeback returns one chargeback.
func (c *Client) Chargeback(ctx context.Context, id string) (Chargeback, error) {
	return invoke(ctx, c, "GET /v1/chargebacks/{id}", map[string]string{"chargeback": id},
		func(ctx context.Context) (*http.Response, *Chargeback, *Problem, error) {
			r, err := c.gen.GetChargebackWithResponse(ctx, id)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// AcceptChargeback accepts an open chargeback: the amount stays with the cardholder.
func (c *Client) AcceptChargeback(ctx context.Context, id string, opts ...CallOption) (Chargeback, error) {
	return c.respond(ctx, id, api.ChargebackResponse{Action: api.ChargebackResponseActionAccept}, opts)
}

// DisputeChargeback disputes an open chargeback with evidence (at most 10 000
// characters; no card data), before its RespondBy time.
func (c *Client) DisputeChargeback(ctx context.Context, id, evidence string, opts ...CallOption) (Chargeback, error) {
	if evidence == "" || len(evidence) > 10000 {
		return Chargeback{}, fmt.Errorf("merchant: a dispute needs evidence of at most 10 000 characters: %w", connectors.ErrInvalidRequest)
	}
	return c.respond(ctx, id, api.ChargebackResponse{Action: api.ChargebackResponseActionDispute, Evidence: evidence}, opts)
}

func (c *Client) respond(ctx context.Context, id string, in api.ChargebackResponse, opts []CallOption) (Chargeback, error) {
	key, err := idempotencyKey(opts)
	if err != nil {
		return Chargeback{}, err
	}
	return shared(ctx, c, "chargeback/"+id, opts, func() (Chargeback, error) {
		return invoke(connector.Mutation(ctx, key), c, "POST /v1/chargebacks/{id}/response", map[string]string{"chargeback": id, "action": string(in.Action)},
			func(ctx context.Context) (*http.Response, *Chargeback, *Problem, error) {
				r, err := c.gen.RespondToChargebackWithResponse(ctx, id, &api.RespondToChargebackParams{IdempotencyKey: key}, in)
				if err != nil {
					return nil, nil, nil, err
				}
				return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
			})
	})
}

// FraudAlerts lists the fraud alerts raised at or after since (all when zero),
// oldest first.
func (c *Client) FraudAlerts(ctx context.Context, since time.Time) iter.Seq2[FraudAlert, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]FraudAlert, string, error) {
		p, err := invoke(ctx, c, "GET /v1/fraud-alerts", nil, func(ctx context.Context) (*http.Response, *api.FraudAlertPage, *Problem, error) {
			r, err := c.gen.ListFraudAlertsWithResponse(ctx, &api.ListFraudAlertsParams{Cursor: connector.Opt(cursor), Since: connector.OptTime(since)})
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
		return p.Data, p.NextCursor, err
	})
}

// Transaction returns one transaction, as the reporting contract reports it, with
// its refunds.
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
