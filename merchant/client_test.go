package merchant_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/internal/testcert"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/resilience"
)

// The CVVs the suite sends: 4 digits, so that they cannot be mistaken for parts of
// timestamps or ids when the suite's logs are searched for them.
const (
	cvv     = "9731"
	cvvAmex = "8264"
)

// suiteLog captures what every client of this suite logs (at debug level) and every
// audit event, for the check in TestMain that no card data ever reached them.
var suiteLog = struct {
	sync.Mutex
	bytes.Buffer
}{}

type lockedWriter struct{}

func (lockedWriter) Write(p []byte) (int, error) {
	suiteLog.Lock()
	defer suiteLog.Unlock()
	return suiteLog.Write(p)
}

var (
	logger  = slog.New(slog.NewJSONHandler(lockedWriter{}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	auditor = connectors.AuditFunc(func(_ context.Context, ev connectors.AuditEvent) {
		b, _ := json.Marshal(map[string]any{"op": ev.Operation, "summary": ev.Summary, "status": ev.StatusCode, "err": fmt.Sprint(ev.Err), "class": ev.Class})
		_, _ = lockedWriter{}.Write(append(b, '\n'))
	})
	cards = []string{merchanttest.CardApproved, merchanttest.CardDeclined, merchanttest.CardApprovedMastercard, amex}
)

const amex = "378282246310005"

func TestMain(m *testing.M) {
	code := m.Run()
	out := suiteLog.String()
	if strings.Contains(out, merchanttest.MerchantPIN) {
		fmt.Fprintln(os.Stderr, "FAIL: the merchant PIN in the suite's logs or audit records")
		code = 1
	}
	if leaks := cardData(out); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: card data in the suite's logs or audit records: %v\n", leaks)
		code = 1
	} else if len(out) == 0 && flag.Lookup("test.run").Value.String() == "" {
		fmt.Fprintln(os.Stderr, "FAIL: the whole suite logged nothing: the card-data check would be vacuous")
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// cardData returns the card numbers and CVVs found in s (a CVV standing alone, not
// inside a longer number or after a decimal point).
func cardData(s string) []string {
	var found []string
	for _, n := range cards {
		if strings.Contains(s, n) {
			found = append(found, "card "+n[len(n)-4:])
		}
	}
	for _, v := range []string{cvv, cvvAmex} {
		if regexp.MustCompile(`(^|[^0-9.])` + v + `([^0-9]|$)`).MatchString(s) {
			found = append(found, "cvv")
		}
	}
	return found
}

// noBreaker is Critical without the breaker, for tests that inject more failures than
// the breaker lets through (that it opens is tested in resilience), and with room for
// all 5 waits whatever the jitter draws.
func noBreaker() resilience.Policy {
	p := resilience.Critical()
	p.Breaker = resilience.BreakerPolicy{}
	p.Timeout = 5 * time.Minute
	return p
}

func newClient(t testing.TB, srv *merchanttest.Server, opts ...merchant.Option) *merchant.Client {
	t.Helper()
	all := append([]merchant.Option{merchant.WithClock(clock.NewFake(time.Now())), merchant.WithLogger(logger), merchant.WithAuditor(auditor)}, opts...)
	c, err := merchant.New(srv.Config(), all...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func tokenize(t *testing.T, c *merchant.Client, number string) merchant.CardToken {
	t.Helper()
	tok, err := c.Tokenize(context.Background(), merchant.Card{Number: number, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVV: cvv, HolderName: "Pat Doe"})
	require.NoError(t, err)
	return tok
}

func usd(minor int64) merchant.Money { return merchant.Money{Minor: minor, Currency: "USD"} }

func TestConfig(t *testing.T) {
	_, err := merchant.New(merchant.Config{BaseURL: "https://reports.example.com", Currencies: []string{"usd", "ABC", "HRK", "EUR"}, MinAmount: 10, MaxAmount: 5})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), `"EUR"`)
	for _, f := range []string{"AccountID", "ClientID", "ClientSecret", "client certificate", `"usd"`, `"ABC"`, `"HRK" was withdrawn on 2023-01-01 (replaced by EUR)`, "MinAmount"} {
		assert.Contains(t, err.Error(), f)
	}
	_, err = merchant.New(merchant.Config{AccountID: merchant.TestAccount, GatewayURL: "http://trans.example.com/cgi-bin/ProcessXML.cgi"})
	assert.ErrorContains(t, err, "plain http", "the merchant PIN never travels in clear to a real host")
	c, err := merchant.New(merchant.Config{AccountID: merchant.TestAccount, MerchantPIN: "1"})
	require.NoError(t, err, "the XML interface alone needs only the account")
	t.Cleanup(c.Close)
	_, err = c.Transaction(context.Background(), "398000001")
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "no reporting contract: no reports")
}

// capture records the request bodies a client sends (raw: card data included), for
// the tests that assert the bytes on the wire.
type capture struct {
	t    *http.Transport
	mu   sync.Mutex
	sent []string
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		c.mu.Lock()
		c.sent = append(c.sent, string(b))
		c.mu.Unlock()
	}
	return c.t.RoundTrip(r)
}

func (c *capture) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent[len(c.sent)-1]
}

// xmlClient is a client of the fake's XML interface whose requests are captured.
func xmlClient(t *testing.T, srv *merchanttest.Server) (*merchant.Client, *capture) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: srv.CAPool()}}
	t.Cleanup(tr.CloseIdleConnections)
	cp := &capture{t: tr}
	cfg := srv.Config()
	cfg.BaseURL = "" // the XML interface only
	c, err := merchant.New(cfg, merchant.WithHTTPClient(&http.Client{Transport: cp}), merchant.WithClock(clock.NewFake(time.Now())),
		merchant.WithLogger(logger), merchant.WithAuditor(auditor))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c, cp
}

