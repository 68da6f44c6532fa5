package mapping

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSteps(t *testing.T) {
	reg := NewRegistry()
	chicago, _ := time.LoadLocation("America/Chicago")
	cases := []struct {
		step string
		in   Value
		want Value
		code string // "" when it passes
	}{
		{"trim", Str("  Ada  "), Str("Ada"), ""},
		{"collapse", Str("  Ada \t  Lovelace\n"), Str("Ada Lovelace"), ""},
		{"upper", Str("ab"), Str("AB"), ""},
		{"lower", Str("AB"), Str("ab"), ""},
		{"id", Str("C-00 12/a"), Str("C0012a"), ""},
		{"id", Str("--//"), Value{}, CodeInvalidID},
		// phone: E.164, validity required (libphonenumber parses invalid numbers
		// without error), the extension kept apart
		{"phone(US)", Str("(281) 332-2575"), Str("+12813322575"), ""},
		{"phone", Str("281.332.2575 ext. 12"), Str("+12813322575"), ""},
		{"phone_ext(US)", Str("281.332.2575 ext. 12"), Str("12"), ""},
		{"phone_ext(US)", Str("281 332 2575"), Str(""), ""},
		{"phone(GB)", Str("020 7946 0958"), Str("+442079460958"), ""},
		{"phone(US)", Str("+44 20 7946 0958"), Str("+442079460958"), ""},
		{"phone(US)", Str("123456"), Value{}, CodeInvalidPhone},
		{"phone(US)", Str("0044 20 7946 0958"), Value{}, CodeInvalidPhone},
		{"phone(US)", Str("call me"), Value{}, CodeInvalidPhone},
		// email: one bare address, a dotted ASCII domain, the domain lower-cased
		{"email", Str(" John.Smith@Example.COM "), Str("John.Smith@example.com"), ""},
		{"email", Str("a@b"), Value{}, CodeInvalidEmail},
		{"email", Str("John <john@example.com>"), Value{}, CodeInvalidEmail},
		{"email", Str("john@example.com (comment)"), Value{}, CodeInvalidEmail},
		{"email", Str("<john@example.com>"), Value{}, CodeInvalidEmail},
		{"email", Str(`"john doe"@example.com`), Value{}, CodeInvalidEmail},
		{"email", Str("john@-example-.com"), Value{}, CodeInvalidEmail},
		{"email", Str("a@x.com, b@y.com"), Value{}, CodeInvalidEmail},
		{"email", Str("jo@bücher.de"), Value{}, CodeInvalidEmail},
		{"email", Str("jo@xn--bcher-kva.de"), Str("jo@xn--bcher-kva.de"), ""},
		// US addresses
		{"us_street", Str("123 north Main Street, Suite 4"), Str("123 N MAIN ST STE 4"), ""},
		{"us_street", Str("500 W. Sunset Boulevard"), Str("500 W SUNSET BLVD"), ""},
		{"us_street", Str("77 Park Avenue South"), Str("77 PARK AVE S"), ""},
		{"us_street", Str("12 Avenue of the Americas"), Str("12 AVENUE OF THE AMERICAS"), ""},
		{"us_street", Str("9 Elm Ct Apt 2B"), Str("9 ELM CT APT 2B"), ""},
		{"us_state", Str("texas"), Str("TX"), ""},
		{"us_state", Str("tx"), Str("TX"), ""},
		{"us_state", Str("District of  Columbia"), Str("DC"), ""},
		{"us_state", Str("Ontario"), Value{}, CodeInvalidState},
		{"zip", Str("78701"), Str("78701"), ""},
		{"zip", Str("787011234"), Str("78701-1234"), ""},
		{"zip", Str("78701 - 1234"), Str("78701-1234"), ""},
		{"zip", Str("7870"), Value{}, CodeInvalidZIP},
		{"zip", Str("K1A 0B1"), Value{}, CodeInvalidZIP},
		// ISO 4217 from the package's table
		{"currency", Str("usd"), Str("USD"), ""},
		{"currency", Str("VES"), Str("VES"), ""},
		{"currency", Str("XCG"), Str("XCG"), ""},
		{"currency", Str("HRK"), Value{}, CodeCurrency},
		{"currency", Str("XXX"), Value{}, CodeCurrency},
		{"range(0|100000)", Int(5000), Int(5000), ""},
		{"range(0|100000)", Int(100001), Value{}, CodeOutOfRange},
		{"range(|10.5)", Float(-3), Float(-3), ""},
		{"range(1|)", Float(0.5), Value{}, CodeOutOfRange},
		{"date", Str("2026-01-05T08:00:00-06:00"), Time(time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)), ""},
		{"date(America/Chicago|01/02/2006 15:04)", Str("01/05/2026 08:00"), Time(time.Date(2026, 1, 5, 8, 0, 0, 0, chicago).UTC()), ""},
		{"date(America/Chicago|01/02/2006 15:04)", Str("2026-01-05"), Value{}, CodeInvalidDate},
		{"format(2006-01-02)", Time(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)), Str("2026-01-05"), ""},
		{"timespan", Str("1.02:30:00"), Duration(26*time.Hour + 30*time.Minute), ""},
		{"timespan", Str("soon"), Value{}, CodeTimeSpan},
		{"int", Str(" 42 "), Int(42), ""},
		{"int", Str("4.2"), Value{}, CodeInvalidNumber},
		{"float", Str("4.25"), Float(4.25), ""},
		{"float", Str("NaN"), Value{}, CodeInvalidNumber},
		{"bool", Str("true"), Bool(true), ""},
		{"minor", Str("1,234.50"), Int(123450), ""},
		{"minor", Str("-0.07"), Int(-7), ""},
		{"minor(0)", Str("1500"), Int(1500), ""},
		{"minor(3)", Str("1.5"), Int(1500), ""},
		{"minor", Str("12.345"), Value{}, CodeInvalidNumber},
		{"minor", Int(12), Int(1200), ""},
		{"enum(open|closed)", Str("open"), Str("open"), ""},
		{"enum(open|closed)", Str("ajar"), Value{}, CodeEnum},
	}
	for _, tc := range cases {
		name, args, err := parseStep(tc.step)
		require.NoError(t, err, tc.step)
		st, err := reg.steps[name](args)
		require.NoError(t, err, tc.step)
		got, err := st.Fn(tc.in)
		if tc.code != "" {
			assert.Error(t, err, "%s(%q)", tc.step, tc.in.String())
			assert.Equal(t, tc.code, st.Code, tc.step)
			continue
		}
		require.NoError(t, err, "%s(%q)", tc.step, tc.in.String())
		assert.Equal(t, tc.want.Kind, got.Kind, tc.step)
		assert.Equal(t, tc.want.String(), got.String(), "%s(%q)", tc.step, tc.in.String())
	}
}

func TestStepArguments(t *testing.T) {
	reg := NewRegistry()
	for _, bad := range []string{"trim(x)", "phone(ZZ)", "phone(US|CA)", "range(1)", "range(a|b)", "range(5|1)",
		"date(Mars/Olympus)", "format()", "minor(9)", "enum()"} {
		name, args, err := parseStep(bad)
		require.NoError(t, err, bad)
		_, err = reg.steps[name](args)
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"", "(x)", "a b", "phone(US", "x)|"} {
		_, _, err := parseStep(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestCurrencyTable(t *testing.T) {
	for code, units := range map[string]int{"USD": 2, "JPY": 0, "KWD": 3, "CLF": 4, "UYW": 4, "MRU": 2, "SLE": 2, "ZWG": 2} {
		u, ok := CurrencyMinorUnits(code)
		assert.True(t, ok, code)
		assert.Equal(t, units, u, code)
	}
	for _, code := range []string{"DEM", "FRF", "HRK", "VEF", "SLL", "ANG", "XTS", "XXX", "usd"} {
		_, ok := CurrencyMinorUnits(code)
		assert.False(t, ok, code)
	}
	w, ok := Withdrawn("HRK")
	require.True(t, ok)
	assert.Equal(t, "EUR", w.Replacement)
}
