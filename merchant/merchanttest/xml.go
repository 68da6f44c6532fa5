package merchanttest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/merchant"
)

// The XML interface, as ActiveMerchant's MerchantPartnersGateway and its unit and
// remote tests show it (active_merchant, lib/active_merchant/billing/gateways/
// merchant_partners.rb, test/unit/gateways/merchant_partners_test.rb,
// test/remote/gateways/remote_merchant_partners_test.rb):
//
//   - POST /cgi-bin/ProcessXML.cgi, the inputs under interface_driver/trans_catalog/
//     transaction/inputs; the answer's outputs under interface_driver/trans_catalog/
//     transaction/outputs, shaped as the unit fixtures are (an XML declaration without
//     encoding, no newline after it, one element per line);
//   - the shared test account TEST0: card 4003000123456781 approved, 4003000123456782
//     declined "DECLINED:1102140001:Invalid account number:"; authcode TEST; result
//     strings AVSAUTH, AVSSALE, AVSPOST, VOID, CREDIT and PROFILEADD; a capture on an
//     unknown reference "DECLINED:1102010009:Missing account number:", a refund
//     "DECLINED:1101700009:Missing account number:", a void "DECLINED:3101810001:
//     Invalid acct type:", each with zeros for the ids, as the fixtures answer them;
//   - amounts in decimal currency units, echoed in total as a Ruby float prints them
//     ("1.0" for 1.00);
//   - the duplicate output, 0 on every fixture.
//
// Assumptions (no public source settles them; the package doc lists them too):
//   - duplicate detection: a repeat of an auth, sale or credit with the same
//     merchantordernumber, or of a capture or refund with the same
//     merchantordernumber and historykeyid, within 24 hours, is answered with the
//     original answer and duplicate 1, and not processed again;
//   - every card number that fails the Luhn check is declined as 4003000123456782
//     is (which fails it); 5454545454545454, the test card of the ATS variant's Perl
//     module, is approved;
//   - a wrong acctid or merchantpin is declined with a gateway error
//     (DECLINED:3000000001:Invalid merchant credentials:), an unknown service with
//     DECLINED:3000000002:Invalid service:, a request that is not XML is answered 400
//     with a plain-text body;
//   - the answer's Content-Type is text/xml.

// XML fault names, by service code, for [Fault].Match.
var xmlOps = map[string]string{"1": "auth", "2": "sale", "3": "capture", "4": "refund", "5": "void", "6": "credit", "7": "store",
	"8": "profilesale", "13": "profilecredit"}

// MerchantPIN is the test account's merchant PIN in [Server.Config] (the one
// ActiveMerchant's unit tests use).
const MerchantPIN = "1234567890"

// Quirks are shapes of real answers a client must take: ActiveMerchant unescapes a
// body that arrives HTML-escaped, and captured answers have leading spaces.
type Quirks struct {
	// Escaped sends the whole answer HTML-escaped (&lt;status&gt;…).
	Escaped bool
	// LeadingSpace puts spaces and a newline before the XML declaration.
	LeadingSpace bool
}

// WithQuirks makes every XML answer take those shapes.
func WithQuirks(q Quirks) Option { return func(c *config) { c.quirks = q } }

// xmlInputs are a request's inputs by name.
type xmlInputs map[string]string

func parseInputs(body []byte) (xmlInputs, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	in := xmlInputs{}
	var path []string
	var text strings.Builder
	seen := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" && seen {
				return in, nil
			}
			return nil, fmt.Errorf("not the XML interface's request: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if n := len(path); n == 5 && path[0] == "interface_driver" && path[1] == "trans_catalog" && path[2] == "transaction" && path[3] == "inputs" {
				in[t.Name.Local] = text.String()
			}
			if len(path) == 1 {
				seen = true
			}
			path = path[:len(path)-1]
			text.Reset()
		}
	}
}

// answer is an XML answer's outputs, in the fixtures' order.
type answer struct {
	status, accountname, result, authcode, historyid, orderid, userprofileid, refcode, total string
	merchantordernumber, last4digits, avsresult, cvv2result, duplicate, paytype              string
}