// wire is a request of the XML interface with its inputs in order.
func wire(inputs string) string {
	return `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<interface_driver><trans_catalog><transaction name="creditcard"><inputs>` + inputs +
		`<acctid>TEST0</acctid><merchantpin>` + merchanttest.MerchantPIN + `</merchantpin>` +
		`</inputs></transaction></trans_catalog></interface_driver>`
}

// TestWireRequests drives every service code against the fake and asserts the bytes
// sent: ActiveMerchant's element names and order (the invoice, the payment method,
// the customer, then acctid, merchantpin and service), amounts in decimal units,
// the credentials once.
func TestWireRequests(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c, cp := xmlClient(t, srv)
	ctx := context.Background()
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 9, ExpYear: 2031, CVV: cvv, HolderName: "Pat Doe", PostalCode: "M5H 2N2"}
	cardXML := `<ccname>Pat Doe</ccname><ccnum>` + merchanttest.CardApproved + `</ccnum><cvv2>` + cvv + `</cvv2><expmon>09</expmon><expyear>2031</expyear>`
	svc := func(inputs, code string) string {
		return strings.Replace(wire(inputs), `</merchantpin>`, `</merchantpin><service>`+code+`</service>`, 1)
	}
	tok, err := c.Tokenize(ctx, *card)
	require.NoError(t, err)
	assert.Equal(t, svc(cardXML+`<bilzip>M5H 2N2</bilzip><profileactiontype>3</profileactiontype>`, "7"), cp.last(), "store (7)")
	assert.Regexp(t, `^\d+\|6781$`, tok.Token, "the token is the profile id and the last four, never the card")
	id, _, _ := strings.Cut(tok.Token, "|")
	auth, err := c.Authorize(ctx, merchant.Payment{Card: card, Amount: usd(100), OrderNumber: "W-1", Email: "pat@example.com", IPAddress: "203.0.113.9"})
	require.NoError(t, err)
	cases := []struct {
		name string
		call func() (merchant.Transaction, error)
		want string
	}{
		{"auth (1)", func() (merchant.Transaction, error) { return auth, nil },
			svc(`<amount>1.00</amount><merchantordernumber>W-1</merchantordernumber><currency>USD</currency>`+cardXML+
				`<email>pat@example.com</email><ipaddress>203.0.113.9</ipaddress><bilzip>M5H 2N2</bilzip>`, "1")},
		{"sale (2)", func() (merchant.Transaction, error) {
			return c.Sale(ctx, merchant.Payment{Card: card, Amount: usd(18950), OrderNumber: "W-2"})
		}, svc(`<amount>189.50</amount><merchantordernumber>W-2</merchantordernumber><currency>USD</currency>`+cardXML+`<bilzip>M5H 2N2</bilzip>`, "2")},
		{"capture (3)", func() (merchant.Transaction, error) {
			return c.Capture(ctx, auth.ID, usd(100), merchant.WithOrderNumber("W-1"))
		}, svc(`<amount>1.00</amount><merchantordernumber>W-1</merchantordernumber><currency>USD</currency><historykeyid>`+auth.ID+`</historykeyid>`, "3")},
		{"refund (4)", func() (merchant.Transaction, error) {
			return c.Refund(ctx, auth.ID, usd(60), merchant.WithOrderNumber("W-1-R1"))
		}, svc(`<amount>0.60</amount><merchantordernumber>W-1-R1</merchantordernumber><currency>USD</currency><historykeyid>`+auth.ID+`</historykeyid>`, "4")},
		{"credit (6)", func() (merchant.Transaction, error) {
			return c.Credit(ctx, merchant.Payment{Card: card, Amount: merchant.Money{Minor: 2500, Currency: "CAD"}, OrderNumber: "W-6"})
		}, svc(`<amount>25.00</amount><merchantordernumber>W-6</merchantordernumber><currency>CAD</currency>`+cardXML+`<bilzip>M5H 2N2</bilzip>`, "6")},
		{"sale on a profile (8)", func() (merchant.Transaction, error) {
			return c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(5000), OrderNumber: "W-8"})
		}, svc(`<amount>50.00</amount><merchantordernumber>W-8</merchantordernumber><currency>USD</currency><userprofileid>`+id+`</userprofileid><last4digits>6781</last4digits>`, "8")},
		{"credit on a profile (13)", func() (merchant.Transaction, error) {
			return c.Credit(ctx, merchant.Payment{Token: tok.Token, Amount: usd(700), OrderNumber: "W-13"})
		}, svc(`<amount>7.00</amount><merchantordernumber>W-13</merchantordernumber><currency>USD</currency><userprofileid>`+id+`</userprofileid><last4digits>6781</last4digits>`, "13")},
		{"void (5)", func() (merchant.Transaction, error) {
			sale, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(900), OrderNumber: "W-5"})
			require.NoError(t, err)
			v, err := c.Void(ctx, sale.ID)
			auth.ID = sale.ID // for the want below
			return v, err
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := tc.call()
			require.NoError(t, err)
			assert.NotEmpty(t, tx.ID)
			want := tc.want
			if want == "" {
				want = svc(`<historykeyid>`+auth.ID+`</historykeyid>`, "5")
			}
			assert.Equal(t, want, cp.last())
			assert.Equal(t, 1, strings.Count(cp.last(), "<acctid>"), "the credentials once")
		})
	}
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Body, merchanttest.CardApproved, "the fake records no card number")
		assert.NotContains(t, r.Body, "<merchantpin>"+merchanttest.MerchantPIN, "nor the PIN")
	}
}

