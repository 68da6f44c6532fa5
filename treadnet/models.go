package treadnet

import "github.com/dispatchcenter/connectors/treadnet/internal/api"

// The Treadnet models, generated from openapi.yaml.
type (
	// NetworkStatus counts sites by status and open outages, with the status of each
	// service the dispatch center depends on.
	NetworkStatus = api.NetworkStatus
	// ServiceStatus is one service's status.
	ServiceStatus = api.ServiceStatus
	// Outage is a network outage, open or resolved, with the sites, areas and services
	// it affects.
	Outage = api.Outage
	// OutageStatus is open or resolved.
	OutageStatus = api.OutageStatus
	// Severity is critical, major or minor.
	Severity = api.Severity
	// Site is a network site in a service area.
	Site = api.Site
	// SiteStatus is up, degraded or down.
	SiteStatus = api.SiteStatus
	// Link connects two sites.
	Link = api.Link
	// Topology is the network's sites and links at a version.
	Topology = api.Topology
	// Problem is Treadnet's error body (RFC 9457).
	Problem = api.Problem
)

// Outage statuses.
const (
	OutageOpen     = api.OutageStatusOpen
	OutageResolved = api.OutageStatusResolved
)

// Site statuses.
const (
	SiteUp       = api.SiteStatusUp
	SiteDegraded = api.SiteStatusDegraded
	SiteDown     = api.SiteStatusDown
)

// LinkKind is fiber, microwave or copper.
type LinkKind = api.LinkKind
