package iso4217_test

import (
	"fmt"

	"github.com/dispatchcenter/connectors/internal/iso4217"
)

// Minor units of active codes; a withdrawn code is refused and says what replaced it.
func Example() {
	for _, code := range []string{"USD", "JPY", "BHD", "HRK"} {
		u, ok := iso4217.MinorUnits(code)
		w, gone := iso4217.Withdrawn(code)
		if gone {
			fmt.Println(code, "withdrawn", w.Withdrawn, "for", w.Replacement)
			continue
		}
		fmt.Println(code, u, ok)
	}
	// Output:
	// USD 2 true
	// JPY 0 true
	// BHD 3 true
	// HRK withdrawn 2023-01-01 for EUR
}
