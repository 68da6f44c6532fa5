package merchant_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

// Taking a payment at job completion through the gateway's XML interface: the card
// is stored once as a profile, then only its token travels. The order number is the
// dispatch center's invoice: one payment keeps it across every retry, and the
// gateway's duplicate detection answers a repeat with the original. Capture and
// refund name the transaction by its historyid.
func ExampleClient_Sale() {
	srv, err := merchanttest.New(merchanttest.WithHistory(0)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, err := merchant.New(srv.Config()) // account TEST0 and its merchant PIN
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
	tx, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 18950, Currency: "USD"}, OrderNumber: "INV-2026-0042"})
	fmt.Println(tx.Status, tx.Amount, tx.AuthCode, err)
	again, _ := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 18950, Currency: "USD"}, OrderNumber: "INV-2026-0042"})
	fmt.Println(again.ID == tx.ID, again.Duplicate, "(a repeat is the original)")
	rf, err := c.Refund(ctx, tx.ID, merchant.Money{Minor: 2000, Currency: "USD"}, merchant.WithOrderNumber("INV-2026-0042-R1"))
	fmt.Println(rf.Status, rf.Amount, err)

	declined, _ := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardDeclined, ExpMonth: 12, ExpYear: 2035})
	_, err = c.Sale(ctx, merchant.Payment{Token: declined.Token, Amount: merchant.Money{Minor: 5000, Currency: "USD"}, OrderNumber: "INV-2026-0043"})
	var de *merchant.DeclineError
	fmt.Println(errors.Is(err, merchant.ErrDeclined), errors.As(err, &de) && de.Code == "1102140001", de.Message)

	_, err = c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: merchant.Money{Minor: 5000, Currency: "EUR"}, OrderNumber: "INV-2026-0044"})
	fmt.Println(errors.Is(err, connectors.ErrInvalidRequest), "(refused before the network)")
	// Output:
	// card ****6781 exp 12/2035
	// captured 18950 TEST <nil>
	// true true (a repeat is the original)
	// refunded 2000 <nil>
	// true true Invalid account number
	// true (refused before the network)
}

// Authorizing first, capturing when the job is done: one-shot use of a card, without
// storing it.
func ExampleClient_Authorize() {
	srv, err := merchanttest.New(merchanttest.WithHistory(0)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c, _ := merchant.New(srv.Config())
	defer c.Close()
	ctx := context.Background()
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2035, CVV: "123", HolderName: "Pat Doe"}
	auth, err := c.Authorize(ctx, merchant.Payment{Card: card, Amount: merchant.Money{Minor: 30000, Currency: "USD"}, OrderNumber: "INV-2026-0050"})
	fmt.Println(auth.Status, auth.AvsResult, auth.CvvResult, err)
	tx, err := c.Capture(ctx, auth.ID, merchant.Money{Minor: 27500, Currency: "USD"}, merchant.WithOrderNumber("INV-2026-0050"))
	fmt.Println(tx.Status, tx.CapturedAmount, err)
	// Output:
	// authorized N U <nil>
	// captured 27500 <nil>
}

// Reconciling a business day: the batch's totals, then its lines streamed page by
// page.
func ExampleClient_SettlementLines() {
	srv, err := merchanttest.New(merchanttest.WithHistory(3)) // a fake outside a test; in a test, NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
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