// stubAnswer serves one answer of the XML interface.
func stubAnswer(t *testing.T, body string) *merchant.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := merchant.New(merchant.Config{AccountID: merchant.TestAccount, MerchantPIN: "1", GatewayURL: srv.URL + "/cgi-bin/ProcessXML.cgi"},
		merchant.WithHTTPClient(&http.Client{Transport: tr}), merchant.WithPolicy(noRetry()), merchant.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func noRetry() resilience.Policy {
	p := resilience.Critical()
	p.Retry.MaxRetries = 0
	p.Breaker = resilience.BreakerPolicy{}
	return p
}

// TestAnswerShapes: every answer shape the XML interface is known to give (approved
// and declined for each action, a stored profile; HTML-escaped, with leading spaces)
// parses into the typed result. A decline is ErrDeclined with its code, message and
// class, not retryable; a gateway error (class 3) is a retryable ErrUnavailable.
func TestAnswerShapes(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/answers/" + name)
		require.NoError(t, err)
		return string(b)
	}
	ctx := context.Background()
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 9, ExpYear: 2031, CVV: cvv}
	type want struct {
		id, order, auth, avs, cvv, last4 string
		status                           merchant.TransactionStatus
		amount                           int64
		code, message                    string
		class                            merchant.DeclineClass
	}
	cases := []struct {
		file string
		call func(c *merchant.Client) (merchant.Transaction, error)
		want want
	}{
		{"sale-approved.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Sale(ctx, merchant.Payment{Card: card, Amount: usd(18950), OrderNumber: "SR-000042"})
		}, want{id: "401100001", order: "290100001", auth: "TEST", avs: "N", cvv: "U", last4: "6781", status: merchant.TransactionStatusCaptured, amount: 18950}},
		{"sale-declined.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Sale(ctx, merchant.Payment{Card: card, Amount: usd(5000), OrderNumber: "SR-000043"})
		}, want{id: "401100002", order: "290100002", last4: "6782", status: merchant.TransactionStatusDeclined, amount: 5000,
			code: "1102140001", message: "Invalid account number", class: merchant.GatewayDeclined}},
		{"auth-approved.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Authorize(ctx, merchant.Payment{Card: card, Amount: usd(100), OrderNumber: "SR-000044"})
		}, want{id: "401100003", order: "290100003", auth: "TEST", avs: "N", cvv: "U", last4: "6781", status: merchant.TransactionStatusAuthorized, amount: 100}},
		{"capture-approved.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Capture(ctx, "401100003", usd(100))
		}, want{id: "401100004", order: "290100003", auth: "TEST", last4: "6781", status: merchant.TransactionStatusCaptured, amount: 100}},
		{"capture-declined.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Capture(ctx, "401199999", usd(100))
		}, want{status: merchant.TransactionStatusDeclined, amount: 100, code: "1102010009", message: "Missing account number", class: merchant.GatewayDeclined}},
		{"void-approved.xml", func(c *merchant.Client) (merchant.Transaction, error) { return c.Void(ctx, "401100003") },
			// a void names no currency: its echoed total cannot be read as minor units
			want{id: "401100005", order: "290100003", auth: "TEST", last4: "6781", status: merchant.TransactionStatusVoided, amount: 0}},
		{"refund-approved.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Refund(ctx, "401100001", usd(2000))
		}, want{id: "401100006", order: "290100001", auth: "TEST", last4: "6781", status: merchant.TransactionStatusRefunded, amount: 2000}},
		{"refund-declined.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Refund(ctx, "401199999", usd(2000))
		}, want{status: merchant.TransactionStatusDeclined, amount: 2000, code: "1101700009", message: "Missing account number", class: merchant.GatewayDeclined}},
		{"credit-approved.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Credit(ctx, merchant.Payment{Card: card, Amount: usd(100), OrderNumber: "GOODWILL-7"})
		}, want{id: "401100007", order: "290100007", auth: "TEST", last4: "6781", status: merchant.TransactionStatusCredited, amount: 100}},
		{"credit-declined.xml", func(c *merchant.Client) (merchant.Transaction, error) {
			return c.Credit(ctx, merchant.Payment{Card: card, Amount: usd(100), OrderNumber: "GOODWILL-8"})
		}, want{id: "401100008", order: "290100008", last4: "6782", status: merchant.TransactionStatusDeclined, amount: 100,
			code: "1102140001", message: "Invalid account number", class: merchant.GatewayDeclined}},
	}
	for _, q := range []struct {
		name string
		mod  func(string) string
	}{
		{"as sent", func(s string) string { return s }},
		{"HTML-escaped", html.EscapeString},
		{"leading spaces", func(s string) string { return "   \n  " + s }},
	} {
		for _, tc := range cases {
			t.Run(q.name+"/"+tc.file, func(t *testing.T) {
				tx, err := tc.call(stubAnswer(t, q.mod(read(tc.file))))
				w := tc.want
				if w.code != "" {
					require.ErrorIs(t, err, merchant.ErrDeclined)
					var de *merchant.DeclineError
					require.ErrorAs(t, err, &de)
					assert.Equal(t, w.code, de.Code)
					assert.Equal(t, w.message, de.Message)
					assert.Equal(t, w.class, de.Class)
					assert.Equal(t, w.id, de.TransactionID)
					var ae *connectors.APIError
					assert.False(t, errors.As(err, &ae) && ae.Retryable, "a decline is never retryable")
					assert.EqualValues(t, w.class, tx.DeclineClass)
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, w.id, tx.ID)
				assert.Equal(t, w.order, tx.OrderID)
				assert.Equal(t, w.auth, tx.AuthCode)
				assert.Equal(t, w.avs, tx.AvsResult)
				assert.Equal(t, w.cvv, tx.CvvResult)
				assert.Equal(t, w.last4, tx.Last4)
				assert.Equal(t, w.status, tx.Status)
				assert.Equal(t, w.amount, tx.Amount, "the echoed total, read exactly")
				assert.False(t, tx.Duplicate)
				assert.True(t, tx.Test, "TEST0")
			})
		}
		t.Run(q.name+"/store", func(t *testing.T) {
			tok, err := stubAnswer(t, q.mod(read("store-approved.xml"))).Tokenize(ctx, *card)
			require.NoError(t, err)
			assert.Equal(t, "18811001|6781", tok.Token)
			_, err = stubAnswer(t, q.mod(read("store-declined.xml"))).Tokenize(ctx, *card)
			var de *merchant.DeclineError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "Live Transactions Not Allowed", de.Message)
			assert.Equal(t, merchant.GatewayDeclined, de.Class, "1000390009: a gateway decline")
		})
	}
	t.Run("a gateway error is retryable", func(t *testing.T) {
		_, err := stubAnswer(t, read("void-declined.xml")).Void(ctx, "0")
		require.ErrorIs(t, err, connectors.ErrUnavailable, "3101810001: class 3, a gateway error")
		assert.NotErrorIs(t, err, merchant.ErrDeclined)
		var ae *connectors.APIError
		require.ErrorAs(t, err, &ae)
		assert.True(t, ae.Retryable)
		assert.Equal(t, "3101810001", ae.Code)
	})
	t.Run("an answer that is not the outputs", func(t *testing.T) {
		_, err := stubAnswer(t, "<html><body>Service Unavailable</body></html>").Sale(ctx, merchant.Payment{Card: card, Amount: usd(100), OrderNumber: "X-1"})
		require.ErrorIs(t, err, connectors.ErrOutcomeUnknown, "a payment whose answer does not read may have happened")
	})
}

