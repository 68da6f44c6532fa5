// Package treadnet is the dispatch center's connector to Treadnet, its network
// operations system. Treadnet publishes no API, so the contract is this package's
// openapi.yaml, written from the integration design: network status, current and
// historical outages, and the topology, over mutual TLS; and the SNMP traps Treadnet's
// agents send. Its models are generated from it into this
// package (models.gen.go); the calls, and what generation cannot give, are written
// here:
//
//   - the client certificate of Config.TLS (PEM files, PEM bytes or a loaded
//     certificate) on every connection; a handshake the server refuses is reported
//     at once, not retried; the Monitoring resilience policy;
//   - iterators over outages, current (OutageStatusOpen) or historical (a time range);
//   - [TrapReceiver]: SNMP traps (gosnmp), v2c with communities or v3 with
//     authentication and privacy, turned into typed [NetworkEvent]s —
//     NetworkOutageDetected, ServiceImpactAlert, NetworkRestored, TopologyChanged,
//     PerformanceDegraded — through [DefaultMappings] (linkDown, linkUp and Treadnet's
//     own) and the user's [Mapping]s; events wait in a bounded queue that counts what
//     it drops, and the same trap re-sent within a window is dropped and counted; a
//     v3 user is bound to the engine ids configured for it (a trap from another
//     engine is refused and counted, as snmptrapd's createUser -e binds it); informs
//     are answered with their response PDU once queued; a linkDown or linkUp
//     without ifDescr names its interface by index ("ifIndex 7");
//   - [Correlate] and [CorrelateOutage], which match a network event or an outage to
//     the open service requests at its sites or in its areas;
//   - RFC 9457 problems mapped to *connectors.APIError and its sentinels, and one audit
//     event per operation.
//
// The bundled fake, package treadnettest, runs Treadnet's API on loopback with its own
// CA and sends traps from its agents.
package treadnet
