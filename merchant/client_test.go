package merchant_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
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
	"github.com/dispatchcenter/connectors/internal/clock"
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
	cards = []string{merchanttest.CardApproved, merchanttest.CardDeclined, merchanttest.CardApprovedMastercard, merchanttest.CardInsufficientFunds, amex}
)

const amex = "378282246310005"

func TestMain(m *testing.M) {
	code := m.Run()
	out := suiteLog.String()
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
	_, err := merchant.New(merchant.Config{Currencies: []string{"usd", "ABC", "HRK", "EUR"}, MinAmount: 10, MaxAmount: 5})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), `"EUR"`)
	for _, f := range []string{"BaseURL", "ClientID", "ClientSecret", "client certificate", `"usd"`, `"ABC"`, `"HRK" was withdrawn on 2023-01-01 (replaced by EUR)`, "MinAmount"} {
		assert.Contains(t, err.Error(), f)
	}
	cfg := merchant.Config{BaseURL: "http://gateway.example.com", ClientID: "id", ClientSecret: "s",
		TLS: connectors.MutualTLS{CertFile: "c.pem", KeyFile: "k.pem"}}
	_, err = merchant.New(cfg)
	assert.ErrorContains(t, err, "plain http", "credentials never travel in clear to a real host")
	cfg.BaseURL = "https://gateway.example.com"
	_, err = merchant.New(cfg)
	assert.ErrorContains(t, err, "client certificate", "a missing certificate file is reported at construction")
}

func TestPaymentLifecycle(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	ctx := context.Background()

	tok := tokenize(t, c, merchanttest.CardApproved)
	assert.Equal(t, "6781", tok.Last4)
	assert.EqualValues(t, "visa", tok.Brand)
	assert.NotContains(t, tok.Token, merchanttest.CardApproved)

	tx, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(12550), OrderNumber: "INV-1001", Description: "tire repair"})
	require.NoError(t, err)
	assert.Equal(t, merchant.StatusAuthorized, tx.Status)
	assert.EqualValues(t, 12550, tx.Amount)
	assert.True(t, tx.Test, "test mode is visible on every transaction")

	tx, err = c.Capture(ctx, tx.ID, 12000)
	require.NoError(t, err)
	assert.Equal(t, merchant.StatusCaptured, tx.Status)
	assert.EqualValues(t, 12000, tx.CapturedAmount, "a partial capture")

	rf, err := c.Refund(ctx, tx.ID, 2000, "discount")
	require.NoError(t, err)
	assert.EqualValues(t, 2000, rf.Amount)
	rf2, err := c.Refund(ctx, tx.ID, 0, "job cancelled")
	require.NoError(t, err)
	assert.EqualValues(t, 10000, rf2.Amount, "0 refunds the rest")

	got, err := c.Transaction(ctx, tx.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.StatusRefunded, got.Status)
	assert.Len(t, got.Refunds, 2)

	sale, err := c.Authorize(ctx, merchant.Authorization{Token: tokenize(t, c, merchanttest.CardApprovedMastercard).Token,
		Amount: merchant.Money{Minor: 9900, Currency: "CAD"}, OrderNumber: "INV-1002", Capture: true})
	require.NoError(t, err)
	assert.Equal(t, merchant.StatusCaptured, sale.Status, "capture at once: a sale")
	assert.EqualValues(t, "mastercard", sale.Brand)

	auth, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(5000), OrderNumber: "INV-1003"})
	require.NoError(t, err)
	voided, err := c.Void(ctx, auth.ID, "customer paid cash")
	require.NoError(t, err)
	assert.Equal(t, merchant.StatusVoided, voided.Status)

	all := collect(t, c.Transactions(ctx, merchant.TransactionFilter{}))
	assert.Len(t, all, 3)
	byOrder := collect(t, c.Transactions(ctx, merchant.TransactionFilter{OrderNumber: "INV-1002"}))
	require.Len(t, byOrder, 1, "reconciliation by order number")
	assert.Equal(t, sale.ID, byOrder[0].ID)
	voids := collect(t, c.Transactions(ctx, merchant.TransactionFilter{Status: merchant.StatusVoided}))
	assert.Len(t, voids, 1)
}

func TestDeclines(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	for _, tc := range []struct {
		card, code string
	}{
		{merchanttest.CardDeclined, "invalid_account_number"},
		{merchanttest.CardInsufficientFunds, "insufficient_funds"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			tok := tokenize(t, c, tc.card)
			tx, err := c.Authorize(context.Background(), merchant.Authorization{Token: tok.Token, Amount: usd(5000), OrderNumber: "INV-" + tc.code})
			require.ErrorIs(t, err, merchant.ErrDeclined)
			var de *merchant.DeclineError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.code, de.Code)
			assert.Equal(t, tx.ID, de.TransactionID, "the declined transaction is returned too")
			assert.Equal(t, merchant.StatusDeclined, tx.Status)
			assert.NotContains(t, err.Error(), tc.card)
		})
	}
	assert.Zero(t, srv.Payments())
}

