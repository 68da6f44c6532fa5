package merchant

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// day is the business day of t (its date in its location), in the contract's date
// format (YYYY-MM-DD).
func day(t time.Time) string { return t.Format(time.DateOnly) }

// Settlement returns the settlement batch of one business day (the date of d in its
// location) with its totals per currency; the lines come from [Client.SettlementLines].
func (c *Client) Settlement(ctx context.Context, d time.Time) (Settlement, error) {
	date := day(d)
	return invoke[Settlement](ctx, c, connector.Request{Op: "GET /v1/settlements/{date}", Params: []string{date},
		Summary: map[string]string{"date": date}})
}

// SettlementLines streams the lines of one business day's batch, page by page (500
// per request), so a day of any size is reconciled in constant memory.
func (c *Client) SettlementLines(ctx context.Context, d time.Time) iter.Seq2[SettlementLine, error] {
	date := day(d)
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]SettlementLine, string, error) {
		p, err := invoke[SettlementLinePage](ctx, c, connector.Request{Op: "GET /v1/settlements/{date}/lines", Params: []string{date},
			Query: connector.Query("cursor", cursor, "limit", "500"), Summary: map[string]string{"date": date}})
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
		p, err := invoke[ChargebackPage](ctx, c, connector.Request{Op: "GET /v1/chargebacks",
			Query: connector.Query("cursor", cursor, "since", connector.Time(f.Since), "status", string(f.Status))})
		return p.Data, p.NextCursor, err
	})
}

// Chargeback returns one chargeback.
func (c *Client) Chargeback(ctx context.Context, id string) (Chargeback, error) {
	return invoke[Chargeback](ctx, c, connector.Request{Op: "GET /v1/chargebacks/{id}", Params: []string{id},
		Summary: map[string]string{"chargeback": id}})
}

// AcceptChargeback accepts an open chargeback: the amount stays with the cardholder.
func (c *Client) AcceptChargeback(ctx context.Context, id string, opts ...CallOption) (Chargeback, error) {
	return c.respond(ctx, id, ChargebackResponse{Action: ChargebackResponseActionAccept}, opts)
}

// DisputeChargeback disputes an open chargeback with evidence (at most 10 000
// characters; no card data), before its RespondBy time.
func (c *Client) DisputeChargeback(ctx context.Context, id, evidence string, opts ...CallOption) (Chargeback, error) {
	if evidence == "" || len(evidence) > 10000 {
		return Chargeback{}, fmt.Errorf("merchant: a dispute needs evidence of at most 10 000 characters: %w", connectors.ErrInvalidRequest)
	}
	return c.respond(ctx, id, ChargebackResponse{Action: ChargebackResponseActionDispute, Evidence: evidence}, opts)
}

func (c *Client) respond(ctx context.Context, id string, in ChargebackResponse, opts []CallOption) (Chargeback, error) {
	key, err := idempotencyKey(opts)
	if err != nil {
		return Chargeback{}, err
	}
	return shared(ctx, c, "chargeback/"+id, opts, func() (Chargeback, error) {
		return invoke[Chargeback](connector.Mutation(ctx, key), c, connector.Request{Op: "POST /v1/chargebacks/{id}/response",
			Params: []string{id}, Header: connector.Headers("Idempotency-Key", key), Body: in,
			Summary: map[string]string{"chargeback": id, "action": string(in.Action)}})
	})
}

// FraudAlerts lists the fraud alerts raised at or after since (all when zero),
// oldest first.
func (c *Client) FraudAlerts(ctx context.Context, since time.Time) iter.Seq2[FraudAlert, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]FraudAlert, string, error) {
		p, err := invoke[FraudAlertPage](ctx, c, connector.Request{Op: "GET /v1/fraud-alerts",
			Query: connector.Query("cursor", cursor, "since", connector.Time(since))})
		return p.Data, p.NextCursor, err
	})
}

// Transaction returns one transaction, as the reporting contract reports it, with
// its refunds.
func (c *Client) Transaction(ctx context.Context, id string) (Transaction, error) {
	return invoke[Transaction](ctx, c, connector.Request{Op: "GET /v1/transactions/{id}", Params: []string{id},
		Summary: map[string]string{"transaction": id}})
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
		p, err := invoke[TransactionPage](ctx, c, connector.Request{Op: "GET /v1/transactions",
			Query: connector.Query("cursor", cursor, "limit", connector.Int(f.PageSize), "created_from", connector.Time(f.From),
				"created_to", connector.Time(f.To), "status", string(f.Status), "merchant_order_number", f.OrderNumber)})
		return p.Data, p.NextCursor, err
	})
}
