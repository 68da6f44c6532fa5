package merchanttest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
)

// card is what the fake keeps of a tokenized card: never its number or CVV.
type card struct {
	tok     merchant.CardToken
	name    string // ccname
	outcome string // "" approves; otherwise the decline's result string
}

type state struct {
	cards       map[string]*card
	txs         []*merchant.Transaction // in creation order
	byID        map[string]*merchant.Transaction
	captured    map[string]time.Time // transaction id → capture time
	refunds     []*merchant.Refund
	chargebacks []*merchant.Chargeback
	alerts      []*merchant.FraudAlert
	events      int
	profiles    int             // stored profiles so far
	dups        map[string]dup  // duplicate detection: key → first answer
	charged     map[string]bool // approved auths and sales of the XML interface
}

func (st *state) init() {
	st.cards, st.byID, st.captured = map[string]*card{}, map[string]*merchant.Transaction{}, map[string]time.Time{}
	st.dups, st.charged = map[string]dup{}, map[string]bool{}
}

// seed creates days of settled history: about 33 captured sales a day, some refunded,
// a few chargebacks and fraud alerts.
func (s *Server) seed(days int) {
	r := rand.New(rand.NewPCG(11, 13))
	now := s.now().UTC()
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days)
	seedCard := &card{tok: merchant.CardToken{Token: "tok_seed", Brand: "visa", Last4: "6781", ExpMonth: 12, ExpYear: 2030, CreatedAt: start, Test: true}}
	s.st.cards["tok_seed"] = seedCard
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		for i := 0; i < 30+r.IntN(7); i++ {
			at := day.Add(time.Duration(7*3600+r.IntN(12*3600)) * time.Second)
			cur := "USD"
			if r.IntN(10) == 0 {
				cur = "CAD"
			}
			t := s.newTransaction(seedCard, merchant.Money{Minor: int64(5000 + r.IntN(95000)), Currency: cur},
				fmt.Sprintf("INV-%s-%03d", day.Format("20060102"), i+1), at)
			t.Status, t.CapturedAmount = merchant.TransactionStatusCaptured, t.Amount
			s.st.captured[t.ID] = at
			switch k := r.IntN(100); {
			case k < 3:
				s.addRefund(t, t.Amount/2, "partial credit", at.Add(26*time.Hour))
			case k < 4:
				cb := &merchant.Chargeback{ID: fmt.Sprintf("cb_%06d", len(s.st.chargebacks)+1), TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber,
					Amount: t.Amount, Currency: t.Currency, ReasonCode: "13.1", Reason: "Merchandise/services not received", Status: merchant.ChargebackStatusOpen,
					ReceivedAt: at.AddDate(0, 0, 5), RespondBy: at.AddDate(0, 0, 35), UpdatedAt: at.AddDate(0, 0, 5)}
				if cb.ReceivedAt.After(now) {
					cb.ReceivedAt, cb.UpdatedAt = now, now
				}
				s.st.chargebacks = append(s.st.chargebacks, cb)
			case k < 5:
				s.st.alerts = append(s.st.alerts, &merchant.FraudAlert{ID: fmt.Sprintf("fa_%06d", len(s.st.alerts)+1), TransactionID: t.ID,
					MerchantOrderNumber: t.MerchantOrderNumber, RiskScore: 70 + r.IntN(20), Rule: "velocity", Action: "review", CreatedAt: at})
			}
		}
	}
}

func (s *Server) newTransaction(c *card, m merchant.Money, order string, at time.Time) *merchant.Transaction {
	// historyids and orderids are numbers, as the gateway's (398182213, 287915678)
	t := &merchant.Transaction{ID: strconv.Itoa(398000000 + len(s.st.txs) + 1), OrderID: strconv.Itoa(287000000 + len(s.st.txs) + 1),
		Status: merchant.TransactionStatusAuthorized, Amount: m.Minor, Currency: m.Currency,
		MerchantOrderNumber: order, Token: c.tok.Token, Brand: c.tok.Brand, Last4: c.tok.Last4, AuthCode: "TEST",
		AvsResult: "Y", CvvResult: "M", Test: true, CreatedAt: at, UpdatedAt: at}
	s.st.txs = append(s.st.txs, t)
	s.st.byID[t.ID] = t
	return t
}