func (a answer) write(q Quirks) []byte {
	var b bytes.Buffer
	el := func(name, v string) {
		if name == "userprofileid" && v == "" {
			return
		}
		b.WriteString("<" + name + ">")
		_ = xml.EscapeText(&b, []byte(v))
		b.WriteString("</" + name + ">\n")
	}
	b.WriteString(`<?xml version="1.0"?><interface_driver>` + "\n<trans_catalog>\n<transaction>\n<outputs>\n")
	for _, f := range [][2]string{{"status", a.status}, {"accountname", a.accountname}, {"result", a.result}, {"authcode", a.authcode},
		{"historyid", a.historyid}, {"orderid", a.orderid}, {"userprofileid", a.userprofileid}, {"refcode", a.refcode},
		{"total", a.total}, {"merchantordernumber", a.merchantordernumber}, {"last4digits", a.last4digits},
		{"avsresult", a.avsresult}, {"cvv2result", a.cvv2result}, {"duplicate", a.duplicate}, {"paytype", a.paytype}} {
		el(f[0], f[1])
	}
	b.WriteString("</outputs>\n</transaction>\n</trans_catalog>\n</interface_driver>\n")
	out := b.Bytes()
	if q.Escaped {
		out = []byte(html.EscapeString(string(out)))
	}
	if q.LeadingSpace {
		out = append([]byte("  \n "), out...)
	}
	return out
}

// declineAnswer is a decline with zeros for the ids, as the fixtures of a refused
// follow-up or profile answer.
func declineAnswer(result string) answer {
	return answer{status: "Declined", result: result, historyid: "0", orderid: "0", refcode: "0", total: "0.00", duplicate: "0"}
}

// rubyFloat prints minor units as the gateway echoes them (Ruby's Float#to_s): 100
// cents is "1.0", 18950 is "189.5".
func rubyFloat(minor int64, exp int) string {
	if exp == 0 {
		return strconv.FormatInt(minor, 10) + ".0"
	}
	div := int64(1)
	for range exp {
		div *= 10
	}
	frac := strings.TrimRight(fmt.Sprintf("%0*d", exp, minor%div), "0")
	if frac == "" {
		frac = "0"
	}
	return strconv.FormatInt(minor/div, 10) + "." + frac
}

// paytype names a card's brand as the fixtures do ("Visa").
func paytype(b merchant.CardBrand) string {
	return map[merchant.CardBrand]string{"visa": "Visa", "mastercard": "MasterCard", "amex": "American Express", "discover": "Discover"}[b]
}

func (s *Server) serveXML(w http.ResponseWriter, r *http.Request) {
	body := fakekit.ReadBody(r)
	s.rec.Add(Request{Method: r.Method, Path: r.URL.Path, Body: merchant.Scrub(string(body))})
	if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/ProcessXML.cgi" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	in, err := parseInputs(body)
	if err != nil {
		http.Error(w, "malformed request", http.StatusBadRequest) // assumption
		return
	}
	op := xmlOps[in["service"]]
	f := s.fault(op, r, body)
	fakekit.Serve(w, r, f, func(w http.ResponseWriter) {
		a := s.transact(in)
		w.Header().Set("Content-Type", "text/xml") // assumption
		_, _ = w.Write(a.write(s.quirks))
		s.hooks.Deliver()
	})
}

// dupKey is the duplicate-detection key of a request ("" for none: see the
// assumptions above).
func dupKey(in xmlInputs) string {
	order := in["merchantordernumber"]
	if order == "" {
		return ""
	}
	switch in["service"] {
	case "1", "2", "6", "8", "13":
		return in["service"] + "|" + order
	case "3", "4":
		return in["service"] + "|" + order + "|" + in["historykeyid"]
	}
	return ""
}

type dup struct {
	a  answer
	at time.Time
}

// transact runs one transaction against the ledger.
func (s *Server) transact(in xmlInputs) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	if in["acctid"] != merchant.TestAccount || in["merchantpin"] != MerchantPIN {
		return declineAnswer("DECLINED:3000000001:Invalid merchant credentials:")
	}
	key := dupKey(in)
	if d, ok := s.st.dups[key]; ok && key != "" && now.Sub(d.at) < 24*time.Hour {
		a := d.a
		a.duplicate = "1"
		return a
	}
	a := s.process(in, now)
	if key != "" && a.status == "Approved" {
		s.st.dups[key] = dup{a, now}
	}
	return a
}

