// Package geotabtest is a fake MyGeotab for tests: a real HTTP server on loopback that
// speaks the JSON-RPC API as MyGeotab does, over a seeded, deterministic fleet that
// drives on a synthetic map as the test advances its clock.
//
//	srv := geotabtest.NewServer(t)
//	c, _ := geotab.New(srv.Config(), geotab.WithBaseURL(srv.URL))
//	srv.Visit("b1", 43.70, -79.40, 20*time.Minute) // send a vehicle to a site
//	srv.Advance(time.Hour) // vehicles move; LogRecords, Trips, ExceptionEvents appear
//
// # What it does, and where Geotab says so
//
// Every behaviour comes from Geotab's own material; the sources are the SDK's
// Concepts and Data Feed guides, its API reference (SDK.xml), its JavaScript samples,
// and the official clients mg-api-js and mygeotab-python. Where Geotab is silent and
// the fake must still answer, the code says "Assumption".
//
//   - Transport: POST /apiv1, /apiv1/ and /apiv1/{method} (SDK Concepts; mg-api-js
//     posts to /apiv1/), as JSON or as the legacy form field JSON-RPC=
//     (mg-api-js AxiosCall.js, mg-api-node).
//   - Envelopes: {"result":…}; errors in an HTTP 200 answer with both the modern
//     error.data.type and the legacy error.errors[0].name (mg-api-js reads one,
//     mygeotab-python the other), codes −32000, −32601, −32700 (SDK Concepts).
//   - Sessions: Authenticate answers path "ThisServer" or another server
//     (federation, [Server.MoveDatabase]); sessions expire as InvalidUserException;
//     the 100 newest sessions are kept per user; Authenticate allows 10 a minute
//     (SDK Concepts; mg-api-js #52).
//   - Rate limits per method and type per minute, with X-Rate-Limit-Limit,
//     -Remaining and -Reset on success and OverLimitException with Retry-After when
//     exceeded (SDK Concepts, rate limits; the per-type figures of the developer
//     reference pages, e.g. Get ExceptionEvent 2000/1m, GetFeed 60/1m).
//   - Result limits: a resultsLimit above 50 000 is OverLimitException ("Supplied
//     results limit (50001) exceeds maximum limit (50000)."); an unlimited Get that
//     would answer more than the limit is OverLimitException; GetFeed clamps silently
//     and caps Device and User at 5 000, Route, Rule and Zone at 10 000 (SDK
//     Concepts, result limits; What's New 5.7.2003). Assumption: the implicit limit
//     of an unlimited Get is the 50 000 of the explicit one (Geotab gives no figure).
//   - Get answers [] when nothing matches (SDK reference: an array of entities).
//   - GetFeed: a new feed (no fromVersion, no fromDate) answers only the head
//     toVersion; versions are 16 hex digits; changed records come again with a
//     newer version; in-progress trips are replaced by a new id; ExceptionEvents keep
//     their id and are invalidated with state Invalid, returned only with
//     includeInvalidated (SDK Data Feed guide; What's New 5.7.2103).
//   - ExecuteMultiCall runs its children in order and stops at the first failure,
//     whose error names its requestIndex; earlier writes stand (SDK Concepts).
//   - Zones: mustIdentifyStops defaults to true when left out, and true keeps a
//     hidden ZoneStop rule, found only with includeZoneStopRules (SDK reference,
//     Zone and RuleSearch); points must be valid coordinates and a zone needs a
//     group (SDK reference, Zone; What's New 8.0).
//   - Rules: Add, Set and Remove of Custom rules whose condition is an area
//     condition on a zone. The rule engine fires EnteringArea when a vehicle's GPS
//     point is inside a zone its previous point was outside of, ExitingArea the other
//     way, InsideArea for the time inside, and ZoneStop only while the vehicle is
//     stopped inside — not when it drives through (SDK reference, ConditionType;
//     SDK samples get-zone-stop-exceptions, get-count-of-stops-at-client-zone).
//     Assumption: entry and exit events last no time.
//   - Drivers: userSearchType "Driver" finds every driver, the deprecated isDriver
//     only those with a driver key (SDK reference, UserSearch; What's New 5.7.2102).
//   - Routes: Plan routes need an existing device and stops on existing zones
//     (SDK sample importRoutePlan).
//   - Text messages: Add of Normal, CannedResponse and Location messages to a
//     device; a reply ([Server.Reply]) is a message from the vehicle naming its
//     parentMessage, and the message gains its replyMessage; TextMessageSearch by
//     device, dates, modifiedSinceDate and parentTextMessageId (SDK reference,
//     TextMessage; SDK samples sendTextMessage, pollTextMessages).
//   - Driver changes: DriverKey changes come from a key ([Server.SwipeKey]); an Add
//     is of type Driver, DriverKey ones "cannot be used to add user-assigned
//     records"; includeOverlappedChanges adds the change in force at fromDate (SDK
//     reference, DriverChange, DriverChangeType, DriverChangeSearch).
//   - Duty status logs: added as the SDK sample importHosLogs adds them; searched by
//     device, driver, dates, statuses, and includeBoundaryLogs (SDK reference,
//     DutyStatusLog, DutyStatusLogSearch). Assumption: a driver's log says ON at the
//     start, D when a trip starts and ON when it ends.
//   - Data feeds of LogRecord, Trip, StatusData, FaultData, ExceptionEvent, Device,
//     User, Zone, Rule, Diagnostic, TextMessage, DriverChange, DutyStatusLog and
//     DeviceStatusInfo (the last since 5.7.2101, What's New; one record per vehicle,
//     sent again as it changes).
//   - Interpolated records, OData, add-ins and the other entity types are not
//     served: a Get of an unknown type is an ArgumentException. Params are also
//     checked against the shapes of geotab's openapi.yaml, written from the sources
//     above.
//
// The seeded database is test data a customer could have: vehicles with drivers
// (every other one with a driver key), job-site zones on the vehicles' loops, each
// with MyGeotab's hidden stop rule and an administrator's "Arrival at" EnteringArea
// rule, and the diagnostics the engine data uses.
//
// [Server.Subscribe] makes the fake a customer's relay for webhooks: MyGeotab itself
// pushes nothing (SDK Data Feed guide FAQ). Faults can be injected ([Server.Fail])
// and requests are recorded with secrets masked ([Server.Requests]).
package geotabtest