func (s *Server) addRefund(t *merchant.Transaction, amount int64, reason string, at time.Time) *merchant.Refund {
	rf := &merchant.Refund{ID: fmt.Sprintf("re_%06d", len(s.st.refunds)+1), TransactionID: t.ID, Amount: amount, Currency: t.Currency,
		Status: "completed", Reason: reason, CreatedAt: at}
	s.st.refunds = append(s.st.refunds, rf)
	t.Refunds = append(t.Refunds, *rf)
	t.RefundedAmount += amount
	t.Status = merchant.TransactionStatusPartiallyRefunded
	if t.RefundedAmount == t.CapturedAmount {
		t.Status = merchant.TransactionStatusRefunded
	}
	t.UpdatedAt = at
	return rf
}

// Payments returns how many authorizations and sales the XML interface approved
// (seeded history excluded): what a customer could have been charged for. A repeat
// answered as a duplicate is not another payment.
func (s *Server) Payments() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.charged)
}

// Transaction returns a transaction as the gateway holds it.
func (s *Server) Transaction(id string) (merchant.Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.st.byID[id]
	if !ok {
		return merchant.Transaction{}, false
	}
	return *t, true
}

// RaiseChargeback files a cardholder's chargeback against a captured transaction and
// pushes chargeback.received to subscribers.
func (s *Server) RaiseChargeback(transactionID, reasonCode, reason string) (merchant.Chargeback, error) {
	s.mu.Lock()
	t, ok := s.st.byID[transactionID]
	if !ok || t.CapturedAmount == 0 {
		s.mu.Unlock()
		return merchant.Chargeback{}, fmt.Errorf("merchanttest: no captured transaction %q", transactionID)
	}
	now := s.now().UTC()
	cb := &merchant.Chargeback{ID: fmt.Sprintf("cb_%06d", len(s.st.chargebacks)+1), TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber,
		Amount: t.CapturedAmount - t.RefundedAmount, Currency: t.Currency, ReasonCode: reasonCode, Reason: reason, Status: merchant.ChargebackStatusOpen,
		ReceivedAt: now, RespondBy: now.AddDate(0, 0, 30), UpdatedAt: now}
	s.st.chargebacks = append(s.st.chargebacks, cb)
	s.emit(merchant.Event{Type: merchant.EventTypeChargebackReceived, TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber,
		Amount: cb.Amount, Currency: cb.Currency, ChargebackID: cb.ID, Reason: reasonCode + " " + reason})
	out := *cb
	s.mu.Unlock()
	s.hooks.Deliver()
	return out, nil
}

// call is one request to an operation, with the time it is answered at.
type call struct {
	*fakekit.Call
	now time.Time
}

// api answers the contract's operations (operations.gen.go) on the server's state,
// which handle holds locked.
type api struct{ *Server }

// handle answers a validated call (under no lock; it takes the state lock).
func (s *Server) handle(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !dispatch(api{s}, op, &call{Call: fakekit.NewCall(w, r, body), now: s.now().UTC()}, params) {
		problem(w, http.StatusNotImplemented, "not_implemented", "The fake does not implement "+op, "")
	}
}