func TestPaymentLifecycle(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	ctx := context.Background()

	tok := tokenize(t, c, merchanttest.CardApproved)
	assert.Equal(t, "6781", tok.Last4)
	assert.EqualValues(t, "visa", tok.Brand)
	assert.NotContains(t, tok.Token, merchanttest.CardApproved)

	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVV: cvv, HolderName: "Pat Doe"}
	auth, err := c.Authorize(ctx, merchant.Payment{Card: card, Amount: usd(12550), OrderNumber: "INV-1001"})
	require.NoError(t, err)
	assert.Equal(t, merchant.TransactionStatusAuthorized, auth.Status)
	assert.EqualValues(t, 12550, auth.Amount)
	assert.Equal(t, "TEST", auth.AuthCode)
	assert.True(t, auth.Test, "test mode is visible on every transaction")

	tx, err := c.Capture(ctx, auth.ID, usd(12000), merchant.WithOrderNumber("INV-1001"))
	require.NoError(t, err)
	assert.Equal(t, merchant.TransactionStatusCaptured, tx.Status)
	assert.EqualValues(t, 12000, tx.CapturedAmount, "a partial capture")

	rf, err := c.Refund(ctx, auth.ID, usd(2000), merchant.WithOrderNumber("INV-1001-R1"))
	require.NoError(t, err)
	assert.EqualValues(t, 2000, rf.Amount)
	assert.NotEqual(t, auth.ID, rf.ID, "a refund is a transaction of its own")
	_, err = c.Refund(ctx, auth.ID, usd(10000), merchant.WithOrderNumber("INV-1001-R2"))
	require.NoError(t, err)

	got, err := c.Transaction(ctx, auth.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.TransactionStatusRefunded, got.Status, "the reporting contract sees the XML interface's ledger")
	assert.Len(t, got.Refunds, 2)

	sale, err := c.Sale(ctx, merchant.Payment{Token: tokenize(t, c, merchanttest.CardApprovedMastercard).Token,
		Amount: merchant.Money{Minor: 9900, Currency: "CAD"}, OrderNumber: "INV-1002"})
	require.NoError(t, err)
	assert.Equal(t, merchant.TransactionStatusCaptured, sale.Status, "a sale")
	assert.EqualValues(t, "mastercard", sale.Brand)

	another, err := c.Authorize(ctx, merchant.Payment{Card: card, Amount: usd(5000), OrderNumber: "INV-1003"})
	require.NoError(t, err)
	voided, err := c.Void(ctx, another.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.TransactionStatusVoided, voided.Status)

	credit, err := c.Credit(ctx, merchant.Payment{Token: tok.Token, Amount: usd(1500), OrderNumber: "INV-1004"})
	require.NoError(t, err)
	assert.Equal(t, merchant.TransactionStatusCredited, credit.Status)

	byOrder := collect(t, c.Transactions(ctx, merchant.TransactionFilter{OrderNumber: "INV-1002"}))
	require.Len(t, byOrder, 1, "reconciliation by order number, on the reporting contract")
	assert.Equal(t, sale.ID, byOrder[0].ID)
	voids := collect(t, c.Transactions(ctx, merchant.TransactionFilter{Status: merchant.TransactionStatusVoided}))
	assert.Len(t, voids, 1)
	assert.Equal(t, 3, srv.Payments(), "two authorizations and a sale")
}

