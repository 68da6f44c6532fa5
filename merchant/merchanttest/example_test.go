package merchanttest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors/internal/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

// A fake gateway for a test: its Config carries a client certificate its CA signed,
// and a fault after commit shows that a retried authorization is charged once.
func ExampleNewServer() {
	tb := &fakekit.ExampleTB{}
	defer tb.Stop()
	srv := merchanttest.NewServer(tb, merchanttest.WithHistory(0))
	c, _ := merchant.New(srv.Config())
	defer c.Close()
	ctx := context.Background()

	tok, _ := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 1, ExpYear: 2040})
	srv.Fail(merchanttest.Fault{Match: "authorize", After: true, Reset: true}) // committed, then the answer is lost
	tx, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: merchant.Money{Minor: 4200, Currency: "USD"}, OrderNumber: "INV-1"})
	fmt.Println(tx.Status, err, srv.Payments())

	tok, _ = c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardInsufficientFunds, ExpMonth: 1, ExpYear: 2040})
	_, err = c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: merchant.Money{Minor: 4200, Currency: "USD"}, OrderNumber: "INV-2"})
	fmt.Println(errors.Is(err, merchant.ErrDeclined))
	// Output:
	// authorized <nil> 1
	// true
}