func (s *Server) process(in xmlInputs, now time.Time) answer {
	cur := in["currency"]
	if cur == "" {
		cur = "USD"
	}
	exp := 2
	if cur == "JPY" {
		exp = 0
	}
	minor, amountErr := parseDecimal(in["amount"], exp)
	switch in["service"] {
	case "7":
		c, a := s.cardOf(in)
		if a != nil {
			return *a
		}
		s.st.profiles++
		id := strconv.Itoa(17522089 + s.st.profiles)
		s.st.cards[id] = c
		return answer{status: "Approved", result: "PROFILEADD:Success:::0:::", historyid: "0", orderid: "0", userprofileid: id,
			refcode: "0", total: "0.00", last4digits: c.tok.Last4, duplicate: "0"}
	case "1", "2", "6", "8", "13":
		var c *card
		if in["service"] == "8" || in["service"] == "13" {
			var ok bool
			if c, ok = s.st.cards[in["userprofileid"]]; !ok || c.tok.Last4 != in["last4digits"] {
				return declineAnswer("DECLINED:1102010009:Missing account number:")
			}
		} else {
			var a *answer
			if c, a = s.cardOf(in); a != nil {
				return *a
			}
		}
		if amountErr != nil || minor <= 0 {
			return declineAnswer("DECLINED:1102010009:Missing account number:")
		}
		return s.charge(c, in, merchant.Money{Minor: minor, Currency: cur}, exp, now)
	case "3", "4":
		t, ok := s.st.byID[in["historykeyid"]]
		if !ok {
			if in["service"] == "3" {
				return declineAnswer("DECLINED:1102010009:Missing account number:")
			}
			return declineAnswer("DECLINED:1101700009:Missing account number:")
		}
		if amountErr != nil || minor <= 0 {
			minor = t.Amount
		}
		return s.followUp(t, in, minor, exp, now)
	case "5":
		t, ok := s.st.byID[in["historykeyid"]]
		if !ok || (t.Status != merchant.TransactionStatusAuthorized && t.Status != merchant.TransactionStatusCaptured) {
			return declineAnswer("DECLINED:3101810001:Invalid acct type:")
		}
		t.Status, t.UpdatedAt = merchant.TransactionStatusVoided, now
		return s.approved(t, "VOID", now, exp)
	}
	return declineAnswer("DECLINED:3000000002:Invalid service:")
}

// cardOf reads the card of a request, or the decline of a bad one.
func (s *Server) cardOf(in xmlInputs) (*card, *answer) {
	n := in["ccnum"]
	if n == "" {
		a := declineAnswer("DECLINED:1102010009:Missing account number:")
		return nil, &a
	}
	em, _ := strconv.Atoi(in["expmon"])
	ey, _ := strconv.Atoi(in["expyear"])
	c := &card{tok: merchant.CardToken{Brand: merchant.Card{Number: n}.Brand(), Last4: n[max(0, len(n)-4):], ExpMonth: em, ExpYear: ey, Test: true}, name: in["ccname"]}
	if !redact.Luhn([]byte(n)) {
		c.outcome = "DECLINED:1102140001:Invalid account number:"
	}
	return c, nil
}

// charge runs an auth, sale or credit on a card.
func (s *Server) charge(c *card, in xmlInputs, m merchant.Money, exp int, now time.Time) answer {
	t := s.newTransaction(c, m, in["merchantordernumber"], now)
	t.Token = in["userprofileid"]
	kind := map[string]string{"1": "AVSAUTH", "2": "AVSSALE", "8": "AVSSALE", "6": "CREDIT", "13": "CREDIT"}[in["service"]]
	ev := merchant.Event{TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber, Amount: t.Amount, Currency: t.Currency}
	if c.outcome != "" {
		t.Status, t.AuthCode = merchant.TransactionStatusDeclined, ""
		t.DeclineCode, t.DeclineMessage = "1102140001", "Invalid account number"
		ev.Type, ev.Status, ev.DeclineCode = merchant.EventTypePaymentFailed, t.Status, t.DeclineCode
		s.emit(ev)
		return answer{status: "Declined", accountname: c.name, result: c.outcome, historyid: t.ID, orderid: t.OrderID, refcode: t.ID,
			total: rubyFloat(m.Minor, exp), merchantordernumber: t.MerchantOrderNumber, last4digits: c.tok.Last4, duplicate: "0",
			paytype: paytype(c.tok.Brand)}
	}
	if in["service"] != "6" && in["service"] != "13" {
		s.st.charged[t.ID] = true
	}
	switch in["service"] {
	case "2", "8":
		t.Status, t.CapturedAmount = merchant.TransactionStatusCaptured, t.Amount
		s.st.captured[t.ID] = now
		ev.Type, ev.Status = merchant.EventTypePaymentCompleted, t.Status
		s.emit(ev)
	case "6", "13":
		t.Status = merchant.TransactionStatusCredited
	}
	if t.Status != merchant.TransactionStatusCredited && t.Amount >= FraudReviewAmount {
		fa := &merchant.FraudAlert{ID: fmt.Sprintf("fa_%06d", len(s.st.alerts)+1), TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber,
			RiskScore: 85, Rule: "amount_threshold", Action: "review", CreatedAt: now}
		s.st.alerts = append(s.st.alerts, fa)
		s.emit(merchant.Event{Type: merchant.EventTypeFraudAlert, TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber,
			FraudAlertID: fa.ID, RiskScore: fa.RiskScore, Reason: fa.Rule})
	}
	a := s.approved(t, kind, now, exp)
	if in["ccnum"] != "" { // the fixtures' AVS and CVV results of a card payment
		a.result = kind + ":TEST:::" + t.ID + ":N::U"
		a.avsresult, a.cvv2result = "N", "U"
	}
	return a
}

