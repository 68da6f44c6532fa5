package mapping

import "github.com/dispatchcenter/connectors/internal/iso4217"

// The ISO 4217 table is kept in the SDK (internal/iso4217), not taken from
// golang.org/x/text/currency, whose data is from 2017: it refuses VES, MRU, SLE, ZWG,
// XCG and UYW and accepts withdrawn codes.

// WithdrawnCurrency says when a code stopped being legal tender and what replaced it.
type WithdrawnCurrency struct {
	// Withdrawn is the date, YYYY-MM-DD.
	Withdrawn string
	// Replacement is the code that replaced it.
	Replacement string
}

// CurrencyMinorUnits gives the minor units (decimals) of an active ISO 4217 code;
// ok is false for an unknown or withdrawn code (see [Withdrawn]). The code must be
// upper case, as ISO writes it.
func CurrencyMinorUnits(code string) (int, bool) { return iso4217.MinorUnits(code) }

// Withdrawn says whether code is a withdrawn ISO 4217 code, when and for what.
func Withdrawn(code string) (WithdrawnCurrency, bool) {
	w, ok := iso4217.Withdrawn(code)
	return WithdrawnCurrency(w), ok
}
