package normalize

import (
	"strings"
	"unicode"
)

// Street suffixes and directionals, as USPS Publication 28 abbreviates them (the
// common ones a field-service area meets).
var streetSuffixes = map[string]string{
	"ALLEY": "ALY", "AVENUE": "AVE", "AV": "AVE", "AVEN": "AVE", "BOULEVARD": "BLVD", "BOUL": "BLVD", "BRIDGE": "BRG",
	"CENTER": "CTR", "CENTRE": "CTR", "CIRCLE": "CIR", "CIRC": "CIR", "COURT": "CT", "COVE": "CV", "CREEK": "CRK",
	"CRESCENT": "CRES", "CROSSING": "XING", "DRIVE": "DR", "DRIV": "DR", "EXPRESSWAY": "EXPY", "EXPRESS": "EXPY",
	"FREEWAY": "FWY", "GARDENS": "GDNS", "HEIGHTS": "HTS", "HIGHWAY": "HWY", "HIGHWY": "HWY", "HILL": "HL",
	"JUNCTION": "JCT", "LAKE": "LK", "LANE": "LN", "LOOP": "LOOP", "MANOR": "MNR", "MEADOWS": "MDWS", "MOUNT": "MT",
	"MOUNTAIN": "MTN", "PARKWAY": "PKWY", "PARKWY": "PKWY", "PIKE": "PIKE", "PLACE": "PL", "PLAZA": "PLZ",
	"POINT": "PT", "RIDGE": "RDG", "ROAD": "RD", "ROUTE": "RTE", "SQUARE": "SQ", "STATION": "STA", "STREET": "ST",
	"STR": "ST", "STRT": "ST", "TERRACE": "TER", "TRAIL": "TRL", "TURNPIKE": "TPKE", "VALLEY": "VLY", "VIEW": "VW",
	"VILLAGE": "VLG", "WAY": "WAY",
}

var directionals = map[string]string{
	"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
	"NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}

// Secondary unit designators (USPS Pub 28 appendix C2).
var units = map[string]string{
	"APARTMENT": "APT", "BUILDING": "BLDG", "FLOOR": "FL", "SUITE": "STE", "UNIT": "UNIT", "ROOM": "RM",
	"DEPARTMENT": "DEPT",
}

// USStreet normalizes a US street line as USPS does: upper case, punctuation other
// than '#', '-' and '/' removed, white space collapsed, the street suffix (the last
// suffix word before a unit), directionals before and after the name, and unit
// designators abbreviated: "123 north Main Street, Suite 4" → "123 N MAIN ST STE 4".
func USStreet(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '#', r == '-', r == '/':
			return unicode.ToUpper(r)
		}
		return ' '
	}, s)
	words := strings.Fields(s)
	if len(words) == 0 {
		return ""
	}
	unitAt := len(words)
	for i, w := range words {
		if u, ok := units[w]; ok {
			words[i], unitAt = u, min(unitAt, i)
		} else if w == "APT" || w == "STE" || w == "BLDG" || w == "FL" || w == "RM" || w == "DEPT" || strings.HasPrefix(w, "#") {
			unitAt = min(unitAt, i)
		}
	}
	// the suffix is the last suffix word of the street part (not the first word: a
	// house number or "Street" alone stays)
	for i := unitAt - 1; i > 0; i-- {
		if a, ok := streetSuffixes[words[i]]; ok {
			words[i] = a
			break
		}
		if _, dir := directionals[words[i]]; !dir && i < unitAt-1 {
			break
		}
	}
	for i := 0; i < unitAt; i++ {
		if d, ok := directionals[words[i]]; ok && (i <= 1 || i == unitAt-1) {
			words[i] = d
		}
	}
	return strings.Join(words, " ")
}

var usStates = map[string]string{
	"ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
	"CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC", "FLORIDA": "FL", "GEORGIA": "GA",
	"HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS",
	"KENTUCKY": "KY", "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA",
	"MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
	"NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM",
	"NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK",
	"OREGON": "OR", "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD",
	"TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
	"WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY",
	"AMERICAN SAMOA": "AS", "GUAM": "GU", "NORTHERN MARIANA ISLANDS": "MP", "PUERTO RICO": "PR",
	"U.S. VIRGIN ISLANDS": "VI", "VIRGIN ISLANDS": "VI", "ARMED FORCES AMERICAS": "AA", "ARMED FORCES EUROPE": "AE",
	"ARMED FORCES PACIFIC": "AP",
}

var usStateCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range usStates {
		m[c] = true
	}
	return m
}()

// USState gives the USPS code of a US state, district or territory, from its code or
// its name in any case ("texas", "TX", "District of Columbia").
func USState(s string) (string, bool) {
	if len(s) == 2 && usStateCodes[s] {
		return s, true
	}
	s = strings.ToUpper(Collapse(strings.ReplaceAll(s, ".", "")))
	if usStateCodes[s] {
		return s, true
	}
	if c, ok := usStates[s]; ok {
		return c, true
	}
	c, ok := usStates[strings.ReplaceAll(s, "US ", "U.S. ")]
	return c, ok
}

// USZIP normalizes a ZIP or ZIP+4: 5 digits, or 9 digits written "12345-6789"
// (given with or without the hyphen or spaces).
func USZIP(s string) (string, bool) {
	d := make([]byte, 0, 9)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == '-' || c == ' ':
		default:
			return "", false
		}
	}
	switch len(d) {
	case 5:
		return string(d), true
	case 9:
		return string(d[:5]) + "-" + string(d[5:]), true
	}
	return "", false
}

// Collapse trims s and turns every run of Unicode white space into one space. Text that
// is already so comes back as it is, without a copy.
func Collapse(s string) string {
	clean := true
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			clean = false // leave non-ASCII white space to the general path
			break
		}
		space := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
		if space && (prevSpace || c != ' ') {
			clean = false
			break
		}
		prevSpace = space
	}
	if clean && !prevSpace {
		return s
	}
	if clean && s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for w := range strings.FieldsFuncSeq(s, unicode.IsSpace) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
