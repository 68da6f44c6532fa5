package redact

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Mask replaces a redacted value.
const Mask = "REDACTED"

// sensitiveParts are substrings of header, field and attribute names (lower case,
// separators removed) whose values are secrets.
var sensitiveParts = []string{
	"password", "passwd", "secret", "token", "apikey", "authorization", "cookie",
	"signature", "credential", "sessionid", "privatekey", "cardnumber", "accountnumber",
	"securitycode", "clientassertion",
}

// sensitiveExact are short names that are secrets only as whole names (or after
// "card"), so that "span", "pinned" or "company" are not caught.
var sensitiveExact = map[string]bool{
	"pan": true, "pin": true, "cvv": true, "cvc": true, "cvv2": true, "ssn": true,
	"sin": true, "auth": true, "key": true, "session": true, "sig": true,
}

func normalize(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == '-' || c == '_' || c == '.' || c == ' ':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// IsSensitiveName reports whether a header, field, query or attribute name denotes a
// secret (password, token, API key, signature, card data, …).
func IsSensitiveName(name string) bool {
	n := normalize(name)
	if sensitiveExact[n] || strings.HasPrefix(n, "card") && sensitiveExact[n[4:]] {
		return true
	}
	for _, p := range sensitiveParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// Redactor redacts with a set of extra personal field names on top of the built-in
// secret names. The zero value redacts secrets only.
type Redactor struct {
	personal map[string]bool
}

// New returns a Redactor that also masks the given personal field names (compared
// case-insensitively, ignoring '-', '_' and '.').
func New(personal ...string) *Redactor {
	r := &Redactor{personal: make(map[string]bool, len(personal))}
	for _, p := range personal {
		r.personal[normalize(p)] = true
	}
	return r
}

// Sensitive reports whether name is a secret or one of r's personal fields.
func (r *Redactor) Sensitive(name string) bool {
	if r != nil && r.personal[normalize(name)] {
		return true
	}
	return IsSensitiveName(name)
}

// URL returns u as a string with user info removed and every query value masked; only
// query keys remain. Fragments are dropped.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.Fragment = ""
	c.RawFragment = ""
	if c.RawQuery != "" {
		q, err := url.ParseQuery(c.RawQuery)
		if err != nil {
			c.RawQuery = Mask
		} else {
			for k := range q {
				q[k] = []string{Mask}
			}
			c.RawQuery = q.Encode()
		}
	}
	return c.String()
}

// URLString is [URL] for a string; an unparsable string is masked whole.
func URLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return Mask
	}
	return URL(u)
}

// Header returns a copy of h in which the values of secret headers (Authorization,
// cookies, API keys, signatures, …) and of r's personal fields are masked.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		if r.Sensitive(k) {
			out[k] = []string{Mask}
			continue
		}
		vv := make([]string, len(v))
		for i, s := range v {
			vv[i] = Text(s)
		}
		out[k] = vv
	}
	return out
}

// Header is [Redactor.Header] with secrets only.
func Header(h http.Header) http.Header { return (*Redactor)(nil).Header(h) }

// JSON returns body with the values of secret and personal fields masked, card numbers
// in strings masked, at any depth. A body that is not JSON is returned as [Text] of it.
func (r *Redactor) JSON(body []byte) []byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []byte(Text(string(body)))
	}
	v = r.value("", v)
	out, err := json.Marshal(v)
	if err != nil {
		return []byte(Mask)
	}
	return out
}

func (r *Redactor) value(key string, v any) any {
	if key != "" && r.Sensitive(key) {
		return Mask
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = r.value(k, e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = r.value("", e)
		}
		return x
	case string:
		return Text(x)
	case json.Number:
		if s := Text(x.String()); s != x.String() {
			return s
		}
		return x
	}
	return v
}

// Text masks card numbers in free text: runs of 13 to 19 digits, optionally grouped with
// single spaces or dashes, that pass the Luhn check.
func Text(s string) string {
	// fast path: fewer than 13 digits cannot hold a card number
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits < 13 {
		return s
	}
	var out strings.Builder
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			out.WriteByte(s[i])
			i++
			continue
		}
		// collect a run of digits with single separators
		end, ds := scanRun(s, i)
		if masked, ok := maskPAN(ds); ok {
			out.WriteString(masked)
			i = end
			continue
		}
		out.WriteString(s[i:end])
		i = end
	}
	return out.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanRun returns the end of the digit run starting at i (digits possibly separated by
// single spaces or dashes) and its digits.
func scanRun(s string, i int) (int, []byte) {
	var ds []byte
	end := i
	for j := i; j < len(s); j++ {
		c := s[j]
		if isDigit(c) {
			ds = append(ds, c)
			end = j + 1
			continue
		}
		if (c == ' ' || c == '-') && j+1 < len(s) && isDigit(s[j+1]) && j > i && isDigit(s[j-1]) {
			continue
		}
		break
	}
	return end, ds
}

func maskPAN(ds []byte) (string, bool) {
	if len(ds) < 13 || len(ds) > 19 || !Luhn(ds) {
		return "", false
	}
	return "[PAN-" + Mask + "]", true
}

// Luhn reports whether the digits pass the Luhn checksum.
func Luhn(ds []byte) bool {
	sum := 0
	double := false
	for i := len(ds) - 1; i >= 0; i-- {
		d := int(ds[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
