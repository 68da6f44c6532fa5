package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsSensitiveName(t *testing.T) {
	cases := []struct {
		name string
		want bool
	}{
		{"Authorization", true}, {"X-Api-Key", true}, {"api_key", true}, {"password", true},
		{"client_secret", true}, {"access_token", true}, {"Cookie", true}, {"Set-Cookie", true},
		{"webhook-signature", true}, {"cvv", true}, {"CVC", true}, {"cardNumber", true},
		{"card_pan", true}, {"pan", true}, {"sessionId", true}, {"PIN", true},
		{"span", false}, {"company", false}, {"pinned", false}, {"status", false},
		{"position", false}, {"Content-Type", false}, {"fromVersion", false}, {"typeName", false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, IsSensitiveName(c.name), c.name)
	}
}

func TestURLMasksEveryQueryValueAndUserInfo(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://u:p@api.example.com/v1/x?api_key=s3cr3t&page=2#frag", "https://api.example.com/v1/x?api_key=REDACTED&page=REDACTED"},
		{"https://api.example.com/v1/x", "https://api.example.com/v1/x"},
		{"http://[::1]:80/a?token=abc", "http://[::1]:80/a?token=REDACTED"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, URLString(c.in))
	}
	assert.Equal(t, Mask, URLString("http://[bad"))
	assert.Equal(t, "", URL(nil))
}

func TestTextMasksLuhnValidCardNumbersOnly(t *testing.T) {
	cases := []struct{ in, want string }{
		{"card 4111111111111111 declined", "card [PAN-REDACTED] declined"},
		{"card 4111-1111-1111-1111", "card [PAN-REDACTED]"},
		{"card 4111 1111 1111 1111.", "card [PAN-REDACTED]."},
		{"amex 378282246310005", "amex [PAN-REDACTED]"},
		{"order 4111111111111112", "order 4111111111111112"}, // fails Luhn
		{"id 123456789012", "id 123456789012"},               // too short
		{"ts 20261123004700123456789", "ts 20261123004700123456789"},
		{"no digits", "no digits"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Text(c.in), c.in)
	}
}

func TestHeaderRedaction(t *testing.T) {
	h := http.Header{
		"Authorization": {"Bearer abc.def"}, "X-Api-Key": {"k-123"}, "Accept": {"application/json"},
		"X-Note": {"paid with 4111111111111111"}, "X-Driver-Name": {"Ada Lovelace"},
	}
	got := New("X-Driver-Name").Header(h)
	assert.Equal(t, Mask, got.Get("Authorization"))
	assert.Equal(t, Mask, got.Get("X-Api-Key"))
	assert.Equal(t, Mask, got.Get("X-Driver-Name"))
	assert.Equal(t, "application/json", got.Get("Accept"))
	assert.Equal(t, "paid with [PAN-REDACTED]", got.Get("X-Note"))
	assert.Equal(t, "Bearer abc.def", h.Get("Authorization"), "the input is not modified")
	assert.Equal(t, "Ada Lovelace", Header(h).Get("X-Driver-Name"), "without personal names only secrets go")
}

func TestJSONRedaction(t *testing.T) {
	body := []byte(`{"userName":"svc","password":"hunter2","credentials":{"sessionId":"abc"},
	"driver":{"firstName":"Ada","phone":"+15551234"},"cards":[{"cardNumber":"4111111111111111","cvv":"123"}],
	"note":"pan 5555555555554444","amount":1200}`)
	got := string(New("firstName", "phone").JSON(body))
	for _, secret := range []string{"hunter2", `"abc"`, "Ada", "+15551234", "4111111111111111", `"123"`, "5555555555554444"} {
		assert.NotContains(t, got, secret)
	}
	assert.Contains(t, got, `"userName":"svc"`)
	assert.Contains(t, got, `"amount":1200`)
	assert.Equal(t, "plain [PAN-REDACTED]", string(New().JSON([]byte("plain 4111111111111111"))))
}

func TestStringScrubsURLsInText(t *testing.T) {
	in := `Get "https://my.geotab.com/apiv1?password=pw&database=db": dial tcp: refused`
	assert.Equal(t, `Get "https://my.geotab.com/apiv1?database=REDACTED&password=REDACTED": dial tcp: refused`, String(in))
}

func TestErrorKeepsChain(t *testing.T) {
	base := errors.New("boom")
	err := Error(fmt.Errorf("GET https://h/x?key=secret: %w", base))
	assert.NotContains(t, err.Error(), "secret")
	assert.ErrorIs(t, err, base)
	assert.Same(t, base, Error(base), "a clean error is returned as is")
	assert.NoError(t, Error(nil))
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

// TestHandlerNeverLogsSecrets scans the captured output of a logger that was handed
// every kind of secret the SDK deals with.
func TestHandlerNeverLogsSecrets(t *testing.T) {
	secrets := []string{"tok-9f8e7d", "k-123456", "hunter2", "4111111111111111", "4111 1111 1111 1111", "Ada Lovelace", "s3cr3t-q"}
	var buf bytes.Buffer
	base := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := Logger(base, "driverName")
	u, _ := url.Parse("https://user:hunter2@api.example.com/p?api_key=s3cr3t-q")
	l = l.With("token", "tok-9f8e7d")
	l.Info("calling https://api.example.com/x?key=k-123456",
		"url", u, "url2", *u,
		"headers", http.Header{"Authorization": {"Bearer tok-9f8e7d"}, "X-Api-Key": {"k-123456"}},
		"err", errors.New("declined card 4111 1111 1111 1111"),
		"driverName", "Ada Lovelace",
		slog.Group("req", "password", "hunter2", "body", []byte(`{"cardNumber":"4111111111111111"}`)),
		"str", stringer{"pan 4111111111111111"},
		"num", 42,
	)
	l.WithGroup("g").Debug("x", "apiKey", "k-123456", "other", []int{4, 1})
	out := buf.String()
	for _, s := range secrets {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, `"num":42`)
	assert.Contains(t, out, "api.example.com")
	require.True(t, strings.Count(out, "\n") == 2)
	assert.Same(t, l, Logger(l), "an already-redacting logger is not wrapped twice")
	assert.False(t, Logger(nil).Enabled(t.Context(), slog.LevelError), "nil logger discards")
}
