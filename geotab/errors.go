package geotab

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/dispatchcenter/connectors"
)

// MyGeotab exception types the connector maps (error.data.type, or the legacy
// error.errors[0].name).
const (
	ExInvalidUser        = "InvalidUserException"
	ExDbUnavailable      = "DbUnavailableException"
	ExOverLimit          = "OverLimitException"
	ExDuplicate          = "DuplicateException"
	ExInvalidPermissions = "InvalidPermissionsException"
	ExArgument           = "ArgumentException"
	ExArgumentNull       = "ArgumentNullException"
	ExArgumentOutOfRange = "ArgumentOutOfRangeException"
	ExMissingMethod      = "MissingMethodException"
	ExJSONSerializer     = "JsonSerializerException"
	ExExpiredPassword    = "ExpiredPasswordException"
	ExGeneric            = "GenericException"
)

// DbUnavailableException states (error.data.info.state).
const (
	DbStateConnectionFailure = "ConnectionFailure"
	DbStateUnknownDatabase   = "UnknownDatabase"
	DbStateInitializing      = "Initializing"
	DbStateOperationAborted  = "OperationAborted"
)

// Error is a MyGeotab exception. It unwraps to the SDK's *connectors.APIError, so
// errors.As(err, &apiErr) and errors.Is(err, connectors.ErrUnauthorized) work as with
// every connector; Exception, RequestIndex and State add what is MyGeotab's own.
type Error struct {
	*connectors.APIError
	// Exception is the exception type, e.g. "OverLimitException".
	Exception string
	// RequestIndex is the index of the failing call of an ExecuteMultiCall (-1 when
	// the error is not about a child call).
	RequestIndex int
	// State is a DbUnavailableException's state ("Initializing", …).
	State string
}

// Unwrap returns the *connectors.APIError.
func (e *Error) Unwrap() error { return e.APIError }

// Retryable reports whether the same call may succeed later (OverLimitException with
// a Retry-After, DbUnavailableException while the database starts or reconnects).
func (e *Error) Retryable() bool { return e.APIError.Retryable }

// exceptionName reads the modern field first, then the legacy one.
func exceptionName(e *RPCError) string {
	if e.Data.Type != "" {
		return e.Data.Type
	}
	if len(e.Errors) > 0 {
		return e.Errors[0].Name
	}
	return ""
}

// newError maps a JSON-RPC error to *Error. h is the response's header (for
// Retry-After), may be nil.
func newError(op string, e *RPCError, h http.Header) *Error {
	name := exceptionName(e)
	ge := &Error{Exception: name, RequestIndex: -1, APIError: &connectors.APIError{
		System: "geotab", Operation: op, StatusCode: http.StatusOK, Code: name, Message: e.Message,
		RequestID: e.Data.ID,
	}}
	if e.Data.RequestIndex != nil {
		ge.RequestIndex = *e.Data.RequestIndex
	}
	if s, ok := e.Data.Info["state"].(string); ok {
		ge.State = s
	}
	a := ge.APIError
	switch name {
	case ExInvalidUser, ExExpiredPassword:
		a.Kind = connectors.ErrUnauthorized
	case ExDbUnavailable:
		a.Kind = connectors.ErrUnavailable
		if ge.State == "" { // older servers say it only in the message
			for _, s := range []string{DbStateInitializing, DbStateUnknownDatabase, DbStateConnectionFailure, DbStateOperationAborted} {
				if strings.Contains(e.Message, s) {
					ge.State = s
				}
			}
		}
		a.Retryable = ge.State != DbStateUnknownDatabase
	case ExOverLimit:
		// a rate limit comes with Retry-After; a results limit does not, and repeating
		// the call cannot help
		if h != nil && h.Get("Retry-After") != "" {
			a.Kind, a.Retryable = connectors.ErrRateLimited, true
		} else {
			a.Kind = connectors.ErrInvalidRequest
		}
	case ExDuplicate:
		a.Kind = connectors.ErrConflict
	case ExInvalidPermissions:
		a.Kind = connectors.ErrForbidden
	case ExArgument, ExArgumentNull, ExArgumentOutOfRange, ExMissingMethod, ExJSONSerializer:
		a.Kind = connectors.ErrInvalidRequest
	}
	return ge
}

// checkResponse is the resilience layer's response check: MyGeotab answers errors with
// HTTP 200, so retryable exceptions (OverLimitException, DbUnavailableException) are
// found in the body. Only a body whose first KiB mentions "error" is read whole; any
// other body streams on untouched.
func checkResponse(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK || resp.Body == nil {
		return nil
	}
	head := make([]byte, 1024)
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	complete := err != nil // the whole body fit in head
	if !bytes.Contains(head, []byte(`"error"`)) {
		resp.Body = replay(head, resp.Body, complete)
		return nil
	}
	body := head
	if !complete {
		rest, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		if err != nil {
			return err
		}
		body = append(head, rest...)
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var env struct {
		Error *RPCError `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		return nil
	}
	if ge := newError("", env.Error, resp.Header); ge.Retryable() {
		return ge
	}
	return nil // final exceptions are mapped by the call layer, with their operation
}

// replay returns a body that yields head, then the rest of r.
func replay(head []byte, r io.ReadCloser, complete bool) io.ReadCloser {
	if complete {
		_ = r.Close()
		return io.NopCloser(bytes.NewReader(head))
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), r), r}
}