func TestDeclines(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	ctx := context.Background()
	tok := tokenize(t, c, merchanttest.CardDeclined)
	tx, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(5000), OrderNumber: "INV-D1"})
	require.ErrorIs(t, err, merchant.ErrDeclined)
	var de *merchant.DeclineError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "1102140001", de.Code)
	assert.Equal(t, "Invalid account number", de.Message)
	assert.Equal(t, merchant.GatewayDeclined, de.Class)
	assert.Equal(t, tx.ID, de.TransactionID, "the declined transaction is returned too")
	assert.Equal(t, merchant.TransactionStatusDeclined, tx.Status)
	assert.NotContains(t, err.Error(), merchanttest.CardDeclined)
	again, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(5000), OrderNumber: "INV-D1"})
	require.ErrorIs(t, err, merchant.ErrDeclined, "a decline is final: no duplicate answer to hide it")
	assert.NotEqual(t, tx.ID, again.ID)

	_, err = c.Void(ctx, "398999999")
	require.ErrorIs(t, err, connectors.ErrUnavailable, "Invalid acct type: a gateway error")
	assert.Zero(t, srv.Payments())
}

// TestRefusedBeforeTheNetwork: what the client can check, it checks, and nothing is sent.
func TestRefusedBeforeTheNetwork(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	ctx := context.Background()
	long := strings.Repeat("k", 256)
	const tok = "17522090|6781"
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 1, ExpYear: 2030, CVV: cvv}
	sale := func(p merchant.Payment, opts ...merchant.CallOption) func() error {
		return func() error { _, err := c.Sale(ctx, p, opts...); return err }
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"currency not accepted", sale(merchant.Payment{Token: tok, Amount: merchant.Money{Minor: 5000, Currency: "EUR"}, OrderNumber: "A1"})},
		{"not a currency code", sale(merchant.Payment{Token: tok, Amount: merchant.Money{Minor: 5000, Currency: "usd"}, OrderNumber: "A1"})},
		{"below the minimum", sale(merchant.Payment{Token: tok, Amount: usd(49), OrderNumber: "A1"})},
		{"above the maximum", sale(merchant.Payment{Token: tok, Amount: usd(merchant.DefaultMaxAmount + 1), OrderNumber: "A1"})},
		{"negative", sale(merchant.Payment{Token: tok, Amount: usd(-100), OrderNumber: "A1"})},
		{"a card number as the token", sale(merchant.Payment{Token: merchanttest.CardApproved, Amount: usd(5000), OrderNumber: "A1"})},
		{"not a token", sale(merchant.Payment{Token: "tok_1", Amount: usd(5000), OrderNumber: "A1"})},
		{"neither token nor card", sale(merchant.Payment{Amount: usd(5000), OrderNumber: "A1"})},
		{"both token and card", sale(merchant.Payment{Token: tok, Card: card, Amount: usd(5000), OrderNumber: "A1"})},
		{"no order number", sale(merchant.Payment{Token: tok, Amount: usd(5000)})},
		{"bad order number", sale(merchant.Payment{Token: tok, Amount: usd(5000), OrderNumber: "INV 1"})},
		{"idempotency key too long", sale(merchant.Payment{Token: tok, Amount: usd(5000), OrderNumber: "A1"}, merchant.WithIdempotencyKey(long))},
		{"capture above the maximum", func() error { _, err := c.Capture(ctx, "398000001", usd(merchant.DefaultMaxAmount+1)); return err }},
		{"refund below the minimum", func() error { _, err := c.Refund(ctx, "398000001", usd(1)); return err }},
		{"void without a reference", func() error { _, err := c.Void(ctx, ""); return err }},
		{"card number too short", func() error {
			_, err := c.Tokenize(ctx, merchant.Card{Number: "4003", ExpMonth: 1, ExpYear: 2030, CVV: cvv})
			return err
		}},
		{"bad expiry", func() error {
			_, err := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 13, ExpYear: 2030, CVV: cvv})
			return err
		}},
		{"bad CVV", func() error {
			_, err := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 1, ExpYear: 2030, CVV: "12a"})
			return err
		}},
		{"dispute without evidence", func() error { _, err := c.DisputeChargeback(ctx, "cb_1", ""); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, connectors.ErrInvalidRequest)
			assert.NotContains(t, err.Error(), merchanttest.CardApproved)
		})
	}
	assert.Empty(t, srv.Requests(), "nothing reached the gateway, not even a token request")
}

func TestReportingErrors(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(1))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	ctx := context.Background()
	_, err := c.Transaction(ctx, "399999999")
	require.ErrorIs(t, err, connectors.ErrNotFound)

	var ae *connectors.APIError
	srv.Fail(merchanttest.Fault{Match: "getTransaction", Status: 503, Times: 6})
	_, err = c.Transaction(ctx, "398000001")
	require.ErrorIs(t, err, connectors.ErrUnavailable)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 6, ae.Attempts, "Critical: 5 retries")
	assert.True(t, ae.Retryable)

	bad := srv.Config()
	bad.ClientSecret = "wrong"
	c2, err := merchant.New(bad, merchant.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c2.Close)
	_, err = c2.Transaction(ctx, "398000001")
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)

	wrongPIN := srv.Config()
	wrongPIN.MerchantPIN = "0000000000"
	c3, err := merchant.New(wrongPIN, merchant.WithLogger(logger), merchant.WithPolicy(noRetry()))
	require.NoError(t, err)
	t.Cleanup(c3.Close)
	_, err = c3.Sale(ctx, merchant.Payment{Token: "17522090|6781", Amount: usd(5000), OrderNumber: "PIN-1"})
	assert.ErrorIs(t, err, connectors.ErrUnavailable, "refused credentials: a gateway error (class 3)")
}

