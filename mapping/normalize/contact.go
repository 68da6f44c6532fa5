package normalize

import (
	"errors"
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone gives s in E.164 ("+15125550142"), reading a number without a country code
// in region (ISO 3166 alpha-2, "US"). It refuses a number libphonenumber parses but
// does not consider valid (it parses many invalid ones without error).
func Phone(s, region string) (string, bool) {
	n, ok := parsePhone(s, region)
	if !ok {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// PhoneExtension gives the extension of s ("" when it has none), which E.164 drops;
// false when s is not a valid number (see [Phone]).
func PhoneExtension(s, region string) (string, bool) {
	n, ok := parsePhone(s, region)
	if !ok {
		return "", false
	}
	return n.GetExtension(), true
}

// KnownRegion reports whether libphonenumber knows region ("US", "CA").
func KnownRegion(region string) bool { return phonenumbers.GetCountryCodeForRegion(region) != 0 }

// parsePhone parses s (region for a number without a country code) and refuses a
// number libphonenumber parses but does not consider valid.
func parsePhone(s, region string) (*phonenumbers.PhoneNumber, bool) {
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return nil, false
	}
	return n, true
}

// Email accepts one bare address (no display name, no comment, no quoted local
// part), requires a domain with a dot in ASCII (internationalized domains in their
// xn-- form), and lowercases the domain (the local part is the receiver's business
// and is kept).
func Email(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", errors.New("not one bare address")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", errors.New("the domain has no dot")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", errors.New("bad domain label")
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", errors.New("the domain is not ASCII letters, digits and hyphens")
			}
		}
	}
	return local + "@" + domain, nil
}