// TestRefusedBeforeTheNetwork: what the client can check, it checks, and nothing is sent.
func TestRefusedBeforeTheNetwork(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv)
	ctx := context.Background()
	long := strings.Repeat("k", 256)
	cases := []struct {
		name string
		call func() error
	}{
		{"currency not accepted", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: merchant.Money{Minor: 5000, Currency: "EUR"}, OrderNumber: "A1"})
			return err
		}},
		{"not a currency code", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: merchant.Money{Minor: 5000, Currency: "usd"}, OrderNumber: "A1"})
			return err
		}},
		{"below the minimum", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: usd(49), OrderNumber: "A1"})
			return err
		}},
		{"above the maximum", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: usd(merchant.DefaultMaxAmount + 1), OrderNumber: "A1"})
			return err
		}},
		{"negative", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: usd(-100), OrderNumber: "A1"})
			return err
		}},
		{"a card number as the token", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: merchanttest.CardApproved, Amount: usd(5000), OrderNumber: "A1"})
			return err
		}},
		{"no token", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Amount: usd(5000), OrderNumber: "A1"})
			return err
		}},
		{"bad order number", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: usd(5000), OrderNumber: "INV 1"})
			return err
		}},
		{"idempotency key too long", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_1", Amount: usd(5000), OrderNumber: "A1"}, merchant.WithIdempotencyKey(long))
			return err
		}},
		{"capture above the maximum", func() error {
			_, err := c.Capture(ctx, "txn_1", merchant.DefaultMaxAmount+1)
			return err
		}},
		{"refund below the minimum", func() error { _, err := c.Refund(ctx, "txn_1", 1, ""); return err }},
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
			require.ErrorIs(t, err, merchant.ErrInvalid)
			assert.NotContains(t, err.Error(), merchanttest.CardApproved)
		})
	}
	assert.Empty(t, srv.Requests(), "nothing reached the gateway, not even a token request")
}

func TestErrors(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	ctx := context.Background()
	tok := tokenize(t, c, merchanttest.CardApproved)
	auth, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(5000), OrderNumber: "E1"})
	require.NoError(t, err)
	_, err = c.Void(ctx, auth.ID, "")
	require.NoError(t, err)

	cases := []struct {
		name   string
		call   func() error
		kind   error
		status int
		code   string
	}{
		{"unknown transaction", func() error { _, err := c.Transaction(ctx, "txn_99999999"); return err }, connectors.ErrNotFound, 404, "not_found"},
		{"capture a voided payment", func() error { _, err := c.Capture(ctx, auth.ID, 0); return err }, connectors.ErrConflict, 409, "invalid_state"},
		{"refund an uncaptured payment", func() error { _, err := c.Refund(ctx, auth.ID, 0, ""); return err }, connectors.ErrConflict, 409, "invalid_state"},
		{"unknown token", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: "tok_unknown", Amount: usd(5000), OrderNumber: "E2"})
			return err
		}, connectors.ErrInvalidRequest, 422, "unknown_token"},
		{"expired card", func() error {
			_, err := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 1, ExpYear: 2001, CVV: cvv})
			return err
		}, connectors.ErrInvalidRequest, 422, "card_expired"},
		{"idempotency key reused with another body", func() error {
			_, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(7000), OrderNumber: "E3"}, merchant.WithIdempotencyKey("order-E1"))
			if err != nil {
				return err
			}
			_, err = c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(7100), OrderNumber: "E3"}, merchant.WithIdempotencyKey("order-E1"))
			return err
		}, connectors.ErrInvalidRequest, 422, "idempotency_key_reused"},
		{"gateway down", func() error {
			srv.Fail(merchanttest.Fault{Match: "getTransaction", Status: 503, Times: 6})
			_, err := c.Transaction(ctx, auth.ID)
			return err
		}, connectors.ErrUnavailable, 503, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, tc.kind)
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Equal(t, tc.code, ae.Code)
		})
	}

	var ae *connectors.APIError
	srv.Fail(merchanttest.Fault{Match: "getTransaction", Status: 503, Times: 6})
	_, err = c.Transaction(ctx, auth.ID)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 6, ae.Attempts, "Critical: 5 retries")
	assert.True(t, ae.Retryable)

	bad := srv.Config()
	bad.ClientSecret = "wrong"
	c2, err := merchant.New(bad, merchant.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c2.Close)
	_, err = c2.Transaction(ctx, auth.ID)
	assert.ErrorIs(t, err, connectors.ErrUnauthorized)
}