// TestAuthorizationsAreNeverDuplicated: the gateway has no idempotency keys, so one
// payment keeps one merchantordernumber across every retry and the gateway's
// duplicate detection answers a repeat with the original. 1 000 authorizations
// (service 1, on a card) from 8 workers, the first attempt of four in five failing — before the gateway commits
// (503) or after (the answer lost to a reset, replaced by a 502, cut short) — make
// exactly 1 000 payments in the fake's ledger.
func TestAuthorizationsAreNeverDuplicated(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVV: cvv, HolderName: "Pat Doe"}
	const n, workers = 1000, 8
	faults := []merchanttest.Fault{
		{Match: "auth", Status: 503},                 // before the commit
		{Match: "auth", After: true, Reset: true},    // committed, the answer lost
		{Match: "auth", After: true, Status: 502},    // committed, a proxy's 502 instead
		{Match: "auth", After: true, Truncate: true}, // committed, the answer cut short
	}
	order := regexp.MustCompile(`<merchantordernumber>DUP-(\d+)</merchantordernumber>`)
	var seen sync.Map // the first attempt of each payment fails as its number says
	srv.FailWith(func(op string, _ *http.Request, body []byte) *merchanttest.Fault {
		m := order.FindSubmatch(body)
		if m == nil || op != "auth" {
			return nil
		}
		if _, again := seen.LoadOrStore(string(m[1]), true); again {
			return nil
		}
		i, _ := strconv.Atoi(string(m[1]))
		if i%5 == 4 {
			return nil
		}
		return &faults[i%5]
	})
	var wg sync.WaitGroup
	txs := make([]merchant.Transaction, n)
	errs := make([]error, n)
	jobs := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				txs[i], errs[i] = c.Authorize(context.Background(), merchant.Payment{Card: card, Amount: usd(int64(1000 + i)), OrderNumber: fmt.Sprintf("DUP-%04d", i)})
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	ids := map[string]bool{}
	duplicates := 0
	for i := range n {
		require.NoError(t, errs[i], "authorization %d", i)
		require.Equal(t, merchant.TransactionStatusAuthorized, txs[i].Status)
		require.False(t, ids[txs[i].ID], "one transaction per payment")
		ids[txs[i].ID] = true
		assert.EqualValues(t, 1000+i, txs[i].Amount)
		if txs[i].Duplicate {
			duplicates++
		}
	}
	assert.Equal(t, n, srv.Payments(), "exactly one payment per authorization in the ledger")
	assert.Equal(t, n*3/5, duplicates, "each answer lost after the commit was settled by the gateway's duplicate answer")
	sent := map[string]int{}
	for _, r := range srv.Requests() {
		if m := order.FindStringSubmatch(r.Body); m != nil {
			sent[m[1]]++
		}
	}
	total := 0
	for _, k := range sent {
		total += k
	}
	assert.Len(t, sent, n)
	assert.Equal(t, n+n*4/5, total, "each faulted payment sent twice with its order number, the others once")
}

// TestFollowUpsWithoutAnOrderNumberAreNotResent: a capture or refund without a
// merchantordernumber has no duplicate detection to rely on: after an answer lost it
// is not sent again, and its outcome is unknown; with one, it is settled as a sale is.
func TestFollowUpsWithoutAnOrderNumberAreNotResent(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	ctx := context.Background()
	card := &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVV: cvv}
	sale, err := c.Sale(ctx, merchant.Payment{Card: card, Amount: usd(10000), OrderNumber: "FU-1"})
	require.NoError(t, err)
	count := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if strings.Contains(r.Body, "<service>4</service>") {
				n++
			}
		}
		return n
	}
	srv.Fail(merchanttest.Fault{Match: "refund", After: true, Reset: true})
	_, err = c.Refund(ctx, sale.ID, usd(1000))
	require.ErrorIs(t, err, connectors.ErrOutcomeUnknown)
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.False(t, ae.Retryable, "not retryable: a blind repeat could refund twice")
	assert.Equal(t, 1, count(), "sent once")

	srv.Fail(merchanttest.Fault{Match: "refund", After: true, Reset: true})
	rf, err := c.Refund(ctx, sale.ID, usd(2000), merchant.WithOrderNumber("FU-1-R2"))
	require.NoError(t, err)
	assert.True(t, rf.Duplicate, "the repeat was answered with the first refund")
	assert.Equal(t, 3, count())
	got, err := c.Transaction(ctx, sale.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 3000, got.RefundedAmount, "the first (unknown) refund and one of 20.00")
}

// TestNoCardDataAnywhere: beside the suite-wide log check in TestMain, the audit
// records, the errors, the fake's recordings and a printed Card hold no card number,
// CVV or merchant PIN, even when the gateway refuses a profile or it is retried.
func TestNoCardDataAnywhere(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	ctx := context.Background()
	var texts []string
	srv.Fail(merchanttest.Fault{Match: "store", Status: 503})
	srv.Fail(merchanttest.Fault{Match: "store", After: true, Reset: true})
	for _, n := range cards {
		card := merchant.Card{Number: n, ExpMonth: 12, ExpYear: time.Now().Year() + 1, CVV: cvv}
		if n == amex {
			card.CVV = cvvAmex
		}
		texts = append(texts, fmt.Sprint(card), fmt.Sprintf("%+v %#v %s %q", card, card, card, card))
		_, err := c.Tokenize(ctx, card)
		require.NoError(t, err)
		_, err = c.Sale(ctx, merchant.Payment{Card: &card, Amount: usd(5000), OrderNumber: "NC-" + n[len(n)-4:]})
		if err != nil {
			texts = append(texts, err.Error())
		}
	}
	srv.Fail(merchanttest.Fault{Match: "sale", Status: 500, Body: "<ccnum>" + merchanttest.CardApproved + "</ccnum>", Times: 6})
	_, err := c.Sale(ctx, merchant.Payment{Card: &merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2040, CVV: cvv},
		Amount: usd(5000), OrderNumber: "NC-500"})
	require.Error(t, err)
	texts = append(texts, err.Error())
	for _, r := range srv.Requests() {
		texts = append(texts, r.Body)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("card", "card", merchant.Card{Number: merchanttest.CardApproved, CVV: cvv})
	texts = append(texts, buf.String())
	all := strings.Join(texts, "\n")
	assert.Empty(t, cardData(all))
	assert.NotContains(t, all, merchanttest.MerchantPIN)
	assert.Contains(t, all, "6781", "the last four digits are kept")
	assert.Contains(t, all, "<ccnum>[FILTERED]</ccnum>", "the fake records the scrubbed body")
}

