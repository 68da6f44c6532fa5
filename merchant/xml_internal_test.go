package merchant

import (
	"testing"

	"github.com/dispatchcenter/connectors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAmountsAreExact: minor units to the currency's decimal form and back, by its
// ISO 4217 exponent, without floating point.
func TestAmountsAreExact(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		wire string
	}{
		{Money{100, "USD"}, "1.00"}, {Money{18950, "USD"}, "189.50"}, {Money{5, "USD"}, "0.05"}, {Money{0, "USD"}, "0.00"},
		{Money{-250, "CAD"}, "-2.50"}, {Money{1500, "JPY"}, "1500"}, {Money{1234, "KWD"}, "1.234"},
		{Money{9_007_199_254_740_993, "USD"}, "90071992547409.93"}, // beyond float64's exact integers
	} {
		got, err := decimalAmount(tc.m)
		require.NoError(t, err)
		assert.Equal(t, tc.wire, got, "%v", tc.m)
		back, err := minorAmount(got, tc.m.Currency)
		require.NoError(t, err)
		assert.Equal(t, tc.m.Minor, back, tc.wire)
	}
	for _, tc := range []struct {
		echo     string
		currency string
		minor    int64
	}{{"1.0", "USD", 100}, {"189.5", "USD", 18950}, {"0.00", "USD", 0}, {"1500.0", "JPY", 1500}, {".5", "USD", 50}, {"", "USD", 0}} {
		got, err := minorAmount(tc.echo, tc.currency)
		require.NoError(t, err)
		assert.Equal(t, tc.minor, got, tc.echo)
	}
	for _, bad := range []string{"1.001", "1e3", "abc", "1.2.3"} {
		_, err := minorAmount(bad, "USD")
		assert.Error(t, err, bad)
	}
	_, err := decimalAmount(Money{100, "XXX1"})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest)
}

func TestParseDecline(t *testing.T) {
	for _, tc := range []struct {
		result, code, message string
		class                 DeclineClass
	}{
		{"DECLINED:1102140001:Invalid account number:", "1102140001", "Invalid account number", GatewayDeclined},
		{"DECLINED:0500000005:Do not honor:", "0500000005", "Do not honor", NetworkDeclined},
		{"DECLINED:2000000001:Network timeout:", "2000000001", "Network timeout", NetworkError},
		{"DECLINED:3101810001:Invalid acct type:", "3101810001", "Invalid acct type", GatewayError},
		{"DECLINED:1102140001:Message: with a colon:", "1102140001", "Message: with a colon", GatewayDeclined},
		{"something else", "", "something else", GatewayDeclined},
	} {
		code, msg, class := parseDecline(tc.result)
		assert.Equal(t, tc.code, code, tc.result)
		assert.Equal(t, tc.message, msg, tc.result)
		assert.Equal(t, tc.class, class, tc.result)
	}
	assert.True(t, GatewayError.IsError())
	assert.False(t, NetworkDeclined.IsError())
}
