package merchant

import (
	"errors"
	"fmt"
	"github.com/dispatchcenter/connectors"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrDeclined: the issuer or the gateway declined the payment (see [DeclineError]).
// A call refused before the network (an amount out of range, a currency not
// accepted, a card number where a token belongs, …) matches
// connectors.ErrInvalidRequest, as in every connector.
var ErrDeclined = errors.New("merchant: payment declined")

// Money is an amount in a currency's minor units (cents for USD) with its ISO 4217
// code. There are no floating-point amounts anywhere in this package.
type Money struct {
	// Minor is the amount in minor units, e.g. 12550 for 125.50 USD.
	Minor int64
	// Currency is the ISO 4217 alphabetic code, e.g. "USD".
	Currency string
}

// String formats m as "125.50 USD" (two decimals; [Money] itself does not know each
// currency's exponent, so this is for logs, not for display to customers).
func (m Money) String() string {
	sign := ""
	v := m.Minor
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, v/100, v%100, m.Currency)
}

// checkMoney applies the configured currencies and amount range.
func (c *Client) checkMoney(m Money) error {
	if !slices.Contains(c.currencies, m.Currency) {
		return fmt.Errorf("merchant: currency %q is not accepted (accepted: %v): %w", m.Currency, c.currencies, connectors.ErrInvalidRequest)
	}
	return c.checkAmount(m.Minor)
}

func (c *Client) checkAmount(minor int64) error {
	if minor < c.min || minor > c.max {
		return fmt.Errorf("merchant: amount %d is outside [%d, %d] minor units: %w", minor, c.min, c.max, connectors.ErrInvalidRequest)
	}
	return nil
}

// Card is a card to tokenize: the only value of this package that holds a card
// number. It formats and logs masked (last four digits only), so printing one by
// mistake leaks nothing.
type Card struct {
	// Number is the primary account number, digits only.
	Number string
	// ExpMonth (1-12) and ExpYear (four digits).
	ExpMonth, ExpYear int
	// CVV is the card verification value; it is sent once and never stored.
	CVV string
	// HolderName and PostalCode as printed and billed (optional, for AVS).
	HolderName, PostalCode string
}

var (
	cardDigits = regexp.MustCompile(`^[0-9]{12,19}$`)
	cvvDigits  = regexp.MustCompile(`^[0-9]{3,4}$`)
)

// Last4 returns the last four digits of the number.
func (c Card) Last4() string {
	if len(c.Number) < 4 {
		return ""
	}
	return c.Number[len(c.Number)-4:]
}

// Brand is the card's brand by its number's prefix (visa, mastercard, amex,
// discover, or other).
func (c Card) Brand() CardBrand {
	n := c.Number
	switch {
	case strings.HasPrefix(n, "4"):
		return "visa"
	case len(n) >= 2 && n[0] == '5' && n[1] >= '1' && n[1] <= '5', strings.HasPrefix(n, "2"):
		return "mastercard"
	case strings.HasPrefix(n, "34"), strings.HasPrefix(n, "37"):
		return "amex"
	case strings.HasPrefix(n, "6011"), strings.HasPrefix(n, "65"):
		return "discover"
	}
	return "other"
}

// String masks the card: "card ****6781 exp 12/2030".
func (c Card) String() string {
	return "card ****" + c.Last4() + " exp " + strconv.Itoa(c.ExpMonth) + "/" + strconv.Itoa(c.ExpYear)
}

// GoString masks the card for %#v too.
func (c Card) GoString() string { return "merchant.Card{" + c.String() + "}" }

// LogValue masks the card in slog records.
func (c Card) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format masks the card for every verb (%v, %+v, %s, %q, %#v).
func (c Card) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(c.GoString()))
		return
	}
	_, _ = f.Write([]byte(c.String()))
}

func (c Card) check() error {
	var errs []error
	if !cardDigits.MatchString(c.Number) {
		errs = append(errs, errors.New("the card number must be 12 to 19 digits"))
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2100 {
		errs = append(errs, errors.New("the expiry must be a month 1-12 and a four-digit year"))
	}
	if c.CVV != "" && !cvvDigits.MatchString(c.CVV) {
		errs = append(errs, errors.New("the CVV must be 3 or 4 digits"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("merchant: %w: %w", errors.Join(errs...), connectors.ErrInvalidRequest)
	}
	return nil
}

// tokenShape is a stored profile's token: "userprofileid|last4".
var tokenShape = regexp.MustCompile(`^[0-9A-Za-z]{1,32}\|[0-9]{4}$`)

// checkToken keeps tokens honest: a card number passed where a token belongs is
// refused before it leaves the process (and is not echoed).
func checkToken(tok string) error {
	switch {
	case tok == "":
		return fmt.Errorf("merchant: missing the card token (or a card): %w", connectors.ErrInvalidRequest)
	case cardDigits.MatchString(strings.ReplaceAll(tok, " ", "")):
		return fmt.Errorf("merchant: a card number was given where a token belongs; tokenize the card, or pass it as Card: %w", connectors.ErrInvalidRequest)
	case !tokenShape.MatchString(tok):
		return fmt.Errorf("merchant: a token is \"userprofileid|last4\", as Tokenize returns it: %w", connectors.ErrInvalidRequest)
	}
	return nil
}

// DeclineError is the error of a declined payment, profile or follow-up. A declined
// transaction the gateway kept is returned alongside the error. A decline is final:
// the same request is declined again.
type DeclineError struct {
	// TransactionID of the declined transaction ("" when the gateway kept none).
	TransactionID string
	// Code and Message are the gateway's decline code (ten digits) and message, from
	// "DECLINED:<code>:<message>:".
	Code, Message string
	// Class is what the code's first digit says: a network or a gateway decline.
	Class DeclineClass
}

// Error implements error.
func (e *DeclineError) Error() string {
	return "merchant: payment declined: " + e.Code + ": " + e.Message + " (transaction " + e.TransactionID + ")"
}

// Is matches [ErrDeclined].
func (e *DeclineError) Is(target error) bool { return target == ErrDeclined }
