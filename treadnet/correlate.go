package treadnet

import "slices"

// ServiceRequest is what correlation needs of an open service request: its id and
// where the work is.
type ServiceRequest struct {
	ID     string
	SiteID string
	Area   string
}

// Match is an open service request a network event or outage may explain.
type Match struct {
	Request ServiceRequest
	// By is "site" when the request is at an affected site, "area" when it is only in
	// an affected area.
	By string
}

// Correlate returns the open requests at the event's site (By "site") and then those
// elsewhere in its area (By "area"), in the order given, as the integration design asks: "correlate
// with service requests".
func Correlate(ev NetworkEvent, open []ServiceRequest) []Match {
	var sites, areas []string
	if ev.SiteID != "" {
		sites = []string{ev.SiteID}
	}
	if ev.Area != "" {
		areas = []string{ev.Area}
	}
	return correlate(sites, areas, open)
}

// CorrelateOutage is [Correlate] for an outage from the API, which may span several
// sites and areas.
func CorrelateOutage(o Outage, open []ServiceRequest) []Match {
	return correlate(o.SiteIDs, o.Areas, open)
}

func correlate(sites, areas []string, open []ServiceRequest) []Match {
	var bySite, byArea []Match
	for _, sr := range open {
		switch {
		case sr.SiteID != "" && slices.Contains(sites, sr.SiteID):
			bySite = append(bySite, Match{Request: sr, By: "site"})
		case sr.Area != "" && slices.Contains(areas, sr.Area):
			byArea = append(byArea, Match{Request: sr, By: "area"})
		}
	}
	return append(bySite, byArea...)
}
