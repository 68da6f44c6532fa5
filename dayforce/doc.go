// Package dayforce is the dispatch center's connector to Dayforce HCM (Ceridian), the
// workforce system: technicians, their skills, certifications, schedules,
// availability and time off, and the raw punches dispatch sends back. It speaks the
// real Dayforce REST API (V1); its models are generated from this package's
// openapi.yaml into the package (models.gen.go); the calls, and what generation
// cannot give, are written here:
//
//   - host discovery: the client-specific host is resolved through ClientMetadata on
//     the generic host, following its redirect by hand with the credentials
//     re-attached (Go's client drops Authorization across hosts and turns a
//     redirected POST into a GET); the ServiceUri is cached for a day and
//     discovered anew when a call is redirected, and a write is never sent to a
//     redirect's Location;
//   - Dayforce ID tokens (password grant with companyId), cached and refreshed
//     before expiry and replaced once when refused, or Basic; credentials go only to
//     the configured Dayforce hosts;
//   - the {Data, ProcessResults} envelope: warnings that come with a 200 are
//     returned in [Result] and [Page], never dropped; error bodies are read whether
//     they are objects or bare arrays, whatever their casing, and an unknown
//     XRefCode (a 400 in Dayforce) matches connectors.ErrNotFound;
//   - paging that follows Paging.Next verbatim as an iter.Seq2 of pages ([Items]
//     flattens them);
//   - punches that are never duplicated: Dayforce has no idempotency key for them,
//     so after an ambiguous failure the client looks for the punch before posting
//     again ([Client.PostPunch]);
//   - isValidateOnly on every write, PATCH bodies that tell absent from null, .NET
//     TimeSpans and offset-less dates read into Go types, a client-side rate limit
//     (Dayforce's documented example, 10 per second and 100 per minute, by default),
//     the Standard resilience policy, and only work-related entities expanded by
//     default; nothing personal is logged;
//   - [NewReceiver] for the events the integration watching Dayforce posts
//     (schedule changes, employee updates, time off, certifications; Dayforce itself
//     has no webhooks): the identity service's bearer token and an HMAC signature
//     both checked, repeats dropped, each event handed to a durable sink before the
//     2xx.
//
// The bundled fake, package dayforcetest, runs Dayforce on loopback for tests.
package dayforce
