package merchanttest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

// A fake gateway for a test: its Config names the XML interface and the test
// account, and a fault after commit shows that a retried sale is charged once (the
// repeat is answered as a duplicate of the original).
func ExampleNewServer() {
	srv, err := merchanttest.New(merchanttest.WithHistory(0)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := merchant.New(srv.Config())
	defer c.Close()
	ctx := context.Background()

	tok, _ := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 1, ExpYear: 2040})
	srv.Fail(merchanttest.Fault{Match: "profilesale", After: true, Reset: true}) // committed, then the answer is lost
	tx, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 4200, Currency: "USD"}, OrderNumber: "INV-1"})
	fmt.Println(tx.Status, tx.Duplicate, err, srv.Payments())

	tok, _ = c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardDeclined, ExpMonth: 1, ExpYear: 2040})
	_, err = c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 4200, Currency: "USD"}, OrderNumber: "INV-2"})
	fmt.Println(errors.Is(err, merchant.ErrDeclined))
	// Output:
	// captured true <nil> 1
	// true
}
