package merchanttest_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/merchant/merchanttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// post sends one request document to the fake's XML interface and returns the
// answer's body.
func post(t *testing.T, srv *merchanttest.Server, inputs string) string {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: srv.CAPool()}}
	t.Cleanup(tr.CloseIdleConnections)
	body := `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<interface_driver><trans_catalog><transaction name="creditcard"><inputs>` +
		inputs + `</inputs></transaction></trans_catalog></interface_driver>`
	resp, err := (&http.Client{Transport: tr}).Post(srv.Config().GatewayURL, "application/xml", strings.NewReader(body))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}

const creds = `<acctid>TEST0</acctid><merchantpin>` + merchanttest.MerchantPIN + `</merchantpin>`

func card(n string) string {
	return `<ccname>Pat Doe</ccname><ccnum>` + n + `</ccnum><cvv2>9731</cvv2><expmon>09</expmon><expyear>2031</expyear>`
}

func field(answer, name string) string {
	_, v, _ := strings.Cut(answer, "<"+name+">")
	v, _, _ = strings.Cut(v, "</"+name+">")
	return v
}

// TestTestAccountAnswers: the TEST0 answers of ActiveMerchant's remote tests and unit
// fixtures, in their shape.
func TestTestAccountAnswers(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	sale := post(t, srv, `<amount>1.00</amount><merchantordernumber>T-1</merchantordernumber><currency>USD</currency>`+card(merchanttest.CardApproved)+creds+`<service>2</service>`)
	assert.True(t, strings.HasPrefix(sale, `<?xml version="1.0"?><interface_driver>`+"\n<trans_catalog>\n<transaction>\n<outputs>\n<status>Approved</status>"), sale)
	hid := field(sale, "historyid")
	assert.Equal(t, "AVSSALE:TEST:::"+hid+":N::U", field(sale, "result"))
	for name, want := range map[string]string{"authcode": "TEST", "total": "1.0", "merchantordernumber": "T-1", "last4digits": "6781",
		"avsresult": "N", "cvv2result": "U", "duplicate": "0", "paytype": "Visa", "accountname": "Default Name"} {
		assert.Equal(t, want, field(sale, name), name)
	}
	declined := post(t, srv, `<amount>1.00</amount><merchantordernumber>T-2</merchantordernumber><currency>USD</currency>`+card(merchanttest.CardDeclined)+creds+`<service>1</service>`)
	assert.Equal(t, "Declined", field(declined, "status"))
	assert.Equal(t, "DECLINED:1102140001:Invalid account number:", field(declined, "result"))
	assert.Equal(t, "Pat Doe", field(declined, "accountname"))
	for _, tc := range []struct{ inputs, result string }{
		{`<amount>1.00</amount><merchantordernumber></merchantordernumber><currency>USD</currency><historykeyid></historykeyid>` + creds + `<service>3</service>`,
			"DECLINED:1102010009:Missing account number:"},
		{`<amount></amount><merchantordernumber></merchantordernumber><currency>USD</currency><historykeyid></historykeyid>` + creds + `<service>4</service>`,
			"DECLINED:1101700009:Missing account number:"},
		{`<historykeyid>5d53a33d960c46d00f5dc061947d998c</historykeyid>` + creds + `<service>5</service>`, "DECLINED:3101810001:Invalid acct type:"},
	} {
		a := post(t, srv, tc.inputs)
		assert.Equal(t, tc.result, field(a, "result"))
		assert.Equal(t, "0", field(a, "historyid"), "a refused follow-up keeps no transaction")
		assert.Equal(t, "0.00", field(a, "total"))
	}
	store := post(t, srv, card(merchanttest.CardApproved)+`<profileactiontype>3</profileactiontype>`+creds+`<service>7</service>`)
	assert.Equal(t, "PROFILEADD:Success:::0:::", field(store, "result"))
	assert.NotEmpty(t, field(store, "userprofileid"))
	void := post(t, srv, `<historykeyid>`+hid+`</historykeyid>`+creds+`<service>5</service>`)
	assert.Equal(t, "VOID:TEST:::"+field(void, "historyid")+":::", field(void, "result"))
	wrong := post(t, srv, `<historykeyid>`+hid+`</historykeyid><acctid>TEST0</acctid><merchantpin>0000</merchantpin><service>5</service>`)
	assert.Equal(t, "Declined", field(wrong, "status"), "a wrong PIN is refused")
	assert.Equal(t, 1, srv.Payments())
}

// TestDuplicateDetection: a repeat with the same merchantordernumber is answered
// with the original and duplicate 1 (an assumption of the fake: see its doc).
func TestDuplicateDetection(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	in := `<amount>42.00</amount><merchantordernumber>D-1</merchantordernumber><currency>USD</currency>` + card(merchanttest.CardApproved) + creds + `<service>2</service>`
	first := post(t, srv, in)
	again := post(t, srv, in)
	assert.Equal(t, field(first, "historyid"), field(again, "historyid"))
	assert.Equal(t, "0", field(first, "duplicate"))
	assert.Equal(t, "1", field(again, "duplicate"))
	other := post(t, srv, strings.Replace(in, "D-1", "D-2", 1))
	assert.NotEqual(t, field(first, "historyid"), field(other, "historyid"))
	assert.Equal(t, 2, srv.Payments())
}

func TestQuirks(t *testing.T) {
	in := `<amount>1.00</amount><merchantordernumber>Q-1</merchantordernumber><currency>USD</currency>` + card(merchanttest.CardApproved) + creds + `<service>1</service>`
	escaped := post(t, merchanttest.NewServer(t, merchanttest.WithHistory(0), merchanttest.WithQuirks(merchanttest.Quirks{Escaped: true})), in)
	assert.True(t, strings.HasPrefix(escaped, "&lt;?xml version=&#34;1.0&#34;?&gt;&lt;interface_driver&gt;"), escaped)
	spaced := post(t, merchanttest.NewServer(t, merchanttest.WithHistory(0), merchanttest.WithQuirks(merchanttest.Quirks{LeadingSpace: true})), in)
	assert.True(t, strings.HasPrefix(spaced, "  \n <?xml"), spaced)
}

func TestCardDataIsNeverRecorded(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	post(t, srv, `<amount>1.00</amount><merchantordernumber>R-1</merchantordernumber><currency>USD</currency>`+card(merchanttest.CardApproved)+creds+`<service>2</service>`)
	for _, req := range srv.Requests() {
		assert.NotContains(t, req.Body, merchanttest.CardApproved)
		assert.NotContains(t, req.Body, "9731")
		assert.NotContains(t, req.Body, merchanttest.MerchantPIN)
		assert.Contains(t, req.Body, "<ccnum>[FILTERED]</ccnum>")
	}
}

func TestTokenEndpointNeedsTheClientCertificate(t *testing.T) {
	srv := merchanttest.NewServer(t, merchanttest.WithHistory(0))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool()}}
	defer tr.CloseIdleConnections()
	_, err := (&http.Client{Transport: tr}).PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}})
	require.Error(t, err)
	// the server logs the refusal after the client has its error: wait for it
	require.Eventually(t, func() bool { return srv.RefusedHandshakes() == 1 }, 5*time.Second, time.Millisecond)
	assert.Zero(t, srv.TokensIssued())
}
