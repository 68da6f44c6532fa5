// Package ops is the operators' console of a service that embeds the connectors, as
// the customer's operations guide describes their work: one http.Handler, mounted
// where the service likes ("/ops/"), over small interfaces the SDK's own parts
// satisfy. Pages are server-rendered (html/template, assets embedded), with no
// frontend build step.
//
// This first slice has five tabs:
//
//   - Health: every system's status classified with the integration design's
//     thresholds, response-time percentiles, error rate, breaker states, the last
//     success (blank when never called), calls in flight and queued;
//   - Jobs: each module's regular and error-processing jobs ([Jobs]) with their
//     schedule, last runs (start, duration, records, outcome) and "run now", each
//     run pinging a healthchecks.io-compatible URL when one is configured (start,
//     success, fail), which is how the guide monitors background jobs;
//   - Errors: the records a mapping refused (a mapping.Store), by system, entity
//     and class, each problem with its field paths and the action that fixes it;
//     filter and search; open one to see the record with its secrets masked;
//     reprocess one, a filter's worth or all in the background with its progress
//     shown (the pass asks the store for batches, holding none of its locks between
//     them); the integration's own faults (class system) shown apart, as the guide
//     sends them to the product team;
//   - Mappings: each mapping file (a mapping.Dir) and its fields; edit in the page,
//     every problem of an edit shown at once with its line; saved only when it
//     compiles (the last good version stays in force until then); each change
//     recorded with who, when and the diff, and audited; a dry run of the edit on a
//     stored record the mapping refused;
//   - Dead letters: the events the consumer gave up on, inspected with secrets and
//     card numbers masked, replayed one by one or all.
//
// Access: every route requires an operator ([Authenticator]: a bearer token
// ([BearerToken]), an OpenID Connect ID token checked by the webhook package's JWT
// verifier ([IDToken]), basic auth over TLS ([BasicAuth]), or any of them
// ([AnyOf]); [Sessions] adds a sign-in form for browsers and a session cookie); a mutating request from another site is refused
// (net/http's CrossOriginProtection); every mutating action goes to the audit trail
// with the operator as its actor.
//
// [Live] is the dispatch screen's feed: Server-Sent Events of the canonical events
// from an [EventSource] (the bus's stream), resumable with Last-Event-ID so that a
// screen reconnecting within the retention misses nothing and sees nothing twice
// and a new one starts from the current state ([Snapshotter]),
// and a page drawing vehicles and job sites (from their assignments) as SVG from
// their coordinates (nothing is fetched from the internet).
package ops
