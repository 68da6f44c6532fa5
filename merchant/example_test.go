package merchant_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors/internal/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

// Taking a payment at job completion: the card is tokenized once, then only the
// token travels. The order number is the dispatch center's invoice; the idempotency
// key makes the call safe to repeat after a crash, from any replica.
func ExampleClient_Authorize() {
	tb := &fakekit.ExampleTB{}
	defer tb.Stop()
	srv := merchanttest.NewServer(tb, merchanttest.WithHistory(0))
	c, err := merchant.New(srv.Config()) // OAuth 2.0 over mutual TLS 1.3
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()

	card := merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2035, CVV: "123"}
	fmt.Println(card) // a Card prints masked
	tok, err := c.Tokenize(ctx, card)
	if err != nil {
		panic(err)
	}
	tx, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: merchant.Money{Minor: 18950, Currency: "USD"},
		OrderNumber: "INV-2026-0042"}, merchant.WithIdempotencyKey("job-7731-payment"))
	fmt.Println(tx.Status, tx.Amount, err)
	tx, err = c.Capture(ctx, tx.ID, 0)
	fmt.Println(tx.Status, tx.CapturedAmount, err)

	declined, _ := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardDeclined, ExpMonth: 12, ExpYear: 2035})
	_, err = c.Authorize(ctx, merchant.Authorization{Token: declined.Token, Amount: merchant.Money{Minor: 5000, Currency: "USD"}, OrderNumber: "INV-2026-0043"})
	var de *merchant.DeclineError
	fmt.Println(errors.Is(err, merchant.ErrDeclined), errors.As(err, &de) && de.Code == "invalid_account_number")

	_, err = c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: merchant.Money{Minor: 5000, Currency: "EUR"}, OrderNumber: "INV-2026-0044"})
	fmt.Println(errors.Is(err, merchant.ErrInvalid), "(refused before the network)")
	// Output:
	// card ****6781 exp 12/2035
	// authorized 18950 <nil>
	// captured 18950 <nil>
	// true true
	// true (refused before the network)
}

// Reconciling a business day: the batch's totals, then its lines streamed page by
// page.
func ExampleClient_SettlementLines() {
	tb := &fakekit.ExampleTB{}
	defer tb.Stop()
	srv := merchanttest.NewServer(tb, merchanttest.WithHistory(3))
	c, _ := merchant.New(srv.Config())
	defer c.Close()
	ctx := context.Background()
	day := srv.Now().AddDate(0, 0, -2)

	batch, err := c.Settlement(ctx, day)
	if err != nil {
		panic(err)
	}
	var net int64
	n := 0
	for line, err := range c.SettlementLines(ctx, day) {
		if err != nil {
			panic(err)
		}
		if line.Currency == "USD" {
			net += line.Net
		}
		n++
	}
	fmt.Println(batch.Status, n == batch.LineCount, net == usdNet(batch))
	// Output: settled true true
}

func usdNet(s merchant.Settlement) int64 {
	for _, t := range s.Totals {
		if t.Currency == "USD" {
			return t.Net
		}
	}
	return 0
}
