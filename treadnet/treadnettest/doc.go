// Package treadnettest is a fake Treadnet for tests: the network operations API on
// loopback over mutual TLS with its own CA (a client certificate it signed is
// required; it issues both sides' certificates), validating every request against
// treadnet/openapi.yaml, over seeded sites, links and outages; and its SNMP agents,
// which send v2c or v3 (authPriv) traps — linkDown, linkUp and Treadnet's own — to a
// trap receiver, from each site's own loopback address.
package treadnettest