func TestScrub(t *testing.T) {
	in := `<inputs><ccnum>4003000123456781</ccnum><cvv2>123</cvv2><CVV2>456</CVV2><swipedata>%B4003000123456781^DOE/PAT^31121010000000000000?</swipedata>` +
		`<ckacct>000123456789</ckacct><merchantpin>1234567890</merchantpin><amount>1.00</amount></inputs>`
	want := `<inputs><ccnum>[FILTERED]</ccnum><cvv2>[FILTERED]</cvv2><CVV2>[FILTERED]</CVV2><swipedata>[FILTERED]</swipedata>` +
		`<ckacct>[FILTERED]</ckacct><merchantpin>[FILTERED]</merchantpin><amount>1.00</amount></inputs>`
	assert.Equal(t, want, merchant.Scrub(in))
}

// TestIdempotencyStoreSharesOutcomes: a call repeated with the caller's key is
// answered from the shared store without reaching the gateway; a failed call releases
// its claim; a store that fails is bypassed; calls without a key never use the store.
func TestIdempotencyStoreSharesOutcomes(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	store := &memStore{outcomes: map[string][]byte{}}
	c := newClient(t, srv, merchant.WithIdempotencyStore(store))
	ctx := context.Background()
	tok := tokenize(t, c, merchanttest.CardApproved)
	p := merchant.Payment{Token: tok.Token, Amount: usd(5000), OrderNumber: "SH-1"}
	first, err := c.Sale(ctx, p, merchant.WithIdempotencyKey("sh-1"))
	require.NoError(t, err)
	before := len(srv.Requests())
	again, err := c.Sale(ctx, p, merchant.WithIdempotencyKey("sh-1"))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Len(t, srv.Requests(), before, "answered from the store: the gateway saw nothing")

	_, err = c.Capture(ctx, "398999999", usd(5000), merchant.WithIdempotencyKey("cap-1"))
	require.Error(t, err)
	assert.Contains(t, store.aborted, "merchant/capture/398999999/cap-1", "a failed call releases its claim")

	store.broken = true
	_, err = c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(6000), OrderNumber: "SH-2"}, merchant.WithIdempotencyKey("sh-2"))
	assert.NoError(t, err, "the store is down: the gateway's duplicate detection carries on")
	store.broken = false
	n := len(store.outcomes)
	_, err = c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(7000), OrderNumber: "SH-3"})
	require.NoError(t, err)
	assert.Len(t, store.outcomes, n, "no key: nothing to share")
}