func TestTokenExpiryMidRun(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(1))
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.Transaction(ctx, "txn_00000001")
	require.NoError(t, err)
	srv.ExpireTokens()
	_, err = c.Transaction(ctx, "txn_00000002")
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
		_, err := c.Transaction(ctx, "txn_00000001")
		require.NoError(t, err)
		paths := map[string]string{}
		for _, r := range srv.Requests() {
			paths[r.Path] = r.ClientCert
		}
		assert.Equal(t, merchanttest.ClientCertName, paths["/oauth/token"])
		assert.Equal(t, merchanttest.ClientCertName, paths["/v1/transactions/txn_00000001"])
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
			_, err = c.Transaction(ctx, "txn_00000001")
			require.Error(t, err)
			assert.ErrorContains(t, err, "certificate", "the handshake was refused")
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

// TestAuthorizationsAreNeverDuplicated is the promise of the idempotency keys: 1 000
// authorizations from 8 workers, the first attempt of a quarter failing before the
// gateway commits it and of half after (the answer lost, replaced by a 502 or cut
// short), retried by the client, make exactly 1 000 payments.
func TestAuthorizationsAreNeverDuplicated(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	tok := tokenize(t, c, merchanttest.CardApproved)
	const n, workers = 1000, 8
	faults := []merchanttest.Fault{
		{Match: "authorize", Status: 503},                 // before the commit
		{Match: "authorize", After: true, Reset: true},    // committed, the answer lost
		{Match: "authorize", After: true, Status: 502},    // committed, a proxy's 502 instead
		{Match: "authorize", After: true, Truncate: true}, // committed, the answer cut short
	}
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	jobs := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				tx, err := c.Authorize(context.Background(), merchant.Authorization{Token: tok.Token, Amount: usd(int64(1000 + i)), OrderNumber: fmt.Sprintf("DUP-%04d", i)})
				ids[i], errs[i] = tx.ID, err
			}
		}()
	}
	var seen sync.Map // the first attempt of each call fails as its number says
	srv.FailWith(func(op string, r *http.Request, body []byte) *merchanttest.Fault {
		if _, again := seen.LoadOrStore(r.Header.Get("Idempotency-Key"), true); again || op != "authorize" {
			return nil
		}
		var in struct {
			Order string `json:"merchant_order_number"`
		}
		_ = json.Unmarshal(body, &in)
		i, _ := strconv.Atoi(strings.TrimPrefix(in.Order, "DUP-"))
		if i%4 == 3 {
			return nil
		}
		return &faults[i%4]
	})
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	txs := map[string]bool{}
	for i := range n {
		require.NoError(t, errs[i], "authorization %d", i)
		require.False(t, txs[ids[i]], "one transaction per call")
		txs[ids[i]] = true
	}
	assert.Equal(t, n, srv.Payments(), "exactly one payment per authorization")
	keys := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Path == "/v1/payments/authorizations" {
			keys[r.IdempotencyKey]++
		}
	}
	assert.Len(t, keys, n, "one key per call, sent again on every retry")
	sent := 0
	for _, k := range keys {
		sent += k
	}
	assert.Equal(t, n+n*3/4, sent, "each faulted call sent twice with its key, the others once")
}

