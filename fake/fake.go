package fake

import "time"

// Fault is a failure to inject into the next Times matching calls. Match is the
// operation it applies to (the fake decides what an operation is: a JSON-RPC method,
// "GET /api/customers", …); empty matches every call.
type Fault struct {
	Match string
	Times int
	// Status answers with this HTTP status (and Body).
	Status int
	Body   string
	// RetryAfter adds a Retry-After header (seconds).
	RetryAfter int
	// RetryAfterDate, when set, adds Retry-After as an HTTP date instead.
	RetryAfterDate time.Time
	// Delay holds the answer back this long (or until the client gives up).
	Delay time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// Truncate sends half a body under a longer Content-Length; Malformed sends a
	// body that is not JSON.
	Truncate, Malformed bool
	// After lets the fake handle the call first, then applies the fault to the answer
	// (the vendor did the work, the client never heard): with Reset, the
	// connection is closed instead of the answer being sent.
	After bool
	// Extra carries a fake's own fault fields (e.g. a vendor exception).
	Extra any
}

// Delivery is one webhook event a fake sent to a subscriber, with its outcome.
type Delivery struct {
	URL     string
	EventID string
	Type    string
	// Attempts made (a fake tries a delivery 3 times).
	Attempts int
	// Status of the last attempt (0 when it failed to connect).
	Status int
}