// TestInUseIsRetried: the reporting contract answers a repeat of a chargeback
// response it is still processing 409 with Retry-After; it is tried again after the
// wait with the same key instead of failing.
func TestInUseIsRetried(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	stub := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
			return
		}
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"title":"in use","status":409,"code":"idempotency_key_in_use"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"cb_1","transaction_id":"398000001","merchant_order_number":"A1","amount":5000,"currency":"USD",` +
			`"reason_code":"13.1","reason":"x","status":"accepted","received_at":"2026-11-30T00:00:00Z","respond_by":"2026-12-30T00:00:00Z","updated_at":"2026-11-30T00:00:00Z"}`))
	})
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	ca, err := testcert.NewCA("stub")
	require.NoError(t, err)
	cert, err := ca.Client("stub")
	require.NoError(t, err)
	cfg := merchant.Config{AccountID: merchant.TestAccount, BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", TLS: connectors.MutualTLS{Certificate: &cert.TLS}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := merchant.New(cfg, merchant.WithHTTPClient(&http.Client{Transport: tr}), merchant.WithClock(clock.NewFake(time.Now())), merchant.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	cb, err := c.AcceptChargeback(context.Background(), "cb_1")
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackStatusAccepted, cb.Status)
	require.Len(t, keys, 2)
	assert.Equal(t, keys[0], keys[1])
}

func TestTokenExpiryMidRun(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(1))
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.Transaction(ctx, "398000001")
	require.NoError(t, err)
	srv.ExpireTokens()
	_, err = c.Transaction(ctx, "398000002")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokensIssued(), "a refused token is replaced once")
}

// passthrough is a RoundTripper of another type than *http.Transport: the client uses
// it as it is, so whatever TLS it does is what reaches the gateway.
type passthrough struct{ t *http.Transport }

func (p passthrough) RoundTrip(r *http.Request) (*http.Response, error) { return p.t.RoundTrip(r) }

func TestMutualTLS(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(1))
	ctx := context.Background() // retries on: a refused certificate must not use them

	t.Run("the token request and the calls present the certificate", func(t *testing.T) {
		c := newClient(t, srv)
		_, err := c.Transaction(ctx, "398000001")
		require.NoError(t, err)
		paths := map[string]string{}
		for _, r := range srv.Requests() {
			paths[r.Path] = r.ClientCert
		}
		assert.Equal(t, merchanttest.ClientCertName, paths["/oauth/token"])
		assert.Equal(t, merchanttest.ClientCertName, paths["/v1/transactions/398000001"])
	})

	strangerCert, strangerKey, err := merchanttest.NewServer(t, merchanttest.WithHistory(0)).IssueClientCertificate("stranger")
	require.NoError(t, err)
	noCert := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: srv.CAPool()}}
	t.Cleanup(noCert.CloseIdleConnections)

	for _, tc := range []struct {
		name string
		cfg  func(*merchant.Config) []merchant.Option
	}{
		{"a certificate another CA signed", func(c *merchant.Config) []merchant.Option {
			c.TLS.CertPEM, c.TLS.KeyPEM = strangerCert, strangerKey
			return nil
		}},
		{"no certificate at all", func(c *merchant.Config) []merchant.Option {
			// the transport is used as given: it presents nothing
			return []merchant.Option{merchant.WithHTTPClient(&http.Client{Transport: passthrough{noCert}})}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, refused := len(srv.Requests()), srv.RefusedHandshakes()
			cfg := srv.Config()
			opts := append([]merchant.Option{merchant.WithLogger(logger), merchant.WithClock(clock.NewFake(time.Now()))}, tc.cfg(&cfg)...)
			c, err := merchant.New(cfg, opts...)
			require.NoError(t, err)
			t.Cleanup(c.Close)
			_, err = c.Transaction(ctx, "398000001")
			require.Error(t, err)
			assert.ErrorContains(t, err, "certificate", "the handshake was refused")
			assert.ErrorIs(t, err, connectors.ErrUnauthorized, "the gateway refused this side's credentials")
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 1, ae.Attempts, "a refused certificate is not retried: it would be refused again")
			assert.False(t, ae.Retryable)
			assert.Len(t, srv.Requests(), before, "nothing reached the gateway")
			// the server logs the refusal after the client has its error: wait for it
			require.Eventually(t, func() bool { return srv.RefusedHandshakes() > refused }, 5*time.Second, time.Millisecond)
		})
	}
}

func TestSettlementReport(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(10))
	c := newClient(t, srv)
	ctx := context.Background()
	day := time.Now().UTC().AddDate(0, 0, -3)
	st, err := c.Settlement(ctx, day)
	require.NoError(t, err)
	assert.Equal(t, "settled", string(st.Status))
	require.NotEmpty(t, st.Totals)
	lines := collect(t, c.SettlementLines(ctx, day))
	assert.Len(t, lines, st.LineCount)
	net := map[string]int64{}
	for _, l := range lines {
		net[l.Currency] += l.Net
		assert.Equal(t, l.Amount-l.Fee, l.Net)
	}
	for _, tot := range st.Totals {
		assert.Equal(t, tot.Net, net[tot.Currency], tot.Currency)
		assert.Equal(t, tot.Gross-tot.Refunds-tot.Chargebacks-tot.Fees, tot.Net, "the batch adds up")
	}

	_, err = c.Settlement(ctx, time.Now().AddDate(0, 0, 2))
	assert.ErrorIs(t, err, connectors.ErrNotFound, "no batch for a future day")

	all := collect(t, c.Transactions(ctx, merchant.TransactionFilter{PageSize: 50}))
	assert.Greater(t, len(all), 250, "ten days of history, 50 a page")
	from := time.Now().UTC().AddDate(0, 0, -2).Truncate(24 * time.Hour)
	recent := collect(t, c.Transactions(ctx, merchant.TransactionFilter{From: from}))
	for _, tx := range recent {
		assert.False(t, tx.CreatedAt.Before(from))
	}
	assert.Less(t, len(recent), len(all))
}

func TestChargebacksAndFraudAlerts(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	ctx := context.Background()
	tok := tokenize(t, c, merchanttest.CardApproved)
	sale, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(merchanttest.FraudReviewAmount), OrderNumber: "CB-1"})
	require.NoError(t, err)
	sale2, err := c.Sale(ctx, merchant.Payment{Token: tok.Token, Amount: usd(4000), OrderNumber: "CB-2"})
	require.NoError(t, err)

	alerts := collect(t, c.FraudAlerts(ctx, time.Time{}))
	require.Len(t, alerts, 1, "a large amount is flagged for review")
	assert.Equal(t, sale.ID, alerts[0].TransactionID)
	assert.Empty(t, collect(t, c.FraudAlerts(ctx, time.Now().Add(time.Hour))))

	cb1, err := srv.RaiseChargeback(sale.ID, "10.4", "Fraud: card-absent environment")
	require.NoError(t, err)
	cb2, err := srv.RaiseChargeback(sale2.ID, "13.1", "Services not received")
	require.NoError(t, err)
	open := collect(t, c.Chargebacks(ctx, merchant.ChargebackFilter{Status: merchant.ChargebackStatusOpen}))
	assert.Len(t, open, 2)

	got, err := c.DisputeChargeback(ctx, cb1.ID, "signed work order and GPS arrival record")
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackStatusDisputed, got.Status)
	got, err = c.AcceptChargeback(ctx, cb2.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackStatusAccepted, got.Status)
	_, err = c.AcceptChargeback(ctx, cb1.ID)
	assert.ErrorIs(t, err, connectors.ErrConflict, "answered already")
	got, err = c.Chargeback(ctx, cb1.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackStatusDisputed, got.Status)
	assert.Empty(t, collect(t, c.Chargebacks(ctx, merchant.ChargebackFilter{Status: merchant.ChargebackStatusOpen})))
}

// memStore is an in-process merchant.IdempotencyStore for the test.
type memStore struct {
	mu       sync.Mutex
	outcomes map[string][]byte
	aborted  []string
	broken   bool
}

func (m *memStore) Begin(_ context.Context, key string, _ time.Duration) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.broken {
		return nil, false, errors.New("store down")
	}
	out, ok := m.outcomes[key]
	return out, ok, nil
}

func (m *memStore) Finish(_ context.Context, key string, outcome []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outcomes[key] = outcome
	return nil
}

func (m *memStore) Abort(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.aborted = append(m.aborted, key)
	return nil
}