// TestInUseIsRetried: a retry that reaches the gateway while the first attempt is
// still being processed gets 409 with Retry-After, and is tried again after the wait
// with the same key instead of failing (which would invite a new call, a new key and
// a second charge).
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
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"txn_1","status":"authorized","amount":5000,"currency":"USD","merchant_order_number":"A1","created_at":"2026-11-30T00:00:00Z","updated_at":"2026-11-30T00:00:00Z"}`))
	})
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	ca, err := testcert.NewCA("stub")
	require.NoError(t, err)
	cert, err := ca.Client("stub")
	require.NoError(t, err)
	cfg := merchant.Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", TLS: connectors.MutualTLS{Certificate: &cert.TLS}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := merchant.New(cfg, merchant.WithHTTPClient(&http.Client{Transport: tr}), merchant.WithClock(clock.NewFake(time.Now())), merchant.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	tx, err := c.Authorize(context.Background(), merchant.Authorization{Token: "tok_1", Amount: usd(5000), OrderNumber: "A1"})
	require.NoError(t, err)
	assert.Equal(t, "txn_1", tx.ID)
	require.Len(t, keys, 2)
	assert.Equal(t, keys[0], keys[1])
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
	sale, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(merchanttest.FraudReviewAmount), OrderNumber: "CB-1", Capture: true})
	require.NoError(t, err)
	sale2, err := c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(4000), OrderNumber: "CB-2", Capture: true})
	require.NoError(t, err)

	alerts := collect(t, c.FraudAlerts(ctx, time.Time{}))
	require.Len(t, alerts, 1, "a large amount is flagged for review")
	assert.Equal(t, sale.ID, alerts[0].TransactionID)
	assert.Empty(t, collect(t, c.FraudAlerts(ctx, time.Now().Add(time.Hour))))

	cb1, err := srv.RaiseChargeback(sale.ID, "10.4", "Fraud: card-absent environment")
	require.NoError(t, err)
	cb2, err := srv.RaiseChargeback(sale2.ID, "13.1", "Services not received")
	require.NoError(t, err)
	open := collect(t, c.Chargebacks(ctx, merchant.ChargebackFilter{Status: merchant.ChargebackOpen}))
	assert.Len(t, open, 2)

	got, err := c.DisputeChargeback(ctx, cb1.ID, "signed work order and GPS arrival record")
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackDisputed, got.Status)
	got, err = c.AcceptChargeback(ctx, cb2.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackAccepted, got.Status)
	_, err = c.AcceptChargeback(ctx, cb1.ID)
	assert.ErrorIs(t, err, connectors.ErrConflict, "answered already")
	got, err = c.Chargeback(ctx, cb1.ID)
	require.NoError(t, err)
	assert.Equal(t, merchant.ChargebackDisputed, got.Status)
	assert.Empty(t, collect(t, c.Chargebacks(ctx, merchant.ChargebackFilter{Status: merchant.ChargebackOpen})))
}

// TestNoCardDataAnywhere: beside the suite-wide log check in TestMain, the audit
// records, the errors, the fake's recordings and a printed Card hold no card number
// or CVV, even when the gateway refuses a tokenization or it has to be retried.
func TestNoCardDataAnywhere(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	c := newClient(t, srv, merchant.WithPolicy(noBreaker()))
	ctx := context.Background()
	var texts []string
	srv.Fail(merchanttest.Fault{Match: "createToken", Status: 503})
	srv.Fail(merchanttest.Fault{Match: "createToken", After: true, Reset: true})
	for _, n := range cards {
		card := merchant.Card{Number: n, ExpMonth: 12, ExpYear: time.Now().Year() + 1, CVV: cvv}
		if n == amex {
			card.CVV = cvvAmex
		}
		texts = append(texts, fmt.Sprint(card), fmt.Sprintf("%+v %#v %s %q", card, card, card, card))
		_, err := c.Tokenize(ctx, card)
		require.NoError(t, err)
		card.ExpYear = 2001
		_, err = c.Tokenize(ctx, card)
		require.Error(t, err)
		texts = append(texts, err.Error())
	}
	srv.Fail(merchanttest.Fault{Match: "createToken", Status: 500, Body: `{"number":"` + merchanttest.CardApproved + `"}`, Times: 6})
	_, err := c.Tokenize(ctx, merchant.Card{Number: merchanttest.CardApproved, ExpMonth: 12, ExpYear: 2040, CVV: cvv})
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
	assert.Contains(t, all, "6781", "the last four digits are kept")
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

// TestIdempotencyStoreSharesOutcomes: a call repeated with the caller's key is
// answered from the shared store without reaching the gateway; a failed call releases
// its claim; a store that fails is bypassed; generated keys never use the store.
func TestIdempotencyStoreSharesOutcomes(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	store := &memStore{outcomes: map[string][]byte{}}
	c := newClient(t, srv, merchant.WithIdempotencyStore(store))
	ctx := context.Background()
	tok := tokenize(t, c, merchanttest.CardApproved)
	auth := merchant.Authorization{Token: tok.Token, Amount: usd(5000), OrderNumber: "SH-1"}
	first, err := c.Authorize(ctx, auth, merchant.WithIdempotencyKey("sh-1"))
	require.NoError(t, err)
	before := len(srv.Requests())
	again, err := c.Authorize(ctx, auth, merchant.WithIdempotencyKey("sh-1"))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Len(t, srv.Requests(), before, "answered from the store: the gateway saw nothing")

	_, err = c.Capture(ctx, "txn_99999999", 0, merchant.WithIdempotencyKey("cap-1"))
	require.Error(t, err)
	assert.Contains(t, store.aborted, "merchant/capture/txn_99999999/cap-1", "a failed call releases its claim")

	store.broken = true
	_, err = c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(6000), OrderNumber: "SH-2"}, merchant.WithIdempotencyKey("sh-2"))
	assert.NoError(t, err, "the store is down: the gateway's idempotency carries on")
	store.broken = false
	n := len(store.outcomes)
	_, err = c.Authorize(ctx, merchant.Authorization{Token: tok.Token, Amount: usd(7000), OrderNumber: "SH-3"})
	require.NoError(t, err)
	assert.Len(t, store.outcomes, n, "a generated key is this call's alone: nothing to share")
}