// followUp captures or refunds t.
func (s *Server) followUp(t *merchant.Transaction, in xmlInputs, minor int64, exp int, now time.Time) answer {
	ev := merchant.Event{TransactionID: t.ID, MerchantOrderNumber: t.MerchantOrderNumber, Currency: t.Currency}
	if in["service"] == "3" {
		if t.Status != merchant.TransactionStatusAuthorized || minor > t.Amount {
			return declineAnswer("DECLINED:1102010009:Missing account number:") // assumption: how a bad capture is refused
		}
		t.Status, t.CapturedAmount, t.UpdatedAt = merchant.TransactionStatusCaptured, minor, now
		s.st.captured[t.ID] = now
		ev.Type, ev.Status, ev.Amount = merchant.EventTypePaymentCompleted, t.Status, minor
		s.emit(ev)
		return s.approved(t, "AVSPOST", now, exp)
	}
	left := t.CapturedAmount - t.RefundedAmount
	if (t.Status != merchant.TransactionStatusCaptured && t.Status != merchant.TransactionStatusPartiallyRefunded) || minor > left {
		return declineAnswer("DECLINED:1101700009:Missing account number:") // assumption: how a bad refund is refused
	}
	// the refund is a transaction of its own, and a refund of the original
	c := &card{tok: merchant.CardToken{Token: t.Token, Brand: t.Brand, Last4: t.Last4}}
	r := s.newTransaction(c, merchant.Money{Minor: minor, Currency: string(t.Currency)}, in["merchantordernumber"], now)
	r.Status, r.RefundedAmount = merchant.TransactionStatusRefunded, minor
	rf := s.addRefund(t, minor, "", now)
	rf.ID = r.ID
	t.Refunds[len(t.Refunds)-1].ID = r.ID
	ev.Type, ev.Status, ev.Amount, ev.RefundID = merchant.EventTypeRefundProcessed, t.Status, minor, rf.ID
	s.emit(ev)
	return s.approved(r, "CREDIT", now, exp)
}

// approved is the answer of an approved transaction.
func (s *Server) approved(t *merchant.Transaction, kind string, now time.Time, exp int) answer {
	amount := t.Amount
	if t.CapturedAmount != 0 && t.Status == merchant.TransactionStatusCaptured {
		amount = t.CapturedAmount
	}
	return answer{status: "Approved", accountname: "Default Name", result: kind + ":TEST:::" + t.ID + ":::", authcode: "TEST",
		historyid: t.ID, orderid: t.OrderID, refcode: t.ID, total: rubyFloat(amount, exp), merchantordernumber: t.MerchantOrderNumber,
		last4digits: t.Last4, duplicate: "0", paytype: paytype(t.Brand)}
}

// parseDecimal reads "1.00" as 100 minor units.
func parseDecimal(s string, exp int) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if len(frac) > exp {
		return 0, fmt.Errorf("too many decimals")
	}
	frac += strings.Repeat("0", exp-len(frac))
	return strconv.ParseInt(whole+frac, 10, 64)
}
