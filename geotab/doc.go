// Package geotab is the dispatch center's connector to MyGeotab, Geotab's fleet
// telematics platform. It speaks the real MyGeotab API: JSON-RPC over
// POST https://{server}/apiv1, with a service account's session.
//
// # Sessions
//
// The client logs in lazily (Authenticate against the federation root, my.geotab.com
// by default) and sends later calls to the server MyGeotab names in its answer ("path"),
// with the session id — never the password. When a session is refused
// (InvalidUserException: expired, or the database moved) it logs in once more and
// repeats the call; concurrent callers wait for that one login. It never logs in more
// than 10 times a minute (MyGeotab's limit), and a [SessionStore] lets replicas share
// one session (MyGeotab keeps at most 100 per user).
//
// # Data
//
// Typed methods cover what dispatch uses. Reads of record types are iterators that
// page (resultsLimit and the date sort, [GetAll]); [Collect] gathers one.
//
//	MyGeotab                       typed
//	Get Device                     Client.Devices, Client.Device
//	Get DeviceStatusInfo           Client.DeviceStatusInfos, Client.NearestVehicles
//	Get LogRecord, Trip,           Client.LogRecords, Client.Trips, Client.StatusData,
//	  StatusData, FaultData          Client.FaultData (paged)
//	Get ExceptionEvent, Rule       Client.ExceptionEvents (paged), Client.Rules
//	Add Rule (area conditions)     Client.EnsureGeofenceRules
//	Get/Add/Set/Remove Zone        Client.Zones, Client.AddZone, Client.SetZone, Client.RemoveZone
//	Get/Add/Remove Route           Client.Routes, Client.AssignRoute, Client.RemoveRoute
//	Get User                       Client.Users, Client.Drivers (Get Driver fails on real servers)
//	Get Diagnostic                 Client.Diagnostics
//	Add/Get TextMessage            Client.SendMessage (Text, CannedResponses, LocationStop,
//	                                 ResetStops), Client.TextMessages
//	Get DriverChange, DutyStatusLog Client.DriverChanges, Client.DutyStatusLogs (paged)
//	GetFeed of each of those       Client.LogRecordFeed, Client.TripFeed, Client.StatusDataFeed,
//	                                 Client.FaultDataFeed, Client.ExceptionEventFeed,
//	                                 Client.GeofenceFeed, Client.TextMessageFeed,
//	                                 Client.DriverChangeFeed, Client.DutyStatusLogFeed,
//	                                 Client.DeviceStatusInfoFeed
//	GetCountOf                     Client.CountOf
//	ExecuteMultiCall               Client.ExecuteMultiCall (GetCall, CountCall, Decode)
//	GetCoordinates, GetAddresses   Client.Coordinates, Client.Addresses
//	Authenticate                   done by the client (see Sessions)
//
// The rest of MyGeotab is one call away: [Get], [Add], [Set] and [Remove] for any
// entity type, [GetAll] to page a record type, [Follow] for any data feed, and
// [CallMethod] for any other method.
//
// Data feeds ([Follow], [Client.LogRecordFeed], …) are iterators: they keep the
// version token in the [FeedOptions] Checkpoint (a connectors.Checkpoint, one per
// feed, as every connector resumes), follow full pages at once and
// back off while the feed is quiet. This is how 30-second GPS for a fleet is consumed.
//
// # Geofences
//
// A zone is a geofence; MyGeotab records a vehicle's entry or exit only under a rule
// whose condition is EnteringArea or ExitingArea on the zone, as an ExceptionEvent.
// [Client.EnsureGeofenceRules] makes sure a set of zones has those rules (once each),
// and [Client.GeofenceFeed] turns the ExceptionEvent feed into [GeofenceEvent]s,
// invalidations included as retractions. Zones are added without a stop rule: set
// Zone.MustIdentifyStops for MyGeotab's ZoneStop rule, which fires when a vehicle
// stops in the zone. MyGeotab pushes nothing; [NewReceiver] serves a relay of the
// customer's own.
//
// # Wire details
//
// References arrive as {"id":"b1"} or as bare strings ([Ref] takes both); dates are
// UTC with milliseconds ([Time]); durations are .NET TimeSpans ([TimeSpan]);
// coordinates are {x: longitude, y: latitude}. MyGeotab reports errors inside HTTP 200
// answers; they become [*Error] values that unwrap to *connectors.APIError and match the
// SDK's sentinels (OverLimitException → connectors.ErrRateLimited, retried after
// Retry-After; DuplicateException → connectors.ErrConflict; …).
//
// The bundled fake, package geotabtest, runs a MyGeotab on loopback for tests.
package geotab
