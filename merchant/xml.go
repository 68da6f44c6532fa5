package merchant

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/iso4217"
)

// The XML interface of Merchant Partners' Online Commerce Suite, as ActiveMerchant's
// MerchantPartnersGateway speaks it (lib/active_merchant/billing/gateways/
// merchant_partners.rb and its unit fixtures): one POST of application/xml to
// ProcessXML.cgi, the inputs of one transaction under
// interface_driver/trans_catalog/transaction[@name=creditcard]/inputs, and its
// outputs under interface_driver/trans_catalog/transaction/outputs.

// DefaultGatewayURL is the XML interface's one URL; the account decides test or live
// (TEST0 is the shared test account).
const DefaultGatewayURL = "https://trans.merchantpartners.com/cgi-bin/ProcessXML.cgi"

// TestAccount is Merchant Partners' shared test account: its transactions are test
// transactions (authorization code TEST).
const TestAccount = "TEST0"

// service is a transaction's service code (ActiveMerchant's ACTIONS).
type service string

const (
	serviceAuth          service = "1"
	serviceSale          service = "2"
	serviceCapture       service = "3"
	serviceRefund        service = "4"
	serviceVoid          service = "5"
	serviceCredit        service = "6"  // a credit not tied to a sale
	serviceStore         service = "7"  // store a profile: tokenize
	serviceProfileSale   service = "8"  // a sale on a stored profile
	serviceProfileCredit service = "13" // a credit on a stored profile
)

// serviceNames name each service in operation names, audit records and the fake's
// fault matching.
var serviceNames = map[service]string{serviceAuth: "auth", serviceSale: "sale", serviceCapture: "capture", serviceRefund: "refund",
	serviceVoid: "void", serviceCredit: "credit", serviceStore: "store", serviceProfileSale: "profilesale", serviceProfileCredit: "profilecredit"}

// ServiceName returns the name of a service code ("sale" for "2"), or "" for an
// unknown one.
func ServiceName(code string) string { return serviceNames[service(code)] }

// field is one input element; fields are sent in the order they are added, as
// ActiveMerchant sends them (its builder emits a hash in insertion order).
type field struct{ name, value string }

// xmlRequest writes the request document. Empty values are sent as empty elements,
// as ActiveMerchant's builder does for a nil value.
func xmlRequest(fields []field) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	enc := xml.NewEncoder(&b)
	start := func(name string, attr ...xml.Attr) {
		_ = enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: name}, Attr: attr})
	}
	end := func(name string) { _ = enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}}) }
	start("interface_driver")
	start("trans_catalog")
	start("transaction", xml.Attr{Name: xml.Name{Local: "name"}, Value: "creditcard"})
	start("inputs")
	for _, f := range fields {
		start(f.name)
		_ = enc.EncodeToken(xml.CharData(f.value))
		end(f.name)
	}
	end("inputs")
	end("transaction")
	end("trans_catalog")
	end("interface_driver")
	_ = enc.Flush()
	return b.Bytes()
}

// outputs are the fields of an answer, by element name in lower case.
type outputs map[string]string

// maxAnswer bounds an answer's size: a transaction's outputs are well under a
// kilobyte.
const maxAnswer = 64 << 10

// errAnswer is an answer that is not the gateway's XML (cut short, another format):
// its outcome is unknown.
var errAnswer = errors.New("merchant: the gateway's answer is not its XML outputs")

// parseAnswer reads an answer's outputs. It takes the shapes ActiveMerchant takes:
// leading whitespace, no newline after the XML declaration, and a body that is
// HTML-escaped as a whole (ActiveMerchant applies CGI.unescapeHTML before parsing).
// The outputs' direct children are read (the answers seen have no deeper ones).
func parseAnswer(body []byte) (outputs, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if bytes.HasPrefix(b, []byte("&lt;")) {
		b = []byte(html.UnescapeString(string(b)))
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var path []string
	out := outputs{}
	var text strings.Builder
	found := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errAnswer, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if n := len(path); n >= 3 && path[n-2] == "outputs" && path[n-3] == "transaction" {
				out[strings.ToLower(t.Name.Local)] = strings.TrimSpace(text.String())
			}
			if len(path) > 0 && path[len(path)-1] == "outputs" {
				found = true
			}
			path = path[:max(0, len(path)-1)]
			text.Reset()
		}
	}
	if !found || out["status"] == "" {
		return nil, fmt.Errorf("%w: no outputs", errAnswer)
	}
	return out, nil
}