// GetTransaction answers getTransaction.
func (s api) GetTransaction(req *call, id string) {
	w := req.W
	t, ok := s.st.byID[id]
	if !ok {
		problem(w, http.StatusNotFound, "not_found", "Transaction not found", id)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// ListTransactions answers listTransactions.
func (s api) ListTransactions(req *call) {
	w, q := req.W, req.Q
	var from, to time.Time
	if v := q.Get("created_from"); v != "" {
		from, _ = time.Parse(time.RFC3339Nano, v)
	}
	if v := q.Get("created_to"); v != "" {
		to, _ = time.Parse(time.RFC3339Nano, v)
	}
	keep := func(t *merchant.Transaction) bool {
		return (from.IsZero() || !t.CreatedAt.Before(from)) && (to.IsZero() || t.CreatedAt.Before(to)) &&
			(q.Get("status") == "" || string(t.Status) == q.Get("status")) &&
			(q.Get("merchant_order_number") == "" || t.MerchantOrderNumber == q.Get("merchant_order_number"))
	}
	writePage(w, s.st.txs, keep, q, func(p []merchant.Transaction, next string) any {
		return map[string]any{"data": p, "next_cursor": next}
	})
}

// GetSettlement answers getSettlement.
func (s api) GetSettlement(req *call, date string) {
	if d, lines, ok := s.batch(req, date); ok {
		writeJSON(req.W, http.StatusOK, settlement(d, lines, req.now))
	}
}

// ListSettlementLines answers listSettlementLines.
func (s api) ListSettlementLines(req *call, date string) {
	if _, lines, ok := s.batch(req, date); ok {
		writePage(req.W, lines, func(*merchant.SettlementLine) bool { return true }, req.Q, func(p []merchant.SettlementLine, next string) any {
			return map[string]any{"data": p, "next_cursor": next}
		})
	}
}

// batch is the settlement batch of date, or false once it answered 404 (a date not
// yet settled, or not a date).
func (s api) batch(req *call, date string) (time.Time, []*merchant.SettlementLine, bool) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil || d.After(req.now) {
		problem(req.W, http.StatusNotFound, "not_found", "No settlement batch for this date", date)
		return d, nil, false
	}
	return d, s.lines(d), true
}

// ListChargebacks answers listChargebacks.
func (s api) ListChargebacks(req *call) {
	w, q := req.W, req.Q
	since := sinceOf(q)
	writePage(w, s.st.chargebacks, func(c *merchant.Chargeback) bool {
		return !c.UpdatedAt.Before(since) && (q.Get("status") == "" || string(c.Status) == q.Get("status"))
	}, q, func(p []merchant.Chargeback, next string) any { return map[string]any{"data": p, "next_cursor": next} })
}

// GetChargeback answers getChargeback.
func (s api) GetChargeback(req *call, id string) {
	if cb := s.chargeback(req, id); cb != nil {
		writeJSON(req.W, http.StatusOK, cb)
	}
}

// RespondToChargeback answers respondToChargeback.
func (s api) RespondToChargeback(req *call, id string) {
	w, now := req.W, req.now
	cb := s.chargeback(req, id)
	if cb == nil {
		return
	}
	var in struct {
		Action   string `json:"action"`
		Evidence string `json:"evidence"`
	}
	_ = json.Unmarshal(req.Body, &in)
	switch {
	case cb.Status != merchant.ChargebackStatusOpen:
		problem(w, http.StatusConflict, "invalid_state", "The chargeback was already answered", string(cb.Status))
		return
	case now.After(cb.RespondBy):
		problem(w, http.StatusConflict, "response_window_closed", "The time to respond has passed", "")
		return
	case in.Action == "dispute" && strings.TrimSpace(in.Evidence) == "":
		problem(w, http.StatusUnprocessableEntity, "evidence_required", "A dispute needs evidence", "")
		return
	case in.Action == "accept":
		cb.Status = merchant.ChargebackStatusAccepted
	default:
		cb.Status = merchant.ChargebackStatusDisputed
	}
	cb.UpdatedAt = now
	writeJSON(w, http.StatusOK, cb)
}

// chargeback is the chargeback id, or nil once it answered 404.
func (s api) chargeback(req *call, id string) *merchant.Chargeback {
	i := slices.IndexFunc(s.st.chargebacks, func(c *merchant.Chargeback) bool { return c.ID == id })
	if i < 0 {
		problem(req.W, http.StatusNotFound, "not_found", "Chargeback not found", id)
		return nil
	}
	return s.st.chargebacks[i]
}

// ListFraudAlerts answers listFraudAlerts.
func (s api) ListFraudAlerts(req *call) {
	w, q := req.W, req.Q
	since := sinceOf(q)
	writePage(w, s.st.alerts, func(a *merchant.FraudAlert) bool { return !a.CreatedAt.Before(since) }, q,
		func(p []merchant.FraudAlert, next string) any { return map[string]any{"data": p, "next_cursor": next} })
}

// lines are the batch of day d: captures, refunds and chargebacks processed that day.
func (s *Server) lines(d time.Time) []*merchant.SettlementLine {
	end := d.AddDate(0, 0, 1)
	in := func(t time.Time) bool { return !t.Before(d) && t.Before(end) }
	var out []*merchant.SettlementLine
	for _, t := range s.st.txs {
		if at, ok := s.st.captured[t.ID]; ok && in(at) {
			fee := t.CapturedAmount*29/1000 + 30
			out = append(out, &merchant.SettlementLine{Kind: merchant.SettlementLineKindCapture, TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber,
				Amount: t.CapturedAmount, Fee: fee, Net: t.CapturedAmount - fee, Currency: t.Currency, ProcessedAt: at})
		}
	}
	for _, rf := range s.st.refunds {
		if in(rf.CreatedAt) {
			out = append(out, &merchant.SettlementLine{Kind: merchant.SettlementLineKindRefund, TransactionID: rf.TransactionID, MerchantOrderNumber: s.st.byID[rf.TransactionID].MerchantOrderNumber,
				Amount: -rf.Amount, Net: -rf.Amount, Currency: rf.Currency, ProcessedAt: rf.CreatedAt})
		}
	}
	for _, cb := range s.st.chargebacks {
		if in(cb.ReceivedAt) {
			out = append(out, &merchant.SettlementLine{Kind: merchant.SettlementLineKindChargeback, TransactionID: cb.TransactionID, MerchantOrderNumber: cb.MerchantOrderNumber,
				Amount: -cb.Amount, Fee: 1500, Net: -cb.Amount - 1500, Currency: cb.Currency, ProcessedAt: cb.ReceivedAt})
		}
	}
	slices.SortStableFunc(out, func(a, b *merchant.SettlementLine) int { return a.ProcessedAt.Compare(b.ProcessedAt) })
	for i, l := range out {
		l.ID = fmt.Sprintf("sl_%s_%05d", d.Format("20060102"), i+1)
	}
	return out
}

func settlement(d time.Time, lines []*merchant.SettlementLine, now time.Time) merchant.Settlement {
	st := merchant.Settlement{Date: openapi_types.Date{Time: d}, BatchID: "B" + d.Format("20060102"), Status: "open", LineCount: len(lines),
		Totals: []merchant.SettlementTotal{}}
	if settled := d.AddDate(0, 0, 1).Add(6 * time.Hour); !now.Before(settled) {
		st.Status, st.SettledAt = "settled", settled
	}
	totals := map[string]*merchant.SettlementTotal{}
	var order []string
	for _, l := range lines {
		t, ok := totals[l.Currency]
		if !ok {
			t = &merchant.SettlementTotal{Currency: l.Currency}
			totals[l.Currency] = t
			order = append(order, l.Currency)
		}
		t.Count++
		switch l.Kind {
		case merchant.SettlementLineKindCapture:
			t.Gross += l.Amount
		case merchant.SettlementLineKindRefund:
			t.Refunds -= l.Amount
		case merchant.SettlementLineKindChargeback:
			t.Chargebacks -= l.Amount
		}
		t.Fees += l.Fee
		t.Net += l.Net
	}
	slices.Sort(order)
	for _, c := range order {
		st.Totals = append(st.Totals, *totals[c])
	}
	return st
}

func sinceOf(q url.Values) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, q.Get("since"))
	return t
}

// writePage answers one page of the items kept by keep (see fakekit.OffsetPage).
func writePage[T any](w http.ResponseWriter, items []*T, keep func(*T) bool, q url.Values, wrap func([]T, string) any) {
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, next, ok := fakekit.OffsetPage(items, keep, q.Get("cursor"), limit)
	if !ok {
		problem(w, http.StatusBadRequest, "invalid_cursor", "The cursor is not valid", "")
		return
	}
	writeJSON(w, http.StatusOK, wrap(page, next))
}