// DeclineClass is what the first digit of a decline code says (PrismPay's parser of
// the same platform's answers): a decline by the network or the gateway, or an
// error of either. Only errors may be retried; a decline never.
type DeclineClass string

// Decline classes.
const (
	NetworkDeclined DeclineClass = "network_declined" // 0
	GatewayDeclined DeclineClass = "gateway_declined" // 1
	NetworkError    DeclineClass = "network_error"    // 2
	GatewayError    DeclineClass = "gateway_error"    // 3
)

// IsError reports whether the class is an error (a later try may pass), not a
// decline.
func (c DeclineClass) IsError() bool { return c == NetworkError || c == GatewayError }

var declined = regexp.MustCompile(`^DECLINED:(\d{10}):(.*?):?$`)

// parseDecline reads "DECLINED:<10-digit code>:<message>:".
func parseDecline(result string) (code, message string, class DeclineClass) {
	m := declined.FindStringSubmatch(result)
	if m == nil {
		return "", strings.TrimPrefix(result, "DECLINED:"), GatewayDeclined
	}
	switch m[1][0] {
	case '0':
		class = NetworkDeclined
	case '1':
		class = GatewayDeclined
	case '2':
		class = NetworkError
	default:
		class = GatewayError
	}
	return m[1], m[2], class
}

// decimalAmount writes minor units in the currency's decimal form: 100 cents is
// "1.00" (ActiveMerchant's money_format :dollars), 100 yen "100".
func decimalAmount(m Money) (string, error) {
	exp, ok := iso4217.MinorUnits(m.Currency)
	if !ok {
		return "", fmt.Errorf("merchant: currency %q has no ISO 4217 minor units: %w", m.Currency, connectors.ErrInvalidRequest)
	}
	sign, v := "", m.Minor
	if v < 0 {
		sign, v = "-", -v
	}
	s := strconv.FormatInt(v, 10)
	if exp == 0 {
		return sign + s, nil
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:], nil
}

// minorAmount reads a decimal amount ("1.0", "189.50", "0.00") as minor units of
// currency, exactly; it refuses more decimals than the currency has.
func minorAmount(s, currency string) (int64, error) {
	exp, ok := iso4217.MinorUnits(currency)
	if !ok {
		return 0, fmt.Errorf("currency %q has no ISO 4217 minor units", currency)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > exp {
		if strings.TrimRight(frac[exp:], "0") != "" {
			return 0, fmt.Errorf("amount %q has more decimals than %s", s, currency)
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	if whole == "" {
		whole = "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// brandOf maps the gateway's paytype ("Visa") to a CardBrand.
func brandOf(paytype string) CardBrand {
	switch strings.ToLower(strings.ReplaceAll(paytype, " ", "")) {
	case "":
		return ""
	case "visa":
		return "visa"
	case "mastercard", "mc":
		return "mastercard"
	case "amex", "americanexpress":
		return "amex"
	case "discover":
		return "discover"
	}
	return "other"
}

// scrubbed are the inputs that never leave the request body: card data, track data,
// account numbers and the merchant PIN (ActiveMerchant's scrub masks ccnum, cvv2 and
// merchantpin; swipedata and ckacct are masked too).
var scrubbed = regexp.MustCompile(`(?is)(<(ccnum|cvv2|merchantpin|swipedata|ckacct)>)[^<]*(</(ccnum|cvv2|merchantpin|swipedata|ckacct)>)`)

// Scrub masks the card data, account numbers and merchant PIN of an XML transcript
// ("<ccnum>[FILTERED]</ccnum>"), as ActiveMerchant's scrub does.
func Scrub(transcript string) string {
	return scrubbed.ReplaceAllString(transcript, "${1}[FILTERED]${3}")
}
